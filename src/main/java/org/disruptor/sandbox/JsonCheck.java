package org.disruptor.sandbox;

import java.nio.charset.StandardCharsets;

/**
 * Small JSON text utilities for text that came out of job code and is about to be spliced into answers and
 * events: {@link #isOneValue} checks that bytes are exactly one JSON value (RFC 8259, whitespace around it
 * allowed, nothing else), {@link #quote} writes a string as a JSON literal that keeps lone surrogates as
 * {@code \}{@code uXXXX} escapes (a UTF-8 encoder would turn them into {@code ?}), {@link #unquote} reads one back.
 * No recursion: nesting depth costs one byte of heap per level.
 */
public final class JsonCheck {

  private JsonCheck() {
  }

  /** Whether {@code json} is exactly one well-formed JSON value in UTF-8. */
  public static boolean isOneValue(byte[] json) {
    return isOneValue(json, 0, json.length);
  }

  /** Whether {@code json[from, to)} is exactly one well-formed JSON value in UTF-8. */
  public static boolean isOneValue(byte[] json, int from, int to) {
    return new Scanner(json, from, to).document();
  }

  /** {@code text} as a JSON string literal: quotes, control characters and lone surrogates escaped. */
  public static String quote(String text) {
    StringBuilder out = new StringBuilder(text.length() + 2).append('"');
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        default -> {
          if (c < 0x20 || c == 0x2028 || c == 0x2029) {
            hex(out, c);
          } else if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
            out.append(c).append(text.charAt(++i));
          } else if (Character.isSurrogate(c)) {
            hex(out, c);
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }

  private static void hex(StringBuilder out, char c) {
    out.append("\\u");
    String h = Integer.toHexString(c);
    out.append("0".repeat(4 - h.length())).append(h);
  }

  /**
   * The string a JSON string literal stands for ({@code \}{@code uXXXX} escapes of lone surrogates give lone
   * surrogates back); null when {@code literal} is not exactly one string literal.
   */
  public static String unquote(String literal) {
    int n = literal.length();
    if (n < 2 || literal.charAt(0) != '"' || literal.charAt(n - 1) != '"') {
      return null;
    }
    StringBuilder out = new StringBuilder(n);
    for (int i = 1; i < n - 1; i++) {
      char c = literal.charAt(i);
      if (c == '"' || c < 0x20) {
        return null;
      }
      if (c != '\\') {
        out.append(c);
        continue;
      }
      if (++i >= n - 1) {
        return null;
      }
      switch (literal.charAt(i)) {
        case '"' -> out.append('"');
        case '\\' -> out.append('\\');
        case '/' -> out.append('/');
        case 'b' -> out.append('\b');
        case 'f' -> out.append('\f');
        case 'n' -> out.append('\n');
        case 'r' -> out.append('\r');
        case 't' -> out.append('\t');
        case 'u' -> {
          if (i + 4 > n - 2) {
            return null;
          }
          int code = 0;
          for (int k = 1; k <= 4; k++) {
            int d = Character.digit(literal.charAt(i + k), 16);
            if (d < 0) {
              return null;
            }
            code = code * 16 + d;
          }
          out.append((char) code);
          i += 4;
        }
        default -> {
          return null;
        }
      }
    }
    return out.toString();
  }

  /** A single-pass validator over UTF-8 bytes with an explicit stack of open containers. */
  private static final class Scanner {
    private final byte[] b;
    private final int end;
    private int i;
    private byte[] stack = new byte[32];
    private int depth;

    Scanner(byte[] b, int from, int to) {
      this.b = b;
      this.i = from;
      this.end = to;
    }

    boolean document() {
      skipSpace();
      if (!value()) {
        return false;
      }
      skipSpace();
      return i == end;
    }

    /** One value; containers are walked with the stack instead of recursion. */
    private boolean value() {
      while (true) {
        skipSpace();
        if (i >= end) {
          return false;
        }
        byte c = b[i];
        boolean scalar;
        if (c == '{' || c == '[') {
          i++;
          skipSpace();
          if (i < end && b[i] == (c == '{' ? '}' : ']')) {
            i++;
            scalar = true;
          } else {
            push(c);
            if (c == '{' && !key()) {
              return false;
            }
            continue;
          }
        } else {
          scalar = c == '"' ? string() : c == 't' ? word("true") : c == 'f' ? word("false") : c == 'n' ? word("null")
              : number();
        }
        if (!scalar) {
          return false;
        }
        // after a value: close containers or move to the next element
        while (true) {
          if (depth == 0) {
            return true;
          }
          skipSpace();
          if (i >= end) {
            return false;
          }
          byte open = stack[depth - 1];
          byte next = b[i++];
          if (next == ',') {
            if (open == '{' && !key()) {
              return false;
            }
            break;
          }
          if (next != (open == '{' ? '}' : ']')) {
            return false;
          }
          depth--;
        }
      }
    }

    /** An object key and its colon. */
    private boolean key() {
      skipSpace();
      if (i >= end || b[i] != '"' || !string()) {
        return false;
      }
      skipSpace();
      return i < end && b[i++] == ':';
    }

    private void push(byte c) {
      if (depth == stack.length) {
        stack = java.util.Arrays.copyOf(stack, depth * 2);
      }
      stack[depth++] = c;
    }

    private void skipSpace() {
      while (i < end && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t')) {
        i++;
      }
    }

    private boolean word(String w) {
      if (end - i < w.length()) {
        return false;
      }
      for (int k = 0; k < w.length(); k++) {
        if (b[i + k] != w.charAt(k)) {
          return false;
        }
      }
      i += w.length();
      return true;
    }

    private boolean number() {
      int start = i;
      if (i < end && b[i] == '-') {
        i++;
      }
      if (i >= end) {
        return false;
      }
      if (b[i] == '0') {
        i++;
      } else if (b[i] >= '1' && b[i] <= '9') {
        while (i < end && b[i] >= '0' && b[i] <= '9') {
          i++;
        }
      } else {
        return false;
      }
      if (i < end && b[i] == '.') {
        i++;
        if (!digits()) {
          return false;
        }
      }
      if (i < end && (b[i] == 'e' || b[i] == 'E')) {
        i++;
        if (i < end && (b[i] == '+' || b[i] == '-')) {
          i++;
        }
        if (!digits()) {
          return false;
        }
      }
      return i > start;
    }

    private boolean digits() {
      int start = i;
      while (i < end && b[i] >= '0' && b[i] <= '9') {
        i++;
      }
      return i > start;
    }

    /** A string literal: escapes checked, raw control characters refused, UTF-8 sequences well-formed. */
    private boolean string() {
      i++; // opening quote
      while (i < end) {
        int c = b[i] & 0xff;
        if (c == '"') {
          i++;
          return true;
        }
        if (c < 0x20) {
          return false;
        }
        if (c == '\\') {
          if (++i >= end) {
            return false;
          }
          byte e = b[i];
          if (e == 'u') {
            if (end - i < 5) {
              return false;
            }
            for (int k = 1; k <= 4; k++) {
              if (Character.digit(b[i + k], 16) < 0) {
                return false;
              }
            }
            i += 5;
          } else if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' || e == 'r' || e == 't') {
            i++;
          } else {
            return false;
          }
        } else if (c < 0x80) {
          i++;
        } else if (!utf8(c)) {
          return false;
        }
      }
      return false;
    }

    /** One multi-byte UTF-8 sequence starting with {@code c}, no overlongs, no encoded surrogates. */
    private boolean utf8(int c) {
      int n;
      int min;
      if (c >= 0xc2 && c <= 0xdf) {
        n = 1;
        min = 0x80;
      } else if (c >= 0xe0 && c <= 0xef) {
        n = 2;
        min = 0x800;
      } else if (c >= 0xf0 && c <= 0xf4) {
        n = 3;
        min = 0x10000;
      } else {
        return false;
      }
      if (end - i <= n) {
        return false;
      }
      int code = c & (0x3f >> n);
      for (int k = 1; k <= n; k++) {
        int cont = b[i + k] & 0xff;
        if ((cont & 0xc0) != 0x80) {
          return false;
        }
        code = (code << 6) | (cont & 0x3f);
      }
      if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
        return false;
      }
      i += n + 1;
      return true;
    }
  }

  /** {@link #isOneValue} for text already in a String (tests, small values). */
  public static boolean isOneValue(String json) {
    return isOneValue(json.getBytes(StandardCharsets.UTF_8));
  }
}
