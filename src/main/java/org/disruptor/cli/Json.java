package org.disruptor.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The command line's own small JSON reader and writer, so a CLI run loads no JSON library (start time is
 * most of a CLI call). Objects read as {@link LinkedHashMap}s, arrays as {@link List}s, numbers as
 * {@link Num} holding their text as sent, so a result prints exactly as the node wrote it.
 */
final class Json {

  /** A JSON number, kept as its text. */
  record Num(String text) {
    long longValue() {
      return (long) Double.parseDouble(text);
    }

    @Override
    public String toString() {
      return text;
    }
  }

  /** Malformed JSON, with where it went wrong. */
  static final class ParseException extends Exception {
    ParseException(String message) {
      super(message);
    }
  }

  private final String text;
  private int at;

  private Json(String text) {
    this.text = text;
  }

  static Object parse(String text) throws ParseException {
    Json json = new Json(text);
    json.space();
    Object value = json.value(0);
    json.space();
    if (json.at < text.length()) {
      throw json.error("unexpected text after the value");
    }
    return value;
  }

  /** {@code text} when it is one JSON value, so it can be sent as it is; throws with where it is not. */
  static String validated(String text) throws ParseException {
    parse(text);
    return text;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> object(Object value) {
    return value instanceof Map<?, ?> map ? (Map<String, Object>) map : Map.of();
  }

  @SuppressWarnings("unchecked")
  static List<Object> array(Object value) {
    return value instanceof List<?> list ? (List<Object>) list : List.of();
  }

  private Object value(int depth) throws ParseException {
    if (depth > 512) {
      throw error("nested too deeply");
    }
    if (at >= text.length()) {
      throw error("unexpected end");
    }
    char c = text.charAt(at);
    return switch (c) {
      case '{' -> object(depth);
      case '[' -> array(depth);
      case '"' -> string();
      case 't' -> literal("true", Boolean.TRUE);
      case 'f' -> literal("false", Boolean.FALSE);
      case 'n' -> literal("null", null);
      default -> {
        if (c == '-' || (c >= '0' && c <= '9')) {
          yield number();
        }
        throw error("unexpected character '" + c + "'");
      }
    };
  }

  private Map<String, Object> object(int depth) throws ParseException {
    Map<String, Object> map = new LinkedHashMap<>();
    at++;
    space();
    if (peek() == '}') {
      at++;
      return map;
    }
    for (;;) {
      space();
      if (peek() != '"') {
        throw error("expected a field name");
      }
      String key = string();
      space();
      expect(':');
      space();
      map.put(key, value(depth + 1));
      space();
      char c = next();
      if (c == '}') {
        return map;
      }
      if (c != ',') {
        throw error("expected ',' or '}'");
      }
    }
  }

  private List<Object> array(int depth) throws ParseException {
    List<Object> list = new ArrayList<>();
    at++;
    space();
    if (peek() == ']') {
      at++;
      return list;
    }
    for (;;) {
      space();
      list.add(value(depth + 1));
      space();
      char c = next();
      if (c == ']') {
        return list;
      }
      if (c != ',') {
        throw error("expected ',' or ']'");
      }
    }
  }

  private String string() throws ParseException {
    at++;
    StringBuilder out = new StringBuilder();
    for (;;) {
      if (at >= text.length()) {
        throw error("unterminated string");
      }
      char c = text.charAt(at++);
      if (c == '"') {
        return out.toString();
      }
      if (c < 0x20) {
        throw error("control character in a string");
      }
      if (c != '\\') {
        out.append(c);
        continue;
      }
      char e = next();
      switch (e) {
        case '"', '\\', '/' -> out.append(e);
        case 'b' -> out.append('\b');
        case 'f' -> out.append('\f');
        case 'n' -> out.append('\n');
        case 'r' -> out.append('\r');
        case 't' -> out.append('\t');
        case 'u' -> {
          if (at + 4 > text.length()) {
            throw error("bad \\u escape");
          }
          try {
            out.append((char) Integer.parseInt(text.substring(at, at + 4), 16));
          } catch (NumberFormatException x) {
            throw error("bad \\u escape");
          }
          at += 4;
        }
        default -> throw error("bad escape '\\" + e + "'");
      }
    }
  }

  private Num number() throws ParseException {
    int start = at;
    if (peek() == '-') {
      at++;
    }
    if (!digits()) {
      throw error("malformed number");
    }
    if (peek() == '.') {
      at++;
      if (!digits()) {
        throw error("malformed number");
      }
    }
    if (peek() == 'e' || peek() == 'E') {
      at++;
      if (peek() == '+' || peek() == '-') {
        at++;
      }
      if (!digits()) {
        throw error("malformed number");
      }
    }
    return new Num(text.substring(start, at));
  }

  private boolean digits() {
    int start = at;
    while (at < text.length() && text.charAt(at) >= '0' && text.charAt(at) <= '9') {
      at++;
    }
    return at > start;
  }

  private Object literal(String word, Object value) throws ParseException {
    if (!text.startsWith(word, at)) {
      throw error("unexpected character '" + text.charAt(at) + "'");
    }
    at += word.length();
    return value;
  }

  private void space() {
    while (at < text.length() && " \t\r\n".indexOf(text.charAt(at)) >= 0) {
      at++;
    }
  }

  private char peek() {
    return at < text.length() ? text.charAt(at) : '\0';
  }

  private char next() throws ParseException {
    if (at >= text.length()) {
      throw error("unexpected end");
    }
    return text.charAt(at++);
  }

  private void expect(char c) throws ParseException {
    if (next() != c) {
      at--;
      throw error("expected '" + c + "'");
    }
  }

  private ParseException error(String what) {
    int line = 1;
    int column = 1;
    for (int i = 0; i < Math.min(at, text.length()); i++) {
      if (text.charAt(i) == '\n') {
        line++;
        column = 1;
      } else {
        column++;
      }
    }
    return new ParseException(what + " at line " + line + ", column " + column);
  }

  /** Compact JSON text of a value read by {@link #parse} (or built of the same types). */
  static String write(Object value) {
    StringBuilder out = new StringBuilder();
    write(out, value, null, "");
    return out.toString();
  }

  /**
   * JSON text for people: a top-level object one field a line, and below it whatever fits in 100 columns on
   * one line; a long array of plain values is packed several to a line.
   */
  static String pretty(Object value) {
    StringBuilder out = new StringBuilder();
    if (value instanceof Map<?, ?> map && !map.isEmpty()) {
      multiline(out, value, "  ", "");
    } else {
      write(out, value, "  ", "");
    }
    return out.toString();
  }

  private static void write(StringBuilder out, Object value, String step, String indent) {
    if (step != null && (value instanceof Map<?, ?> || value instanceof List<?>)) {
      String line = spaced(value);
      if (indent.length() + line.length() <= 100) {
        out.append(line);
      } else if (value instanceof List<?> list && plain(list)) {
        packed(out, list, indent + step, indent);
      } else {
        multiline(out, value, step, indent);
      }
      return;
    }
    if (value instanceof Map<?, ?> map) {
      out.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        out.append(first ? "" : ",");
        first = false;
        quote(out, String.valueOf(entry.getKey()));
        out.append(':');
        write(out, entry.getValue(), null, "");
      }
      out.append('}');
    } else if (value instanceof List<?> list) {
      out.append('[');
      for (int i = 0; i < list.size(); i++) {
        out.append(i == 0 ? "" : ",");
        write(out, list.get(i), null, "");
      }
      out.append(']');
    } else if (value instanceof String s) {
      quote(out, s);
    } else {
      out.append(value == null ? "null" : value.toString());
    }
  }

