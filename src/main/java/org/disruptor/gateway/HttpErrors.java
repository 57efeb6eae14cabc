package org.disruptor.gateway;

import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.disruptor.job.JobError;

/** Writes JSON responses and turns every failure into {@code {"error", "message"}} with its status. */
final class HttpErrors {

  private HttpErrors() {
  }

  static void json(RoutingContext ctx, int status, String body) {
    json(ctx, status, org.disruptor.job.JsonText.buffer(body));
  }

  static void json(RoutingContext ctx, int status, io.vertx.core.buffer.Buffer body) {
    HttpServerResponse response = ctx.response();
    if (response.ended() || response.closed()) {
      return;
    }
    response.setStatusCode(status).putHeader("content-type", "application/json").end(body);
  }

  static void error(RoutingContext ctx, JobError error) {
    json(ctx, error.status(), error.toJson().encode());
  }

  /** Requests the HTTP decoder refused (line or headers too long, bad Content-Length): a JSON error, then close. */
  static void invalidRequest(HttpServerRequest request) {
    Throwable cause = request.decoderResult().cause();
    JobError error = cause instanceof TooLongHttpLineException
        ? new JobError("uri_too_long", "the request line is too long")
        : cause instanceof TooLongHttpHeaderException
        ? new JobError("headers_too_large", "the request headers are too large")
        : JobError.badRequest("malformed HTTP request: " + (cause == null ? "?" : cause.getMessage()));
    request.response().setStatusCode(error.status()).putHeader("content-type", "application/json")
        .putHeader("connection", "close").end(error.toJson().encode()).onComplete(v -> request.connection().close());
  }

  /** The router's failure handler: body limit, unknown routes, bad methods and anything unexpected. */
  static void failure(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    if (failure instanceof JobError e) {
      error(ctx, e);
      return;
    }
    int status = ctx.statusCode() > 0 ? ctx.statusCode() : 500;
    String code = JobError.codeFor(status);
    String message = switch (status) {
      case 404 -> "no such resource: " + ctx.request().path();
      case 405 -> "method " + ctx.request().method() + " is not allowed on " + ctx.request().path();
      case 413 -> "the request body is over the limit";
      default -> failure != null && status < 500 ? String.valueOf(failure.getMessage()) : "unexpected error";
    };
    json(ctx, status, new JsonObject().put("error", code).put("message", message).encode());
  }
}
