package org.disruptor.security;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Random;

/**
 * Seeded generators of hostile input: random bytes, JSON text of every type (written by hand, so numbers
 * like {@code 1e400} and odd escapes survive), values of the wrong type for a job field, and mutations of
 * valid jobs. One seed gives the same inputs on every run.
 */
final class Fuzz {

  /** The fields a job accepts, as {@code JobSpec} names them. */
  static final List<String> JOB_FIELDS = List.of("code", "data", "mode", "partitions", "reduce", "timeoutMs", "type", "ref");

  private static final String[] ODD_STRINGS = {"", " ", "\\u0000", "\\ud800", "\\udfff\\ud800", "\\uffff", "\\\"",
      "\\\\", "\\/", "\\b\\f\\n\\r\\t", "\u00e9\u4e2d\ud83d\ude00", "null", "true", "map", "broadcast", "NaN", "Infinity",
      "__proto__", "constructor", "<script>", "${x}", "' OR 1=1 --", "%s%n", "../../etc/passwd"};
  private static final String[] ODD_NUMBERS = {"0", "-0", "1", "-1", "0.5", "1.0", "1e3", "1E-3", "2147483647", "2147483648",
      "-2147483649", "9007199254740993", "9223372036854775807", "9223372036854775808", "1e18",
      "123456789012345678901234567890", "1.7976931348623157e308", "5e-324", "1e-400"};
  private static final String[] EXTREME_NUMBERS = {"1e400", "-1e400", "1e999999", "-1E+400"};

  /** Characters a mutation inserts: JSON structure, digits, escapes. */
  private static final String INSERTS = "\"{}[],:0-e.\\ntu ";

  private final Random random;

  Fuzz(Random random) {
    this.random = random;
  }

  Random random() {
    return random;
  }

  <T> T pick(List<T> list) {
    return list.get(random.nextInt(list.size()));
  }

  byte[] bytes(int maxLength) {
    byte[] bytes = new byte[random.nextInt(maxLength + 1)];
    random.nextBytes(bytes);
    return bytes;
  }

  /**
   * A random JSON value as text: null, booleans, numbers (ordinary and odd), strings with escapes, arrays and
   * objects up to {@code depth} levels. {@code extreme} also allows numbers beyond double range.
   */
  String value(int depth, boolean extreme) {
    int kind = random.nextInt(depth > 0 ? 8 : 6);
    return switch (kind) {
      case 0 -> "null";
      case 1 -> random.nextBoolean() ? "true" : "false";
      case 2 -> number(extreme);
      case 3, 4 -> string();
      case 5 -> random.nextBoolean() ? "[]" : "{}";
      case 6 -> array(depth, extreme);
      default -> object(depth, extreme);
    };
  }

  String number(boolean extreme) {
    return switch (random.nextInt(extreme ? 4 : 3)) {
      case 0 -> String.valueOf(random.nextInt());
      case 1 -> ODD_NUMBERS[random.nextInt(ODD_NUMBERS.length)];
      case 2 -> String.valueOf(random.nextGaussian() * Math.pow(10, random.nextInt(40) - 20));
      default -> EXTREME_NUMBERS[random.nextInt(EXTREME_NUMBERS.length)];
    };
  }

  /** A JSON string literal (with quotes): printable text, escapes, odd words, or random code points. */
  String string() {
    if (random.nextInt(3) == 0) {
      return "\"" + ODD_STRINGS[random.nextInt(ODD_STRINGS.length)] + "\"";
    }
    StringBuilder text = new StringBuilder("\"");
    int length = random.nextInt(random.nextInt(10) == 0 ? 500 : 20);
    for (int i = 0; i < length; i++) {
      int r = random.nextInt(10);
      if (r < 6) {
        char c = (char) (' ' + random.nextInt(95));
        text.append(c == '"' || c == '\\' ? "\\" : "").append(c);
      } else if (r < 8) {
        text.append(String.format("\\u%04x", random.nextInt(0x10000)));
      } else {
        int codePoint = random.nextInt(0x80, 0x110000);
        text.appendCodePoint(codePoint >= 0xD800 && codePoint <= 0xDFFF ? 0xFFFD : codePoint);
      }
    }
    return text.append('"').toString();
  }

  /** Random text of printable ASCII and other code points (no surrogates), up to {@code maxLength} code points. */
  String text(int maxLength) {
    StringBuilder text = new StringBuilder();
    int length = random.nextInt(maxLength + 1);
    for (int i = 0; i < length; i++) {
      int codePoint = random.nextBoolean() ? ' ' + random.nextInt(95) : random.nextInt(0x80, 0x110000);
      text.appendCodePoint(codePoint >= 0xD800 && codePoint <= 0xDFFF ? 0xFFFD : codePoint);
    }
    return text.toString();
  }

