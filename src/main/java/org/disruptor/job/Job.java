package org.disruptor.job;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.disruptor.sandbox.TypedData;

/**
 * One job's scatter/gather state on its coordinating node. It counts each part once (the first result
 * wins; late or duplicate replies are ignored), and it ends exactly once. Confined to one event loop: no
 * locking, no Vert.x calls, so unit tests drive it directly.
 */
public final class Job {

  /** One part: its input, where it runs, how often it was tried and what it returned. */
  public static final class Part {
    final int index;
    /** UTF-8 JSON text, kept until the part is done (a move sends it again). */
    byte[] input;
    String nodeId;
    String node;
    int attempts;
    boolean done;
    /** UTF-8 JSON text, as the node returned it. */
    byte[] result;
    double elapsedMs;
    long startedAt;
    long endedAt;
    /** This part's own code failed (or a limit stopped it) and ended the job. */
    boolean failed;
    /** Between attempts: waiting for room on a node, or for a retry's backoff. */
    boolean pending;
    List<String> logs = List.of();

    Part(int index, byte[] input) {
      this.index = index;
      this.input = input;
    }

    public int index() {
      return index;
    }

    public String nodeId() {
      return nodeId;
    }

    public byte[] input() {
      return input;
    }

    public int attempts() {
      return attempts;
    }

    public boolean done() {
      return done;
    }

    public String node() {
      return node;
    }

    public boolean pending() {
      return pending;
    }

    JsonObject toJson(boolean jobEnded) {
      JsonObject json = new JsonObject().put("index", index).put("node", node).put("attempts", attempts)
          .put("status", done ? "done" : failed ? "failed" : jobEnded ? "stopped" : attempts == 0 || pending
              ? "pending" : "running");
      if (done) {
        json.put("elapsedMs", elapsedMs).put("startedAt", startedAt).put("endedAt", endedAt)
            .put("logs", new JsonArray(new ArrayList<>(logs)));
      }
      return json;
    }
  }

  private final String id;
  private final JobSpec spec;
  private final String coordinator;
  private final long createdAt;
  private final long startNanos;
  private final boolean durable;
  private final List<Part> parts = new ArrayList<>();
  private JobStatus status = JobStatus.RUNNING;
  private JobError error;
  private byte[] result;
  private boolean resultDropped;
  private long elapsedMs;
  private int doneCount;

  public Job(String id, JobSpec spec, List<byte[]> inputs) {
    this(id, spec, inputs, null, System.currentTimeMillis());
  }

  /** A job coordinated by the node at {@code coordinator} (its address), created at {@code createdAt} (epoch ms). */
  public Job(String id, JobSpec spec, List<byte[]> inputs, String coordinator, long createdAt) {
    this(id, spec, inputs, coordinator, createdAt, false, 0);
  }

  /**
   * {@code durable}: the cluster keeps its spec and part results (async or keyed); {@code elapsedMs}: how long
   * it has run already (a job adopted after its coordinator died keeps its age and deadline).
   */
  public Job(String id, JobSpec spec, List<byte[]> inputs, String coordinator, long createdAt, boolean durable,
      long elapsedMs) {
    this.startNanos = System.nanoTime() - elapsedMs * 1_000_000;
    this.durable = durable;
    this.id = id;
    this.spec = spec;
    this.coordinator = coordinator;
    this.createdAt = createdAt;
    for (int i = 0; i < inputs.size(); i++) {
      parts.add(new Part(i, inputs.get(i)));
    }
  }

  public String id() {
    return id;
  }

  public JobSpec spec() {
    return spec;
  }

  public JobStatus status() {
    return status;
  }

  public JobError error() {
    return error;
  }

  public List<Part> parts() {
    return parts;
  }

  public Part part(int index) {
    return parts.get(index);
  }

  public int doneCount() {
    return doneCount;
  }

  public boolean allDone() {
    return doneCount == parts.size();
  }

  public long createdAt() {
    return createdAt;
  }

  public boolean durable() {
    return durable;
  }

  /** Records that a part was sent (again) to a node; returns its attempt number. */
  public int assign(int index, String nodeId, String node) {
    Part part = parts.get(index);
    part.nodeId = nodeId;
    part.node = node;
    part.pending = false;
    return ++part.attempts;
  }

  /** Marks a part as between attempts (waiting for room or a backoff): a node's leave no longer moves it. */
  public void pending(int index) {
    parts.get(index).pending = true;
  }

  /** Marks the part whose failure ended the job. */
  public void failed(int index) {
    if (index >= 0 && index < parts.size()) {
      parts.get(index).failed = true;
    }
  }

  /** Records a part's result; false when the job has ended or the part was already counted. */
  public boolean complete(int index, String node, byte[] json, double elapsedMs, List<String> logs) {
    return complete(index, node, json, elapsedMs, logs, 0, 0);
  }

  /** As {@link #complete(int, String, byte[], double, List)}, with when the part ran (epoch ms). */
  public boolean complete(int index, String node, byte[] json, double elapsedMs, List<String> logs, long startedAt,
      long endedAt) {
    if (status.isFinal() || index < 0 || index >= parts.size() || parts.get(index).done) {
      return false;
    }
    Part part = parts.get(index);
    part.done = true;
    part.node = node;
    part.result = json;
    part.elapsedMs = elapsedMs;
    part.logs = logs;
    part.startedAt = startedAt;
    part.endedAt = endedAt;
    part.pending = false;
    part.input = null;
    doneCount++;
    return true;
  }