  /** One item (or field) a line, each indented one step deeper. */
  private static void multiline(StringBuilder out, Object value, String step, String indent) {
    String inner = indent + step;
    boolean first = true;
    if (value instanceof Map<?, ?> map) {
      out.append('{');
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        out.append(first ? "\n" : ",\n").append(inner);
        first = false;
        quote(out, String.valueOf(entry.getKey()));
        out.append(": ");
        write(out, entry.getValue(), step, inner);
      }
      out.append('\n').append(indent).append('}');
    } else {
      out.append('[');
      for (Object item : (List<?>) value) {
        out.append(first ? "\n" : ",\n").append(inner);
        first = false;
        write(out, item, step, inner);
      }
      out.append('\n').append(indent).append(']');
    }
  }

  /** The value on one line, with a space after each comma and colon. */
  private static String spaced(Object value) {
    if (value instanceof Map<?, ?> map) {
      StringBuilder out = new StringBuilder("{");
      boolean first = true;
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        out.append(first ? "" : ", ");
        first = false;
        quote(out, String.valueOf(entry.getKey()));
        out.append(": ").append(spaced(entry.getValue()));
      }
      return out.append('}').toString();
    }
    if (value instanceof List<?> list) {
      StringBuilder out = new StringBuilder("[");
      for (int i = 0; i < list.size(); i++) {
        out.append(i == 0 ? "" : ", ").append(spaced(list.get(i)));
      }
      return out.append(']').toString();
    }
    return write(value);
  }

  /** A long array of plain values, several to a line. */
  private static void packed(StringBuilder out, List<?> list, String inner, String indent) {
    out.append('[');
    int lineStart = out.length();
    for (int i = 0; i < list.size(); i++) {
      String item = write(list.get(i)) + (i < list.size() - 1 ? "," : "");
      if (i == 0 || out.length() - lineStart + item.length() + 1 > 100) {
        out.append('\n');
        lineStart = out.length();
        out.append(inner);
      } else {
        out.append(' ');
      }
      out.append(item);
    }
    out.append('\n').append(indent).append(']');
  }

  private static boolean plain(List<?> list) {
    return list.stream().noneMatch(v -> v instanceof Map<?, ?> || v instanceof List<?>);
  }

  static void quote(StringBuilder out, String s) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}
