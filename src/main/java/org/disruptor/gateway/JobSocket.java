package org.disruptor.gateway;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.Callable;
import org.disruptor.job.Job;
import org.disruptor.job.JobError;
import org.disruptor.job.JobService;
import org.disruptor.job.JobSpec;

/**
 * One client's job WebSocket: each text frame is a job (or {@code {"type":"cancel","id"}}); the node
 * streams that job's events back. Closing the socket cancels the jobs it started that are still running.
 */
final class JobSocket {

  private final ServerWebSocket socket;
  private final JobService jobs;
  private final Set<String> running = new HashSet<>();
  private final TokenAuth auth;
  private boolean authenticated;

  JobSocket(ServerWebSocket socket, JobService jobs, TokenAuth auth, boolean authenticated) {
    this.socket = socket;
    this.jobs = jobs;
    this.auth = auth;
    this.authenticated = authenticated;
    socket.textMessageHandler(this::onText);
    socket.binaryMessageHandler(this::onBinary);
    // a copy: cancelling a job ends it, and its final event removes it from `running`
    socket.closeHandler(v -> java.util.List.copyOf(running).forEach(jobs::cancel));
    // Vert.x drops a fragmented message over maxWebSocketMessageSize and reports it only here
    socket.exceptionHandler(e -> {
      if (e instanceof IllegalStateException) {
        reject(new JobError("payload_too_large", "the message is over the limit"), null, null);
      }
    });
  }

  private void onText(String text) {
    if (authenticated && text.length() >= JobService.OFFLOAD_CHARS) {
      // a large message is a job: decode it off the event loop with the rest of the submission
      submit(() -> new JsonObject(text), text.length());
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
      submit(() -> message, text.length());
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
      reject(TokenAuth.unauthorized(), null, message.getValue("ref"));
      socket.close((short) 1008, "unauthorized");
    }
  }

  /** Starts a job and sends its events; a client-chosen {@code ref} is echoed in `accepted` and in errors. */
  private void submit(Callable<JsonObject> decode, int size) {
    Object[] ref = new Object[1];
    jobs.submit(() -> {
      JsonObject message = decode.call();
      ref[0] = message.getValue("ref");
      return JobSpec.parse(message, jobs.limits());
    }, size, (j, type, event) -> {
      String json = ref[0] != null && type.equals("accepted")
          ? "{\"ref\":" + Json.encode(ref[0]) + "," + event.get().substring(1) : event.get();
      if (j.status().isFinal()) {
        running.remove(j.id());
      }
      if (!socket.isClosed()) {
        // a job refused for saturation is reported as `rejected`, as the API promises
        boolean saturated = type.equals("failed") && j.error() != null && j.error().code().equals("saturated");
        socket.writeTextMessage(saturated ? json.replaceFirst("\"type\":\"failed\"", "\"type\":\"rejected\"") : json);
      }
    }).onSuccess(job -> {
      if (!job.status().isFinal()) {
        running.add(job.id());
      }
    }).onFailure(e -> reject(e instanceof JobError error ? error : notAMessage(), null, ref[0]));
  }

  private void cancel(String id) {
    if (id == null || !jobs.cancel(id)) {
      reject(new JobError(id == null ? "bad_request" : "not_running",
          id == null ? "cancel needs the job's id" : "job " + id + " is not running on this node"), id, null);
    }
  }

  private void onBinary(Buffer data) {
    reject(JobError.badRequest("binary frames are not supported: send jobs as JSON text"), null, null);
  }

  private void reject(JobError error, String id, Object ref) {
    String type = error.code().equals("saturated") || error.code().equals("no_nodes") ? "rejected" : "error";
    JsonObject event = new JsonObject().put("type", type).mergeIn(error.toJson()).put("status", error.status());
    if (id != null) {
      event.put("id", id);
    }
    if (ref != null) {
      event.put("ref", ref);
    }
    if (!socket.isClosed()) {
      socket.writeTextMessage(event.encode());
    }
  }
}
