package org.disruptor.job;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.disruptor.sandbox.TypedData;

/**
 * The reduces a job names instead of writing them ({@code "reduce": "flat"}), run natively over the parts'
 * result bytes, never in a sandbox. Each gives what its JavaScript equivalent gives ({@code parts} is the
 * array of part results, in part order):
 * <ul>
 *   <li>{@code flat}: {@code parts.flat()} - array results spliced byte for byte, one copy;</li>
 *   <li>{@code concat}: {@code [].concat(...parts)} when every result is an array, {@code parts.join('')}
 *       when every result is a string;</li>
 *   <li>{@code sum}: {@code parts.flat().reduce((a, b) => a + b, 0)} over numbers;</li>
 *   <li>{@code count}: {@code parts.flat().length};</li>
 *   <li>{@code min} / {@code max}: {@code Math.min(...parts.flat())} over numbers ({@code null} when there is none).</li>
 * </ul>
 * A result it cannot reduce (a string for {@code sum}, say) fails the job with 422 naming the part.
 */
public final class BuiltinReduce {

  public static final Set<String> NAMES = Set.of("flat", "concat", "sum", "count", "min", "max");
  private static final JsonFactory JSON = JsonFactory.builder().build();

  private BuiltinReduce() {
  }

  public static boolean isBuiltin(String reduce) {
    return reduce != null && NAMES.contains(reduce);
  }

  /**
   * Reduces the parts' results (each exactly one JSON value, UTF-8, or a typed array) to the job's result.
   * {@code flat} and {@code concat} join typed arrays of one type into one typed array (one copy); otherwise
   * typed arrays count as the arrays of their numbers.
   */
  public static byte[] apply(String name, List<byte[]> results) {
    if ((name.equals("flat") || name.equals("concat")) && TypedData.allOneType(results)) {
      return TypedData.concat(results);
    }
    List<byte[]> parts = results.stream().map(TypedData::json).toList();
    return switch (name) {
      case "flat" -> flat(parts);
      case "concat" -> concat(parts);
      case "sum" -> number(sum(parts));
      case "count" -> Long.toString(count(parts)).getBytes(StandardCharsets.US_ASCII);
      case "min" -> extreme(parts, true);
      case "max" -> extreme(parts, false);
      default -> throw new IllegalArgumentException("no built-in reduce " + name);
    };
  }

  /** Array results spliced (their elements, in order); any other result is one element, as {@code flat()} does. */
  private static byte[] flat(List<byte[]> parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(size(parts));
    out.write('[');
    boolean first = true;
    for (byte[] part : parts) {
      int from = 0;
      int to = part.length;
      if (isArray(part)) {
        from = skipSpace(part, indexOfFirst(part) + 1);
        to = trimEnd(part, lastIndex(part));
      }
      if (from >= to) {
        continue; // an empty array adds nothing
      }
      if (!first) {
        out.write(',');
      }
      out.write(part, from, to - from);
      first = false;
    }
    out.write(']');
    return out.toByteArray();
  }

  /** Arrays concatenated, or strings joined: the first part's result says which, the others must follow it. */
  private static byte[] concat(List<byte[]> parts) {
    if (parts.isEmpty() || isArray(parts.getFirst())) {
      for (int i = 0; i < parts.size(); i++) {
        if (!isArray(parts.get(i))) {
          throw unsuitable("concat", i, "every part to return an array, or every part a string", parts.get(i));
        }
      }
      return flat(parts);
    }
    StringBuilder joined = new StringBuilder();
    for (int i = 0; i < parts.size(); i++) {
      try (JsonParser p = JSON.createParser(parts.get(i))) {
        if (p.nextToken() != JsonToken.VALUE_STRING) {
          throw unsuitable("concat", i, "every part to return an array, or every part a string", parts.get(i));
        }
        joined.append(p.getText());
      } catch (IOException e) {
        throw unsuitable("concat", i, "JSON", parts.get(i));
      }
    }
    return JsonText.utf8(io.vertx.core.json.Json.encode(joined.toString()));
  }

  /** The numbers of a part: one number, or the numbers of an array (flattened one level, like flat()). */
  private interface NumberSink {
    void accept(double value);
  }

