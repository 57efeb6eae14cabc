package org.disruptor.job;

import io.vertx.core.json.JsonObject;

/**
 * A failure a client sees: an API error code, its HTTP status and a message, plus details (partition,
 * node, line, column). {@link #status(String)} is the one mapping from error codes to HTTP statuses.
 */
public class JobError extends RuntimeException {

  private final String code;
  private final JsonObject details;

  public JobError(String code, String message) {
    this(code, message, new JsonObject());
  }

  public JobError(String code, String message, JsonObject details) {
    super(message, null, false, false);
    this.code = code;
    this.details = details;
  }

  public String code() {
    return code;
  }

  public int status() {
    return status(code);
  }

  /** The error as the API's JSON body: {@code {"error", "message", ...details}}. */
  public JsonObject toJson() {
    return new JsonObject().put("error", code).put("message", getMessage()).mergeIn(details);
  }

  public static JobError fromJson(JsonObject json) {
    JsonObject details = json.copy();
    details.remove("error");
    details.remove("message");
    return new JobError(json.getString("error", "internal_error"), json.getString("message", ""), details);
  }

  public static int status(String code) {
    return switch (code) {
      case "bad_request" -> 400;
      case "unauthorized" -> 401;
      case "not_found" -> 404;
      case "method_not_allowed" -> 405;
      case "cancelled", "not_running" -> 409;
      case "request_timeout" -> 408;
      case "uri_too_long" -> 414;
      case "headers_too_large" -> 431;
      case "payload_too_large" -> 413;
      case "compile_error", "not_a_function", "job_error", "memory_limit", "time_limit", "output_limit",
          "stack_limit" -> 422;
      case "saturated", "too_many_websockets" -> 429;
      case "no_nodes" -> 503;
      case "timed_out" -> 504;
      default -> 500;
    };
  }

  public static JobError badRequest(String message) {
    return new JobError("bad_request", message);
  }
}
