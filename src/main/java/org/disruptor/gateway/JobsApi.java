package org.disruptor.gateway;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.disruptor.job.JobError;
import org.disruptor.job.JobService;
import org.disruptor.job.JobSpec;
import org.disruptor.job.JobStatus;
import org.disruptor.sandbox.TypedData;

/** The HTTP job endpoints: submit (sync or async), list, read and cancel. */
final class JobsApi {

  private final JobService jobs;
  private long maxBodyBytes;
  private long bodyTimeoutMs;

  JobsApi(JobService jobs) {
    this.jobs = jobs;
  }

  void mount(Router router, long maxBodyBytes, long bodyTimeoutMs) {
    this.maxBodyBytes = maxBodyBytes;
    this.bodyTimeoutMs = bodyTimeoutMs;
    router.post("/api/jobs").handler(this::readBody);
    router.get("/api/jobs").handler(this::list);
    router.get("/api/jobs/:id").handler(this::get);
    router.delete("/api/jobs/:id").handler(this::cancel);
  }

  /**
   * Reads a job body whatever its content type (a form content type, as {@code curl -d} sends, must not
   * send it through a form decoder): over {@code maxBodyBytes} is 413, a body that does not arrive within
   * {@code bodyTimeoutMs} is 408 (slow or stalled uploads); both close the connection.
   */
  private void readBody(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    // read here, inside the router: a malformed query fails this handler and gets the router's JSON 400
    boolean async = "true".equals(ctx.queryParams().get("async"));
    String declared = request.getHeader("content-length");
    if (declared != null && declared.matches("\\d{1,18}") && Long.parseLong(declared) > maxBodyBytes) {
      refuse(ctx, new JobError("payload_too_large", "the request body is over the limit of " + maxBodyBytes
          + " bytes (maxBodyBytes)"));
      return;
    }
    // the chunks are kept and copied once into an array of the exact size: no growing buffer, and nothing
    // allocated up front on the word of a Content-Length header
    java.util.List<Buffer> chunks = new java.util.ArrayList<>();
    long[] size = {0};
    long timer = ctx.vertx().setTimer(bodyTimeoutMs, t -> refuse(ctx,
        new JobError("request_timeout", "the request body did not arrive within " + bodyTimeoutMs + " ms")));
    request.handler(chunk -> {
      if (ctx.response().ended()) {
        return;
      }
      if (size[0] + chunk.length() > maxBodyBytes) {
        ctx.vertx().cancelTimer(timer);
        refuse(ctx, new JobError("payload_too_large", "the request body is over the limit of " + maxBodyBytes
          + " bytes (maxBodyBytes)"));
        return;
      }
      chunks.add(chunk);
      size[0] += chunk.length();
    });
    request.endHandler(v -> {
      ctx.vertx().cancelTimer(timer);
      if (!ctx.response().ended()) {
        byte[] body = new byte[(int) size[0]];
        int at = 0;
        for (Buffer chunk : chunks) {
          chunk.getBytes(body, at);
          at += chunk.length();
        }
        submit(ctx, body, async);
      }
    });
    request.exceptionHandler(e -> ctx.vertx().cancelTimer(timer));
    request.resume();
  }

  /** Answers before the body is read; on HTTP/1.x the unread rest of the body forces the connection closed. */
  private static void refuse(RoutingContext ctx, JobError error) {
    if (ctx.response().ended()) {
      return;
    }
    boolean http1 = ctx.request().version() != HttpVersion.HTTP_2;
    if (http1) {
      ctx.response().putHeader("connection", "close");
    }
    HttpErrors.error(ctx, error);
    if (http1) {
      ctx.response().end().onComplete(v -> ctx.request().connection().close());
    }
  }

  private void submit(RoutingContext ctx, byte[] body, boolean async) {
    String key = ctx.request().getHeader("Idempotency-Key");
    boolean binary = isBinary(ctx.request().getHeader("content-type"));
    boolean binaryAnswer = isBinary(ctx.request().getHeader("accept"));
    boolean stream = "true".equals(ctx.queryParams().get("stream"));
    if (stream && async) {
      HttpErrors.error(ctx, JobError.badRequest("stream=true answers as the job runs, async=true at once: choose one"));
      return;
    }
    jobs.submit(() -> binary ? JobSpec.parseBinary(body, jobs.limits()) : JobSpec.parse(body, jobs.limits()), body.length,
        (j, type, json) -> {
      if (stream) {
        streamEvent(ctx, json.get(), j.status().isFinal());
      } else if (!async && j.status().isFinal()) {
        if (binaryAnswer && TypedData.isTyped(j.result())) {
          respondBinary(ctx, j.viewBuffer(false), j.result());
        } else {
          respond(ctx, j.status() == JobStatus.COMPLETED ? 200 : j.error().status(), j.viewBuffer());
        }
      }
    }, new JobService.Options(async, key)).onSuccess(submitted -> {
      if (async) {
        JsonObject answer = new JsonObject().put("id", submitted.id());
        if (submitted.job() != null) {
          answer.put("status", submitted.job().status().wire());
        } else {
          answer.put("existing", true);
        }
        HttpErrors.json(ctx, 202, answer.encode());
      } else if (submitted.job() == null && stream) {
        followExisting(ctx, submitted.id());
      } else if (submitted.job() == null) {
        awaitEnd(ctx, submitted.id());
      }
    }).onFailure(e -> fail(ctx, e));
  }

