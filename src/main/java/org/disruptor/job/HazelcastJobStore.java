package org.disruptor.job;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * The {@link JobStore} of a node: Hazelcast maps, each entry with one synchronous backup on another member
 * (Hazelcast's default), so what is stored survives any one node. Async map calls only, their callbacks
 * brought back to the caller's Vert.x context: nothing here blocks an event loop except {@link #entries}
 * and {@link #ownedBy}, which scan and run on a worker thread.
 */
public final class HazelcastJobStore implements JobStore {

  public static final String DIRECTORY = "disruptor.jobs";
  public static final String DURABLE = "disruptor.durable.specs";
  public static final String OWNERS = "disruptor.durable.owners";
  public static final String PARTS = "disruptor.durable.parts";
  public static final String FINAL = "disruptor.durable.final";
  public static final String KEYS = "disruptor.keys";
  private static final Logger LOG = Logger.getLogger("org.disruptor.job");

  private final Vertx vertx;
  private final IMap<String, String> directory;
  private final IMap<String, byte[]> durable;
  private final IMap<String, String> owners;
  private final IMap<String, byte[]> parts;
  private final IMap<String, byte[]> finals;
  private final IMap<String, String> keys;
  private final long budgetBytes;
  private final long keyTtlSeconds;
  /** Bytes of durable specs this node stored and has not let go of yet (its share of the budget). */
  private final AtomicLong storedBytes = new AtomicLong();
  private final Map<String, Integer> storedSizes = new java.util.concurrent.ConcurrentHashMap<>();

  public HazelcastJobStore(Vertx vertx, HazelcastInstance hazelcast, long budgetBytes, long keyTtlSeconds) {
    this.vertx = vertx;
    this.directory = hazelcast.getMap(DIRECTORY);
    this.durable = hazelcast.getMap(DURABLE);
    this.owners = hazelcast.getMap(OWNERS);
    this.parts = hazelcast.getMap(PARTS);
    this.finals = hazelcast.getMap(FINAL);
    this.keys = hazelcast.getMap(KEYS);
    this.budgetBytes = budgetBytes;
    this.keyTtlSeconds = keyTtlSeconds;
  }

  /** A Hazelcast async result, completed on the caller's context. */
  private <T> Future<T> on(CompletionStage<T> stage) {
    Context context = vertx.getOrCreateContext();
    Promise<T> promise = Promise.promise();
    stage.whenComplete((value, error) -> context.runOnContext(v -> {
      if (error != null) {
        promise.fail(error);
      } else {
        promise.complete(value);
      }
    }));
    return promise.future();
  }

  private static <T> void quietly(CompletionStage<T> stage, String what) {
    stage.whenComplete((v, e) -> {
      if (e != null) {
        LOG.fine(() -> what + " failed: " + e);
      }
    });
  }

  @Override
  public void publish(Entry entry) {
    quietly(directory.setAsync(entry.id(), entry.summary().encode()), "directory write");
  }

  @Override
  public Future<Boolean> replace(Entry expected, Entry next) {
    return vertx.executeBlocking(() -> directory.replace(expected.id(), expected.raw() != null ? expected.raw()
        : expected.summary().encode(), next.summary().encode()), false);
  }

  @Override
  public Future<Entry> lookup(String id) {
    return on(directory.getAsync(id)).map(json -> json == null ? null : Entry.parse(json));
  }

  @Override
  public Future<List<Entry>> entries() {
    return vertx.executeBlocking(() -> {
      List<Entry> list = new ArrayList<>();
      for (String json : directory.values()) {
        list.add(Entry.parse(json));
      }
      return list;
    }, false);
  }

  @Override
  public void remove(String id) {
    quietly(directory.removeAsync(id), "directory removal");
  }

  @Override
  public Future<Void> saveDurable(Durable job, String owner) {
    byte[] bytes = encode(job);
    if (storedBytes.addAndGet(bytes.length) > budgetBytes) {
      storedBytes.addAndGet(-bytes.length);
      return Future.failedFuture(new JobError("insufficient_storage", "the store for async and keyed jobs is full: "
          + "this node keeps at most " + budgetBytes + " bytes of their specs and data (durableBytes); this job needs "
          + bytes.length + ". Retry when earlier jobs have ended, or raise durableBytes"));
    }
    storedSizes.put(job.id(), bytes.length);
    // the owner first: a job whose spec is stored always has someone responsible for it
    return on(owners.setAsync(job.id(), owner)).compose(v -> on(durable.setAsync(job.id(), bytes)))
        .onFailure(e -> release(job.id()));
  }

  private void release(String id) {
    Integer size = storedSizes.remove(id);
    if (size != null) {
      storedBytes.addAndGet(-size);
    }
  }

  @Override
  public Future<Durable> durable(String id) {
    return on(durable.getAsync(id)).map(bytes -> bytes == null ? null : decode(id, bytes));
  }

  @Override
  public Future<List<String>> ownedBy(String owner) {
    return vertx.executeBlocking(() -> {
      List<String> ids = new ArrayList<>();
      owners.forEach((id, who) -> {
        if (owner.equals(who)) {
          ids.add(id);
        }
      });
      return ids;
    }, false);
  }

  @Override
  public Future<Boolean> claim(String id, String from, String to) {
    return vertx.executeBlocking(() -> owners.replace(id, from, to), false);
  }

  @Override
  public void savePart(String id, int index, String node, byte[] result) {
    byte[] where = node.getBytes(StandardCharsets.UTF_8);
    byte[] stored = ByteBuffer.allocate(4 + where.length + result.length).putInt(where.length).put(where).put(result)
        .array();
    vertx.executeBlocking(() -> parts.putIfAbsent(partKey(id, index), stored), false)
        .onFailure(e -> LOG.fine(() -> "part result write failed: " + e));
  }

  @Override
  public Future<Map<Integer, StoredPart>> parts(String id, int count) {
    Set<String> wanted = new HashSet<>();
    for (int i = 0; i < count; i++) {
      wanted.add(partKey(id, i));
    }
    return vertx.executeBlocking(() -> {
      Map<Integer, StoredPart> found = new HashMap<>();
      parts.getAll(wanted).forEach((key, bytes) -> {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        byte[] where = new byte[in.getInt()];
        in.get(where);
        byte[] result = new byte[in.remaining()];
        in.get(result);
        found.put(Integer.parseInt(key.substring(key.lastIndexOf('/') + 1)),
            new StoredPart(new String(where, StandardCharsets.UTF_8), result));
      });
      return found;
    }, false);
  }

  @Override
  public Future<Void> saveFinal(String id, byte[] view) {
    return on(finals.setAsync(id, view));
  }

  @Override
  public Future<byte[]> finalView(String id) {
    return on(finals.getAsync(id));
  }

  @Override
  public void forgetDurable(String id, int count) {
    release(id);
    quietly(durable.removeAsync(id), "durable spec removal");
    quietly(owners.removeAsync(id), "owner removal");
    for (int i = 0; i < count; i++) {
      quietly(parts.removeAsync(partKey(id, i)), "part result removal");
    }
  }

  @Override
  public Future<String> bindKey(String key, String jobId) {
    return vertx.executeBlocking(() -> keys.putIfAbsent(key, jobId, keyTtlSeconds, TimeUnit.SECONDS), false);
  }

  @Override
  public void unbindKey(String key, String jobId) {
    vertx.executeBlocking(() -> keys.remove(key, jobId), false);
  }

  private static String partKey(String id, int index) {
    return id + "/" + index;
  }

  /** A durable job as bytes: its spec as a JSON header, then each part's input. */
  static byte[] encode(Durable job) {
    JobSpec spec = job.spec();
    JsonObject header = new JsonObject().put("code", spec.code()).put("mode", spec.mode().name())
        .put("partitions", spec.partitions()).put("reduce", spec.reduce()).put("timeoutMs", spec.timeoutMs())
        .put("key", job.key()).put("nodes", spec.nodes()).put("labels", new JsonArray(spec.labels()))
        .put("modules", new JsonArray(spec.modules())).put("createdAt", job.createdAt());
    byte[] head = JsonText.utf8(header.encode());
    int size = 8 + head.length;
    for (byte[] input : job.inputs()) {
      size += 4 + input.length;
    }
    ByteBuffer out = ByteBuffer.allocate(size);
    out.putInt(head.length).put(head).putInt(job.inputs().size());
    for (byte[] input : job.inputs()) {
      out.putInt(input.length).put(input);
    }
    return out.array();
  }

  static Durable decode(String id, byte[] bytes) {
    ByteBuffer in = ByteBuffer.wrap(bytes);
    byte[] head = new byte[in.getInt()];
    in.get(head);
    JsonObject h = new JsonObject(new String(head, StandardCharsets.UTF_8));
    int count = in.getInt();
    List<byte[]> inputs = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      byte[] input = new byte[in.getInt()];
      in.get(input);
      inputs.add(input);
    }
    JobSpec spec = new JobSpec(h.getString("code"), null, JobSpec.Mode.valueOf(h.getString("mode")),
        h.getInteger("partitions"), h.getString("reduce"), h.getLong("timeoutMs"), null, h.getString("key"),
        h.getInteger("nodes"), strings(h.getJsonArray("labels")), strings(h.getJsonArray("modules")));
    return new Durable(id, spec, inputs, h.getLong("createdAt"), h.getString("key"));
  }

  private static List<String> strings(JsonArray array) {
    List<String> out = new ArrayList<>();
    if (array != null) {
      array.forEach(v -> out.add((String) v));
    }
    return List.copyOf(out);
  }
}