  /** The parts' results in part order (each one JSON value, UTF-8). */
  public List<byte[]> results() {
    List<byte[]> results = new ArrayList<>(parts.size());
    parts.forEach(p -> results.add(p.result));
    return results;
  }

  /**
   * The parts' results in part order, as one JSON array text (no decode and re-encode, one copy; a typed
   * array result as the array of its numbers).
   */
  public byte[] resultsArray() {
    List<byte[]> results = new ArrayList<>(parts.size());
    int length = 1 + parts.size();
    for (Part part : parts) {
      byte[] json = TypedData.json(part.result);
      results.add(json);
      length += json.length;
    }
    byte[] out = new byte[Math.max(2, length)];
    out[0] = '[';
    int at = 1;
    for (byte[] json : results) {
      if (at > 1) {
        out[at++] = ',';
      }
      System.arraycopy(json, 0, out, at, json.length);
      at += json.length;
    }
    out[at] = ']';
    return out;
  }

  /** Ends the job; false when it had already ended (a job ends exactly once). */
  public boolean finish(JobStatus finalStatus, byte[] resultJson, JobError failure) {
    if (status.isFinal() || !finalStatus.isFinal()) {
      return false;
    }
    status = finalStatus;
    result = resultJson;
    error = failure;
    elapsedMs = (System.nanoTime() - startNanos) / 1_000_000;
    for (Part part : parts) {
      part.input = null;
      part.result = null;
    }
    return true;
  }

  /** Bytes of result text this finished job holds in the history. */
  public int resultBytes() {
    return result == null ? 0 : result.length;
  }

  /** Lets go of the result text (history over its byte budget); the view then says so. */
  public void dropResult() {
    if (result != null) {
      result = null;
      resultDropped = true;
    }
  }

  public long elapsedMs() {
    return status.isFinal() ? elapsedMs : (System.nanoTime() - startNanos) / 1_000_000;
  }

  /** A short line for lists: no results, no logs. */
  public JsonObject summary() {
    JsonObject json = new JsonObject().put("id", id).put("status", status.wire())
        .put("mode", spec.mode().name().toLowerCase(java.util.Locale.ROOT))
        .put("parts", parts.size()).put("done", doneCount).put("createdAt", createdAt).put("elapsedMs", elapsedMs());
    if (coordinator != null) {
      json.put("coordinator", coordinator);
    }
    if (durable) {
      json.put("durable", true);
    }
    if (spec.key() != null) {
      json.put("key", spec.key());
    }
    return json;
  }

  /** The full state as JSON text, with the result spliced in verbatim. */
  public String view() {
    return viewBuffer().toString(StandardCharsets.UTF_8);
  }

  /** {@link #view} as UTF-8 bytes, for HTTP: a large result is copied once, never turned into a String. */
  public Buffer viewBuffer() {
    return viewBuffer(true);
  }

  /** {@link #viewBuffer}, without the result when {@code withResult} is false (the binary answer's header). */
  public Buffer viewBuffer(boolean withResult) {
    JsonObject json = summary();
    JsonArray partsJson = new JsonArray();
    parts.forEach(p -> partsJson.add(p.toJson(status.isFinal())));
    json.put("partitions", partsJson);
    if (error != null) {
      json.mergeIn(error.toJson());
    }
    if (resultDropped) {
      json.put("resultDropped", true);
    }
    return withRaw(json, "result", withResult && status == JobStatus.COMPLETED && result != null ? TypedData.json(result)
        : null);
  }

  /** The result of a completed job as the coordinator holds it: JSON text, or a typed array (see TypedData). */
  public byte[] result() {
    return status == JobStatus.COMPLETED ? result : null;
  }

  /** {@code json} with {@code field} set to raw JSON text, without parsing it. */
  public static String withRaw(JsonObject json, String field, String raw) {
    return withRaw(json, field, raw == null ? null : JsonText.utf8(raw)).toString(StandardCharsets.UTF_8);
  }

  /** {@code json} with {@code field} set to raw UTF-8 JSON text, as bytes. */
  public static Buffer withRaw(JsonObject json, String field, byte[] raw) {
    String encoded = JsonText.escapeLoneSurrogates(json.encode());
    if (raw == null) {
      return Buffer.buffer(encoded);
    }
    byte[] head = ("{" + Json.encode(field) + ":").getBytes(StandardCharsets.UTF_8);
    byte[] tail = (encoded.length() == 2 ? "}" : "," + encoded.substring(1)).getBytes(StandardCharsets.UTF_8);
    return Buffer.buffer(head.length + raw.length + tail.length).appendBytes(head).appendBytes(raw).appendBytes(tail);
  }

  /** The event a part's completion produces, with its result spliced in. */
  public String partEvent(Part part) {
    JsonObject json = new JsonObject().put("type", "partition").put("id", id).put("index", part.index)
        .put("node", part.node).put("elapsedMs", part.elapsedMs).put("startedAt", part.startedAt)
        .put("endedAt", part.endedAt).put("attempts", part.attempts)
        .put("logs", new JsonArray(new ArrayList<>(part.logs)))
        .put("done", doneCount).put("parts", parts.size());
    return withRaw(json, "result", part.result == null ? null : TypedData.json(part.result))
        .toString(StandardCharsets.UTF_8);
  }
}
