package org.disruptor.gateway;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.DecodeException;
import java.nio.charset.StandardCharsets;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.disruptor.job.Job;
import org.disruptor.job.JobError;
import org.disruptor.job.JobService;
import org.disruptor.job.JobSpec;
import org.disruptor.job.JobStatus;

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
      refuse(ctx, new JobError("payload_too_large", "the request body is over the limit of " + maxBodyBytes + " bytes"));
      return;
    }
    Buffer body = Buffer.buffer();
    long timer = ctx.vertx().setTimer(bodyTimeoutMs, t -> refuse(ctx,
        new JobError("request_timeout", "the request body did not arrive within " + bodyTimeoutMs + " ms")));
    request.handler(chunk -> {
      if (ctx.response().ended()) {
        return;
      }
      if (body.length() + chunk.length() > maxBodyBytes) {
        ctx.vertx().cancelTimer(timer);
        refuse(ctx, new JobError("payload_too_large", "the request body is over the limit of " + maxBodyBytes + " bytes"));
        return;
      }
      body.appendBuffer(chunk);
    });
    request.endHandler(v -> {
      ctx.vertx().cancelTimer(timer);
      if (!ctx.response().ended()) {
        submit(ctx, body.toString(StandardCharsets.UTF_8), async);
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

  /** Parses a request body into a job spec: 400 for anything that is not a valid job object. */
  static JobSpec parse(String body, JobSpec.Limits limits) {
    if (body == null || body.isBlank()) {
      throw JobError.badRequest("the request body must be a JSON job object");
    }
    Object json;
    try {
      json = io.vertx.core.json.Json.decodeValue(body);
    } catch (DecodeException e) {
      throw JobError.badRequest("invalid JSON: " + firstLine(e.getMessage()));
    }
    if (!(json instanceof JsonObject object)) {
      throw JobError.badRequest("the request body must be a JSON object, not " + kind(json));
    }
    return JobSpec.parse(object, limits);
  }

  private void submit(RoutingContext ctx, String body, boolean async) {
    jobs.submit(() -> parse(body, jobs.limits()), body.length(), (j, type, json) -> {
      if (!async && j.status().isFinal()) {
        respond(ctx, j);
      }
    }).onSuccess(job -> {
      if (async) {
        HttpErrors.json(ctx, 202, new JsonObject().put("id", job.id()).put("status", job.status().wire()).encode());
      }
    }).onFailure(e -> {
      if (e instanceof JobError error) {
        HttpErrors.error(ctx, error);
      } else {
        ctx.fail(e);
      }
    });
  }

  private static void respond(RoutingContext ctx, Job job) {
    HttpErrors.json(ctx, job.status() == JobStatus.COMPLETED ? 200 : job.error().status(), job.view());
  }

  private void list(RoutingContext ctx) {
    JsonArray list = new JsonArray();
    jobs.recent().forEach(j -> list.add(j.summary()));
    HttpErrors.json(ctx, 200, new JsonObject().put("jobs", list).encode());
  }

  private void get(RoutingContext ctx) {
    Job job = jobs.get(ctx.pathParam("id"));
    if (job == null) {
      HttpErrors.error(ctx, new JobError("not_found", "no job " + ctx.pathParam("id") + " on this node"));
    } else {
      HttpErrors.json(ctx, 200, job.view());
    }
  }

  private void cancel(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    Job job = jobs.get(id);
    if (job == null) {
      HttpErrors.error(ctx, new JobError("not_found", "no job " + id + " on this node"));
    } else if (jobs.cancel(id)) {
      HttpErrors.json(ctx, 200, job.view());
    } else {
      HttpErrors.error(ctx, new JobError("not_running", "job " + id + " already ended as " + job.status().wire()));
    }
  }

  private static String firstLine(String text) {
    String line = String.valueOf(text).lines().findFirst().orElse("");
    return line.length() > 200 ? line.substring(0, 200) + "..." : line;
  }

  private static String kind(Object json) {
    return json instanceof JsonArray ? "an array" : json instanceof String ? "a string"
        : json == null ? "null" : json instanceof Boolean ? "a boolean" : "a number";
  }
}
