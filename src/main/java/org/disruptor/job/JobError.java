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

  /**
   * The one table from error codes to HTTP statuses. For a status that several codes share, the first
   * listed is the one {@link #codeFor(int)} gives a bare status (the router's own failures).
   */
  private static final java.util.Map<String, Integer> STATUS = table(
      "bad_request", 400, "unauthorized", 401, "not_found", 404, "method_not_allowed", 405,
      "request_timeout", 408, "cancelled", 409, "not_running", 409, "payload_too_large", 413,
      "uri_too_long", 414, "unsupported_media_type", 415, "job_error", 422, "compile_error", 422,
      "not_a_function", 422, "memory_limit", 422, "time_limit", 422, "output_limit", 422, "stack_limit", 422,
      "unknown_module", 422,
      "too_many_requests", 429, "saturated", 429, "too_many_websockets", 429, "headers_too_large", 431,
      "internal_error", 500,
      "no_nodes", 503, "coordinator_lost", 503, "timed_out", 504, "insufficient_storage", 507);

  private static java.util.Map<String, Integer> table(Object... pairs) {
    java.util.Map<String, Integer> map = new java.util.LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      map.put((String) pairs[i], (Integer) pairs[i + 1]);
    }
    return java.util.Collections.unmodifiableMap(map);
  }

  /** The HTTP status of an error code (500 for a code the table does not know). */
  public static int status(String code) {
    return STATUS.getOrDefault(code, 500);
  }

  /** The error code of a bare HTTP status, e.g. 404 is not_found; internal_error for others. */
  public static String codeFor(int status) {
    for (var entry : STATUS.entrySet()) {
      if (entry.getValue() == status) {
        return entry.getKey();
      }
    }
    return "internal_error";
  }

  public static JobError badRequest(String message) {
    return new JobError("bad_request", message);
  }
}
