package org.disruptor.job;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/** A validated job request. {@link #parse} turns every malformed request into a 400 or 413 {@link JobError}. */
public record JobSpec(String code, Object data, Mode mode, Integer partitions, String reduce, long timeoutMs) {

  public enum Mode { MAP, BROADCAST }

  /** The spec without its data: what a job keeps once its parts are planned (history must not pin data). */
  public JobSpec withoutData() {
    return new JobSpec(code, null, mode, partitions, reduce, timeoutMs);
  }

  private static final Set<String> FIELDS = Set.of("code", "data", "mode", "partitions", "reduce", "timeoutMs",
      "type", "ref");

  /** Limits that validation needs, from the node configuration. */
  public record Limits(int maxCodeBytes, int maxPartitions, long defaultTimeoutMs, long maxTimeoutMs) {
    public static Limits from(JsonObject conf) {
      return new Limits(conf.getInteger("maxCodeBytes"), conf.getInteger("maxPartitions"),
          conf.getLong("jobTimeoutMs"), conf.getLong("maxJobTimeoutMs"));
    }
  }

  public static JobSpec parse(JsonObject json, Limits limits) {
    for (String field : json.fieldNames()) {
      if (!FIELDS.contains(field)) {
        throw JobError.badRequest("unknown field '" + field + "' (expected code, data, mode, partitions, reduce, timeoutMs)");
      }
    }
    String code = string(json, "code");
    if (code == null || code.isBlank()) {
      throw JobError.badRequest("'code' is required: JavaScript that evaluates to a function (input, ctx) => ...");
    }
    checkCodeSize("code", code, limits);
    String reduce = string(json, "reduce");
    if (reduce != null) {
      checkCodeSize("reduce", reduce, limits);
    }
    Mode mode = switch (json.getValue("mode") == null ? "map" : String.valueOf(json.getValue("mode"))) {
      case "map" -> Mode.MAP;
      case "broadcast" -> Mode.BROADCAST;
      default -> throw JobError.badRequest("'mode' must be \"map\" or \"broadcast\"");
    };
    Object data = json.getValue("data");
    checkFinite(data);
    if (mode == Mode.MAP && !(data instanceof JsonArray)) {
      throw JobError.badRequest("map mode needs 'data' to be an array" + (data == null ? " (it is missing)" : ""));
    }
    Integer partitions = integer(json, "partitions", 1, limits.maxPartitions());
    if (partitions != null && mode == Mode.BROADCAST) {
      throw JobError.badRequest("'partitions' applies to map mode only; broadcast runs once on every node");
    }
    Integer timeout = integer(json, "timeoutMs", 1, (int) Math.min(Integer.MAX_VALUE, limits.maxTimeoutMs()));
    return new JobSpec(code, data, mode, partitions, reduce, timeout == null ? limits.defaultTimeoutMs() : timeout);
  }

  /** JSON has no infinities: a number beyond double range (1e400) would reach the job as the string "Infinity". */
  private static void checkFinite(Object value) {
    if (value instanceof Double d && d.isInfinite() || value instanceof Float f && f.isInfinite()) {
      throw JobError.badRequest("a number in 'data' is beyond the range of a double");
    } else if (value instanceof JsonArray array) {
      array.forEach(JobSpec::checkFinite);
    } else if (value instanceof JsonObject object) {
      object.forEach(e -> checkFinite(e.getValue()));
    }
  }

  private static void checkCodeSize(String field, String code, Limits limits) {
    if (code.getBytes(StandardCharsets.UTF_8).length > limits.maxCodeBytes()) {
      throw new JobError("payload_too_large", "'" + field + "' is over the limit of " + limits.maxCodeBytes() + " bytes");
    }
  }

  private static String string(JsonObject json, String field) {
    Object value = json.getValue(field);
    if (value != null && !(value instanceof String)) {
      throw JobError.badRequest("'" + field + "' must be a string");
    }
    return (String) value;
  }

  private static Integer integer(JsonObject json, String field, int min, int max) {
    Object value = json.getValue(field);
    if (value == null) {
      return null;
    }
    if (!(value instanceof Integer || value instanceof Long)
        || ((Number) value).longValue() < min || ((Number) value).longValue() > max) {
      throw JobError.badRequest("'" + field + "' must be an integer from " + min + " to " + max);
    }
    return ((Number) value).intValue();
  }
}
