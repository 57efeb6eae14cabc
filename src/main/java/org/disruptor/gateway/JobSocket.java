package org.disruptor.gateway;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import org.disruptor.job.Job;
import org.disruptor.job.JobError;
import org.disruptor.job.JobService;
import org.disruptor.job.JobSpec;
import org.disruptor.job.JsonText;

/**
 * One client's job WebSocket: each text frame is a job, {@code {"type":"cancel","id"}} or
 * {@code {"type":"watch","id"}} (any job of the cluster); the node streams the events of the jobs the
 * socket started or watches. Closing the socket cancels the jobs it started that are still running (not
 * those it only watches).
 */
final class JobSocket {

  private final ServerWebSocket socket;
  private final JobService jobs;
  private final Set<String> running = new HashSet<>();
  private final java.util.Map<String, JobService.Watcher> watching = new java.util.HashMap<>();
  private final TokenAuth auth;
  private boolean authenticated;
  /** Set when the socket closes: a job whose submission completes after that is cancelled at once. */
  private boolean closed;

  JobSocket(ServerWebSocket socket, JobService jobs, TokenAuth auth, boolean authenticated) {
    this.socket = socket;
    this.jobs = jobs;
    this.auth = auth;
    this.authenticated = authenticated;
    socket.textMessageHandler(this::onText);
    socket.binaryMessageHandler(this::onBinary);
    // a copy: cancelling a job ends it, and its final event removes it from `running`
    socket.closeHandler(v -> {
      closed = true;
      java.util.List.copyOf(running).forEach(jobs::cancel);
      watching.forEach(jobs::unwatch);
      watching.clear();
    });
    // Vert.x drops a fragmented message over maxWebSocketMessageSize and reports it only here
    socket.exceptionHandler(e -> {
      if (e instanceof IllegalStateException) {
        reject(new JobError("payload_too_large", "the message is over the size limit (maxBodyBytes)"), null, null);
      }
    });
  }

  /** Whether a job this socket started or watches is still running: the socket is then not idle. */
  boolean busy() {
    return !running.isEmpty() || !watching.isEmpty();
  }

  private void onText(String text) {
    if (authenticated && text.length() >= JobService.OFFLOAD_CHARS) {
      // a large message is a job: parse it off the event loop with the rest of the submission
      submit(text, null);
      return;
    }
    try {
      JsonObject message = new JsonObject(text);
      if (!authenticated) {
        authenticate(message);
        return;
      }
      if ("auth".equals(message.getString("type"))) {
        socket.writeTextMessage(new JsonObject().put("type", "authenticated").encode());
        return;
      }
      if ("cancel".equals(message.getString("type"))) {
        cancel(message.getString("id"));
        return;
      }
      if ("watch".equals(message.getString("type"))) {
        watch(message.getString("id"));
        return;
      }
      // the job is parsed from the text as sent, like an HTTP body: its data reaches the parts verbatim
      Object ref = message.getValue("ref");
      submit(text, ref == null ? null : Json.encode(ref));
    } catch (DecodeException | ClassCastException e) {
      reject(notAMessage(), null, null);
    }
  }

  private static JobError notAMessage() {
    return JobError.badRequest("each message must be a JSON job object or {\"type\":\"cancel\",\"id\":...}");
  }

  /** The first message of a socket opened without the token must be {@code {"type":"auth","token"}}. */
  private void authenticate(JsonObject message) {
    Object token = message.getValue("token");
    if ("auth".equals(message.getString("type")) && token instanceof String t && auth.valid(t)) {
      authenticated = true;
      socket.writeTextMessage(new JsonObject().put("type", "authenticated").encode());
    } else {
      Object ref = message.getValue("ref");
      reject(TokenAuth.unauthorized(), null, ref == null ? null : Json.encode(ref));
      socket.close((short) 1008, "unauthorized");
    }
  }

  /**
   * Starts a job and sends its events; a client-chosen {@code ref} is echoed verbatim in `accepted` and in
   * errors ({@code refJson} is known before parsing for small messages, which were decoded to read their type).
   */
  private void submit(String text, String refJson) {
    String[] ref = {refJson};
    jobs.submit(() -> {
      JobSpec spec = JobSpec.parse(text.getBytes(StandardCharsets.UTF_8), jobs.limits());
      ref[0] = spec.refJson();
      return spec;
    }, text.length(), (j, type, event) -> {
      String json = ref[0] != null && type.equals("accepted")
          ? "{\"ref\":" + ref[0] + "," + event.get().substring(1) : event.get();
      if (j.status().isFinal()) {
        running.remove(j.id());
      }
      if (!socket.isClosed()) {
        // a job refused for saturation is reported as `rejected`, as the API promises
        boolean saturated = type.equals("failed") && j.error() != null && j.error().code().equals("saturated");
        socket.writeTextMessage(JsonText.escapeLoneSurrogates(saturated
            ? json.replaceFirst("\"type\":\"failed\"", "\"type\":\"rejected\"") : json));
      }
    }, JobService.Options.SYNC).onSuccess(submitted -> {
      if (submitted.job() == null) {
        watch(submitted.id()); // its idempotency key names a job that exists: follow that one
      } else if (closed) {
        // the client went away while its job was being submitted: the close found nothing to cancel yet
        jobs.cancel(submitted.id());
      } else if (!submitted.job().status().isFinal()) {
        running.add(submitted.id());
      }
    }).onFailure(e -> reject(e instanceof JobError error ? error : notAMessage(), null, ref[0]));
  }

  private void cancel(String id) {
    if (id == null) {
      reject(JobError.badRequest("cancel needs the job's id"), null, null);
      return;
    }
    jobs.cancel(id).onFailure(e -> reject(e instanceof JobError error ? error
        : new JobError("not_running", "job " + id + " could not be cancelled"), id, null));
  }

  /** Streams any job's events to this socket: a snapshot, then each event until it ends. */
  private void watch(String id) {
    if (id == null) {
      reject(JobError.badRequest("watch needs the job's id"), null, null);
      return;
    }
    if (watching.containsKey(id) || running.contains(id)) {
      return; // already streamed here
    }
    JobService.Watcher watcher = (type, json) -> {
      if (java.util.Set.of("completed", "failed", "timed_out", "cancelled").contains(type)) {
        watching.remove(id);
      }
      if (!socket.isClosed()) {
        socket.writeTextMessage(JsonText.escapeLoneSurrogates(json));
      }
    };
    if (closed) {
      return;
    }
    watching.put(id, watcher);
    jobs.watch(id, watcher).onFailure(e -> {
      watching.remove(id);
      reject(e instanceof JobError error ? error : new JobError("not_found", "no job " + id + " in the cluster"), id,
          null);
    });
  }

  private void onBinary(Buffer data) {
    reject(JobError.badRequest("binary frames are not supported: send jobs as JSON text"), null, null);
  }

  private void reject(JobError error, String id, String refJson) {
    String type = error.code().equals("saturated") || error.code().equals("no_nodes") ? "rejected" : "error";
    JsonObject event = new JsonObject().put("type", type).mergeIn(error.toJson()).put("status", error.status());
    if (id != null) {
      event.put("id", id);
    }
    if (!socket.isClosed()) {
      socket.writeTextMessage(JsonText.escapeLoneSurrogates(refJson == null ? event.encode()
          : Job.withRaw(event, "ref", refJson)));
    }
  }
}
