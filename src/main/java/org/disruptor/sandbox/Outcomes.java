package org.disruptor.sandbox;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns what the prelude's runner answered into a result or a {@link SandboxException}, the same way for
 * both engines: error codes, messages in plain words (no engine or host internals, no internal source
 * names) and the line/column of the job's code where it failed.
 */
final class Outcomes {

  /** The name job code is evaluated under; it appears in stack traces, which are parsed and never shown. */
  static final String SOURCE_NAME = "job";
  private static final Pattern FRAME = Pattern.compile("^\\s+at (?:.*\\()?" + SOURCE_NAME + ":(\\d+):(\\d+)\\)?\\s*$",
      Pattern.MULTILINE);
  /** A location prefix some engines put in syntax error messages ("job:2:13 Expected ..."). */
  private static final Pattern LOCATION = Pattern.compile("(?:<eval>|" + SOURCE_NAME + "(?:\\.js)?):\\d+(?::\\d+)?:?\\s*");

  private Outcomes() {
  }

  /** The part's JSON result bytes, or the failure the outcome stands for. */
  static byte[] result(String outcome, int maxResultBytes, long memoryLimitMb, List<String> logs) {
    if (outcome == null || outcome.isEmpty()) {
      throw new SandboxException("job_error", "the part ended without a result", null, null, logs);
    }
    String rest = outcome.substring(1);
    switch (outcome.charAt(0)) {
      case 'o' -> {
        byte[] json = rest.getBytes(StandardCharsets.UTF_8);
        if (json.length > maxResultBytes) {
          throw new SandboxException("output_limit", "the part's result is " + json.length
              + " bytes of JSON, over the limit of " + maxResultBytes, null, null, logs);
        }
        if (!JsonCheck.isOneValue(json)) {
          throw new SandboxException("job_error", "the part's result is not one JSON value", null, null, logs);
        }
        return json;
      }
      case 'f' -> throw new SandboxException("not_a_function",
          "the job's code must evaluate to a function (input, ctx) => ..., but it evaluated to " + article(rest),
          null, null, logs);
      case 'p' -> throw new SandboxException("job_error", "the job's promise never settled", null, null, logs);
      case 'e' -> {
        String[] fields = rest.split("\n", -1);
        String name = fields.length > 1 ? JsonCheck.unquote(fields[1]) : "";
        String message = fields.length > 2 ? JsonCheck.unquote(fields[2]) : "";
        String stack = fields.length > 3 ? JsonCheck.unquote(fields[3]) : "";
        throw thrown(name == null ? "" : name, message == null ? "" : message, stack == null ? "" : stack,
            memoryLimitMb, logs);
      }
      default -> throw new SandboxException("job_error", "the part ended without a result", null, null, logs);
    }
  }

  /**
   * The part's result when its outcome is a typed array ('b' + its type): {@code length} bytes of elements
   * that {@code fill} writes into the tagged result from {@link TypedData#HEADER}.
   */
  static byte[] typed(String outcome, int length, int maxResultBytes, List<String> logs,
      java.util.function.Consumer<byte[]> fill) {
    TypedData.Dtype dtype = TypedData.Dtype.ofJs(outcome.substring(1));
    if (dtype == null) {
      throw new SandboxException("job_error", "the part ended without a result", null, null, logs);
    }
    if (length > maxResultBytes) {
      throw new SandboxException("output_limit", "the part's result is a " + dtype.js() + " of " + length
          + " bytes, over the limit of " + maxResultBytes, null, null, logs);
    }
    byte[] out = TypedData.allocate(dtype, length);
    fill.accept(out);
    return out;
  }

  /** What job code threw, classified: engine limits reached from inside JS get their own codes. */
  static SandboxException thrown(String name, String message, String stack, long memoryLimitMb, List<String> logs) {
    Integer line = null;
    Integer column = null;
    Matcher frame = FRAME.matcher(stack);
    if (frame.find()) {
      line = Integer.valueOf(frame.group(1));
      column = Integer.valueOf(frame.group(2));
    }
    String text = name.isEmpty() ? "the part threw " + message : name + ": " + message;
    if (message.contains("Maximum call stack size exceeded")) {
      return new SandboxException("stack_limit", "the part exceeded the stack depth limit (" + text + ")",
          line, column, logs);
    }
    if (name.equals("RangeError") && (message.contains("Array buffer allocation failed")
        || message.contains("Invalid string length") || message.contains("Invalid typed array length")
        || message.contains("Array buffer length") || message.contains("out of memory"))) {
      return new SandboxException("memory_limit", stopMessage("memory_limit", memoryLimitMb) + " (" + text + ")",
          line, column, logs);
    }
    return new SandboxException("job_error", text, line, column, logs);
  }

  /** A syntax error's message without the engine's location prefix and source excerpt. */
  static String syntaxMessage(String message) {
    String first = message.lines().findFirst().orElse("").trim();
    first = LOCATION.matcher(first).replaceAll("");
    return first.startsWith("SyntaxError") ? first : "SyntaxError: " + first;
  }

  /** The message of a part stopped for {@code reason}. */
  static String stopMessage(String reason, long memoryLimitMb) {
    return switch (reason) {
      case "time_limit" -> "the part exceeded its CPU time limit";
      case "memory_limit" -> "the part exceeded its memory budget of " + memoryLimitMb + " MiB";
      case "timed_out" -> "the job's deadline passed while the part ran";
      case "cancelled" -> "the part was cancelled";
      default -> "the part was stopped (" + reason + ")";
    };
  }

  static SandboxException stopped(String reason, long memoryLimitMb, List<String> logs) {
    return new SandboxException(reason, stopMessage(reason, memoryLimitMb), null, null, logs);
  }

  private static String article(String type) {
    return switch (type) {
      case "null" -> "null";
      case "undefined" -> "undefined";
      case "object" -> "an object";
      default -> "a " + type;
    };
  }
}