  private static void numbers(String name, int index, byte[] part, NumberSink sink) {
    try (JsonParser p = JSON.createParser(part)) {
      JsonToken first = p.nextToken();
      if (first == JsonToken.START_ARRAY) {
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
          if (!t.isNumeric()) {
            throw unsuitable(name, index, "numbers (or arrays of numbers)", part);
          }
          sink.accept(p.getDoubleValue());
        }
      } else if (first != null && first.isNumeric()) {
        sink.accept(p.getDoubleValue());
      } else {
        throw unsuitable(name, index, "numbers (or arrays of numbers)", part);
      }
    } catch (IOException e) {
      throw unsuitable(name, index, "JSON", part);
    }
  }

  private static double sum(List<byte[]> parts) {
    double[] total = {0};
    for (int i = 0; i < parts.size(); i++) {
      numbers("sum", i, parts.get(i), v -> total[0] += v);
    }
    return total[0];
  }

  private static byte[] extreme(List<byte[]> parts, boolean min) {
    double[] best = {min ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY};
    boolean[] any = {false};
    for (int i = 0; i < parts.size(); i++) {
      numbers(min ? "min" : "max", i, parts.get(i), v -> {
        any[0] = true;
        // Math.min/max semantics: NaN wins, and -0 is below +0
        if (Double.isNaN(v) || Double.isNaN(best[0])) {
          best[0] = Double.NaN;
        } else {
          best[0] = min ? Math.min(best[0], v) : Math.max(best[0], v);
        }
      });
    }
    return any[0] ? number(best[0]) : "null".getBytes(StandardCharsets.US_ASCII);
  }

  /** Elements of array results (top level), plus one for each result that is not an array. */
  private static long count(List<byte[]> parts) {
    long count = 0;
    for (byte[] part : parts) {
      count += isArray(part) ? elements(part) : 1;
    }
    return count;
  }

  /** Top-level elements of an array text, by counting its top-level commas (strings skipped). */
  private static long elements(byte[] array) {
    int start = skipSpace(array, indexOfFirst(array) + 1);
    int end = trimEnd(array, lastIndex(array));
    if (start >= end) {
      return 0;
    }
    long commas = 0;
    int depth = 0;
    for (int i = start; i < end; i++) {
      byte b = array[i];
      if (b == '"') {
        for (i++; array[i] != '"'; i++) {
          if (array[i] == '\\') {
            i++;
          }
        }
      } else if (b == '[' || b == '{') {
        depth++;
      } else if (b == ']' || b == '}') {
        depth--;
      } else if (b == ',' && depth == 0) {
        commas++;
      }
    }
    return commas + 1;
  }

  /** A double as JavaScript's JSON.stringify writes it (NaN and infinities become null, as there). */
  static byte[] number(double value) {
    return jsNumber(value).getBytes(StandardCharsets.US_ASCII);
  }

  /** ECMAScript's Number::toString, for finite values; "null" for the others (JSON has no NaN). */
  static String jsNumber(double value) {
    return org.disruptor.sandbox.JsNumbers.json(value);
  }

  private static JobError unsuitable(String name, int index, String needs, byte[] part) {
    return new JobError("job_error", "reduce \"" + name + "\" needs " + needs + "; part " + index + " returned "
        + kind(part), new JsonObject().put("stage", "reduce").put("partition", index));
  }

  private static String kind(byte[] part) {
    int i = skipSpace(part, 0);
    if (i >= part.length) {
      return "nothing";
    }
    return switch (part[i]) {
      case '[' -> "an array that holds something else";
      case '{' -> "an object";
      case '"' -> "a string";
      case 't', 'f' -> "a boolean";
      case 'n' -> "null";
      default -> "a number";
    };
  }

  private static boolean isArray(byte[] part) {
    int i = indexOfFirst(part);
    return i < part.length && part[i] == '[';
  }

  private static int indexOfFirst(byte[] part) {
    return skipSpace(part, 0);
  }

  private static int lastIndex(byte[] part) {
    int i = part.length;
    while (i > 0 && isSpace(part[i - 1])) {
      i--;
    }
    return i - 1;
  }

  private static int skipSpace(byte[] text, int from) {
    int i = from;
    while (i < text.length && isSpace(text[i])) {
      i++;
    }
    return i;
  }

  private static int trimEnd(byte[] text, int end) {
    int i = end;
    while (i > 0 && isSpace(text[i - 1])) {
      i--;
    }
    return i;
  }

  private static boolean isSpace(byte b) {
    return b == ' ' || b == '\n' || b == '\r' || b == '\t';
  }

  private static int size(List<byte[]> parts) {
    int size = 2 + parts.size();
    for (byte[] part : parts) {
      size += part.length;
    }
    return size;
  }
}