  String array(int depth, boolean extreme) {
    StringBuilder json = new StringBuilder("[");
    int n = random.nextInt(6);
    for (int i = 0; i < n; i++) {
      json.append(i > 0 ? "," : "").append(value(depth - 1, extreme));
    }
    return json.append(']').toString();
  }

  String object(int depth, boolean extreme) {
    StringBuilder json = new StringBuilder("{");
    int n = random.nextInt(5);
    for (int i = 0; i < n; i++) {
      json.append(i > 0 ? "," : "").append(key()).append(':').append(value(depth - 1, extreme));
    }
    return json.append('}').toString();
  }

  /** A key that is not one of the job's fields. */
  private String key() {
    String key;
    do {
      key = string();
    } while (JOB_FIELDS.contains(key.substring(1, key.length() - 1)));
    return key;
  }

  /** A value whose JSON type {@code field} does not accept (never null: null means the field is absent). */
  String wrongValue(String field) {
    while (true) {
      String value = value(2, random.nextInt(4) == 0);
      char c = value.charAt(0);
      boolean ok = switch (field) {
        case "code", "reduce" -> c != '"' && !value.equals("null");
        case "data" -> c != '[' && !value.equals("null");
        case "mode" -> !value.equals("null") && !value.equals("\"map\"") && !value.equals("\"broadcast\"");
        // an integer literal in range would be valid: wrong types are fractions, exponents or non-numbers
        case "partitions", "timeoutMs" -> !value.equals("null") && !value.matches("-?\\d+");
        default -> throw new IllegalArgumentException(field);
      };
      if (ok) {
        return value;
      }
    }
  }

  /** {@code valid} with a random change: a deletion, a duplicated run, a truncation, a swap or a flipped byte. */
  String mutate(String valid) {
    String text = valid;
    int edits = 1 + random.nextInt(3);
    for (int e = 0; e < edits && !text.isEmpty(); e++) {
      int at = random.nextInt(text.length());
      int run = 1 + random.nextInt(Math.min(8, text.length() - at));
      text = switch (random.nextInt(6)) {
        case 0 -> text.substring(0, at) + text.substring(at + run);
        case 1 -> text.substring(0, at + run) + text.substring(at, at + run) + text.substring(at + run);
        case 2 -> text.substring(0, at);
        case 3 -> text.substring(0, at) + INSERTS.charAt(random.nextInt(INSERTS.length())) + text.substring(at);
        case 4 -> text.substring(0, at) + (char) (text.charAt(at) ^ (1 << random.nextInt(7))) + text.substring(at + 1);
        default -> {
          int other = random.nextInt(text.length());
          char[] chars = text.toCharArray();
          char t = chars[at];
          chars[at] = chars[other];
          chars[other] = t;
          yield new String(chars);
        }
      };
    }
    return text;
  }

  /** Whether two decoded JSON values are equal as JavaScript sees them: numbers by double value, objects unordered. */
  static boolean sameJson(Object a, Object b) {
    if (a instanceof Number x && b instanceof Number y) {
      return x.doubleValue() == y.doubleValue();
    }
    if (a instanceof JsonArray x && b instanceof JsonArray y) {
      if (x.size() != y.size()) {
        return false;
      }
      for (int i = 0; i < x.size(); i++) {
        if (!sameJson(x.getValue(i), y.getValue(i))) {
          return false;
        }
      }
      return true;
    }
    if (a instanceof JsonObject x && b instanceof JsonObject y) {
      return x.fieldNames().equals(y.fieldNames())
          && x.fieldNames().stream().allMatch(k -> sameJson(x.getValue(k), y.getValue(k)));
    }
    return java.util.Objects.equals(a, b);
  }

  /** Bytes as text a reader can paste back: printable ASCII as is, the rest as {@code \xNN}. */
  static String show(byte[] bytes, int max) {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < Math.min(bytes.length, max); i++) {
      int b = bytes[i] & 0xff;
      text.append(b >= 0x20 && b < 0x7f && b != '\\' ? String.valueOf((char) b) : String.format("\\x%02x", b));
    }
    return bytes.length > max ? text + "... (" + bytes.length + " bytes)" : text.toString();
  }

  /** {@code text} cut to {@code max} characters, for failure messages. */
  static String shorten(String text, int max) {
    return text.length() <= max ? text : text.substring(0, max) + "... (" + text.length() + " chars)";
  }
}
