package org.disruptor.gateway;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import org.disruptor.job.Job;
import org.disruptor.job.JobError;
import org.disruptor.job.JobService;
import org.disruptor.job.JobSpec;
import org.disruptor.job.JobStatus;

/** The HTTP job endpoints: submit (sync or async), list, read and cancel. */
final class JobsApi {

  private final JobService jobs;

  JobsApi(JobService jobs) {
    this.jobs = jobs;
  }

  void mount(Router router, long maxBodyBytes) {
    router.post("/api/jobs").handler(JobsApi::bodyDeadline);
    router.post("/api/jobs").handler(BodyHandler.create(false).setBodyLimit(maxBodyBytes)).handler(this::submit);
    router.get("/api/jobs").handler(this::list);
    router.get("/api/jobs/:id").handler(this::get);
    router.delete("/api/jobs/:id").handler(this::cancel);
  }

  /** A body that does not arrive within 10 s is answered 408 and its connection closed (slow or stalled uploads). */
  private static void bodyDeadline(RoutingContext ctx) {
    long timer = ctx.vertx().setTimer(10_000, t -> {
      if (!ctx.request().isEnded() && !ctx.response().ended()) {
        ctx.response().putHeader("connection", "close");
        HttpErrors.error(ctx, new JobError("request_timeout", "the request body did not arrive within 10 s"));
        ctx.request().connection().close();
      }
    });
    ctx.addEndHandler(v -> ctx.vertx().cancelTimer(timer));
    ctx.next();
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

  private void submit(RoutingContext ctx) {
    JobSpec spec;
    Job job;
    boolean async = "true".equals(ctx.queryParams().get("async"));
    try {
      spec = parse(ctx.body().asString(), jobs.limits());
      job = jobs.submit(spec, (j, type, json) -> {
        if (!async && j.status().isFinal()) {
          respond(ctx, j);
        }
      });
    } catch (JobError e) {
      HttpErrors.error(ctx, e);
      return;
    }
    if (async) {
      HttpErrors.json(ctx, 202, new JsonObject().put("id", job.id()).put("status", job.status().wire()).encode());
    }
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