  /**
   * {@code ?stream=true}: the job's events as they happen, one JSON object a line ({@code application/x-ndjson}):
   * accepted, each partition as it completes (with its result), retries, and last the final event with the
   * job's view. The status is 200 once the job is accepted; how it ended is the last line's {@code type}.
   */
  private static void streamEvent(RoutingContext ctx, String event, boolean last) {
    io.vertx.core.http.HttpServerResponse response = ctx.response();
    if (response.ended() || response.closed()) {
      return;
    }
    if (!response.headWritten()) {
      response.setChunked(true).setStatusCode(200).putHeader("content-type", "application/x-ndjson");
    }
    Buffer line = org.disruptor.job.JsonText.buffer(event).appendByte((byte) '\n');
    if (last) {
      response.end(line);
    } else {
      response.write(line);
    }
  }

  /** {@code ?stream=true} for a job that already runs under the request's idempotency key: a snapshot, then its events. */
  private void followExisting(RoutingContext ctx, String id) {
    JobService.Watcher watcher = (type, json) -> streamEvent(ctx, json, FINAL.contains(type)
        || "snapshot".equals(type) && FINAL.contains(new JsonObject(json).getString("status")));
    ctx.response().closeHandler(v -> jobs.unwatch(id, watcher));
    jobs.watch(id, watcher).onFailure(e -> fail(ctx, e));
  }

  /** Answers a synchronous request when a job that may run anywhere ends (an idempotent resubmission). */
  private void awaitEnd(RoutingContext ctx, String id) {
    JobService.Watcher watcher = (type, json) -> {
      if (FINAL.contains(type)) {
        jobs.view(id).onSuccess(view -> respond(ctx, statusOf(view), view)).onFailure(e -> fail(ctx, e));
      }
    };
    ctx.response().closeHandler(v -> jobs.unwatch(id, watcher));
    jobs.watch(id, watcher).onFailure(e -> fail(ctx, e));
  }

  private static final java.util.Set<String> FINAL = java.util.Set.of("completed", "failed", "timed_out", "cancelled");

  /** The HTTP status of an ended job's view: 200 when it completed, else its error's. */
  private static int statusOf(Buffer view) {
    JsonObject json = new JsonObject(view);
    return "completed".equals(json.getString("status")) ? 200 : JobError.status(json.getString("error", "internal_error"));
  }

  private static boolean isBinary(String mediaType) {
    return mediaType != null && mediaType.toLowerCase(java.util.Locale.ROOT).contains("application/octet-stream");
  }

  /**
   * A completed job's typed-array result as binary: one line of JSON (the job's view without its result,
   * with {@code dtype} and {@code length}), a newline, then the elements, little-endian.
   */
  private static void respondBinary(RoutingContext ctx, Buffer view, byte[] typed) {
    JsonObject header = new JsonObject(view).put("dtype", TypedData.dtype(typed).wire()).put("length", TypedData.length(typed));
    Buffer body = Buffer.buffer(typed.length + 1024).appendString(header.encode()).appendByte((byte) '\n')
        .appendBytes(typed, TypedData.HEADER, typed.length - TypedData.HEADER);
    if (!ctx.response().ended() && !ctx.response().closed()) {
      ctx.response().setStatusCode(200).putHeader("content-type", "application/octet-stream").end(body);
    }
  }

  private static void respond(RoutingContext ctx, int status, Buffer view) {
    HttpErrors.json(ctx, status, view);
  }

  private static void fail(RoutingContext ctx, Throwable e) {
    if (e instanceof JobError error) {
      HttpErrors.error(ctx, error);
    } else {
      ctx.fail(e);
    }
  }

  /** {@code ?limit=N&offset=M&status=S}: recent jobs of the whole cluster, newest first. */
  private void list(RoutingContext ctx) {
    int limit;
    int offset;
    try {
      limit = Integer.parseInt(ctx.queryParams().get("limit") == null ? "100" : ctx.queryParams().get("limit"));
      offset = Integer.parseInt(ctx.queryParams().get("offset") == null ? "0" : ctx.queryParams().get("offset"));
    } catch (NumberFormatException e) {
      HttpErrors.error(ctx, JobError.badRequest("limit and offset must be integers"));
      return;
    }
    String status = ctx.queryParams().get("status");
    if (limit < 1 || limit > 1000 || offset < 0) {
      HttpErrors.error(ctx, JobError.badRequest("limit must be from 1 to 1000 and offset at least 0"));
      return;
    }
    if (status != null && !java.util.Set.of("running", "completed", "failed", "timed_out", "cancelled")
        .contains(status)) {
      HttpErrors.error(ctx, JobError.badRequest("status must be running, completed, failed, timed_out or cancelled"));
      return;
    }
    jobs.list(limit, offset, status).onSuccess(list -> HttpErrors.json(ctx, 200, list.encode()))
        .onFailure(e -> fail(ctx, e));
  }

  private void get(RoutingContext ctx) {
    jobs.view(ctx.pathParam("id")).onSuccess(view -> HttpErrors.json(ctx, 200, view)).onFailure(e -> fail(ctx, e));
  }

  private void cancel(RoutingContext ctx) {
    jobs.cancel(ctx.pathParam("id")).onSuccess(view -> HttpErrors.json(ctx, 200, view)).onFailure(e -> fail(ctx, e));
  }
}
