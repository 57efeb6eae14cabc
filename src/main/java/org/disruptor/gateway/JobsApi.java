package org.disruptor.gateway;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
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
        refuse(ctx, new JobError("payload_too_large", "the request body is over the limit of " + maxBodyBytes + " bytes"));
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
    jobs.submit(() -> JobSpec.parse(body, jobs.limits()), body.length, (j, type, json) -> {
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
    HttpErrors.json(ctx, job.status() == JobStatus.COMPLETED ? 200 : job.error().status(), job.viewBuffer());
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
      HttpErrors.json(ctx, 200, job.viewBuffer());
    }
  }

  private void cancel(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    Job job = jobs.get(id);
    if (job == null) {
      HttpErrors.error(ctx, new JobError("not_found", "no job " + id + " on this node"));
    } else if (jobs.cancel(id)) {
      HttpErrors.json(ctx, 200, job.viewBuffer());
    } else {
      HttpErrors.error(ctx, new JobError("not_running", "job " + id + " already ended as " + job.status().wire()));
    }
  }

}
