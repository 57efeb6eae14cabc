package org.disruptor.job;

import java.util.Arrays;

/**
 * A validating JSON scanner over UTF-8 bytes that decodes nothing: it checks that a value is well-formed
 * JSON (structure, strings with their escapes and UTF-8, numbers, literals, the nesting and number-length
 * limits) and reports where things are. A job's {@code data} goes through it instead of a tokenizer: for a
 * million numbers a tokenizer builds a million tokens and locations, this makes one pass over the bytes
 * and keeps the start of each top-level element.
 */
final class JsonScanner {

  /** Malformed JSON at {@code offset} (bytes from the start of the text). */
  static final class Malformed extends RuntimeException {
    final int offset;

    Malformed(String message, int offset) {
      super(message, null, false, false);
      this.offset = offset;
    }
  }

  private final byte[] text;
  private final int end;
  private final int maxDepth;
  private final int maxNumberChars;
  private int at;

  JsonScanner(byte[] text, int from, int end, int maxDepth, int maxNumberChars) {
    this.text = text;
    this.at = from;
    this.end = end;
    this.maxDepth = maxDepth;
    this.maxNumberChars = maxNumberChars;
  }

  int position() {
    return at;
  }

  /** Skips white space; returns the next byte's offset. */
  int skipSpace() {
    while (at < end && isSpace(text[at])) {
      at++;
    }
    return at;
  }

  /** A top-level field's value: where it is, and for an array where each of its elements starts. */
  record Located(int start, int end, int[] elements) {
  }

  /**
   * The array value of field {@code quotedKey} (its name in quotes, as bytes) of the object that is the
   * whole {@code text}, validating everything on the way. Null when the text is an object without such a
   * field, with it twice, with a value that is not an array, or with content after the object.
   */
  static Located field(byte[] text, byte[] quotedKey, int maxDepth, int maxNumberChars) {
    JsonScanner s = new JsonScanner(text, 0, text.length, maxDepth, maxNumberChars);
    s.skipSpace();
    s.expect('{');
    s.skipSpace();
    if (s.peek() == '}') {
      return null;
    }
    Located found = null;
    while (true) {
      s.skipSpace();
      int key = s.at;
      s.string();
      boolean wanted = Arrays.equals(text, key, s.at, quotedKey, 0, quotedKey.length);
      s.skipSpace();
      s.expect(':');
      s.skipSpace();
      if (wanted) {
        if (found != null || s.peek() != '[') {
          return null;
        }
        int start = s.at;
        int[] elements = s.array(2);
        found = new Located(start, s.at, elements);
      } else {
        s.value(1);
      }
      s.skipSpace();
      byte b = s.next();
      if (b == '}') {
        break;
      }
      if (b != ',') {
        throw new Malformed("expected ',' or '}' in an object", s.at - 1);
      }
    }
    return s.skipSpace() == s.end ? found : null;
  }

  /**
   * The element starts of an array beginning at the current position (itself at nesting {@code depth}),
   * which is left after its ']'.
   */
  int[] array(int depth) {
    limitDepth(depth);
    int[] elements = new int[1024];
    int size = 0;
    expect('[');
    skipSpace();
    if (peek() == ']') {
      at++;
      return Arrays.copyOf(elements, 0);
    }
    while (true) {
      skipSpace();
      if (size == elements.length) {
        elements = Arrays.copyOf(elements, Math.max(16, size * 2));
      }
      elements[size++] = at;
      value(depth);
      skipSpace();
      byte b = next();
      if (b == ']') {
        return Arrays.copyOf(elements, size);
      }
      if (b != ',') {
        throw new Malformed("expected ',' or ']' in an array", at - 1);
      }
    }
  }

  /** Validates one value at the current position and moves past it. */
  void value(int depth) {
    skipSpace();
    byte b = peek();
    switch (b) {
      case '{' -> object(depth + 1);
      case '[' -> nested(depth + 1);
      case '"' -> string();
      case 't' -> literal("true");
      case 'f' -> literal("false");
      case 'n' -> literal("null");
      default -> {
        if (b == '-' || (b >= '0' && b <= '9')) {
          number();
        } else {
          throw new Malformed("unexpected character '" + printable(b) + "' where a value belongs", at);
        }
      }
    }
  }

  private void nested(int depth) {
    limitDepth(depth);
    at++;
    skipSpace();
    if (peek() == ']') {
      at++;
      return;
    }
    while (true) {
      value(depth);
      skipSpace();
      byte b = next();
      if (b == ']') {
        return;
      }
      if (b != ',') {
        throw new Malformed("expected ',' or ']' in an array", at - 1);
      }
    }
  }

  private void object(int depth) {
    limitDepth(depth);
    at++;
    skipSpace();
    if (peek() == '}') {
      at++;
      return;
    }
    while (true) {
      skipSpace();
      if (peek() != '"') {
        throw new Malformed("expected a field name in quotes", at);
      }
      string();
      skipSpace();
      expect(':');
      value(depth);
      skipSpace();
      byte b = next();
      if (b == '}') {
        return;
      }
      if (b != ',') {
        throw new Malformed("expected ',' or '}' in an object", at - 1);
      }
    }
  }

  private void limitDepth(int depth) {
    if (depth > maxDepth) {
      throw new Malformed("nesting", at);
    }
  }

  /** A string: no raw control characters, valid escapes, well-formed UTF-8. */
  void string() {
    expect('"');
    while (true) {
      if (at >= end) {
        throw new Malformed("a string is not closed", at);
      }
      int b = text[at] & 0xff;
      if (b == '"') {
        at++;
        return;
      }
      if (b == '\\') {
        escape();
      } else if (b < 0x20) {
        throw new Malformed("a control character inside a string must be escaped", at);
      } else if (b < 0x80) {
        at++;
      } else {
        utf8(b);
      }
    }
  }

  private void escape() {
    at++;
    byte e = next();
    switch (e) {
      case '"', '\\', '/', 'b', 'f', 'n', 'r', 't' -> { }
      case 'u' -> {
        for (int i = 0; i < 4; i++) {
          if (Character.digit(next(), 16) < 0) {
            throw new Malformed("a \\u escape needs four hex digits", at - 1);
          }
        }
      }
      default -> throw new Malformed("invalid escape in a string", at - 1);
    }
  }

  /** One multi-byte UTF-8 sequence starting with {@code lead} (RFC 3629: no overlongs, no surrogates). */
  private void utf8(int lead) {
    int start = at;
    int length;
    int min;
    if (lead >= 0xc2 && lead <= 0xdf) {
      length = 2;
      min = 0x80;
    } else if (lead >= 0xe0 && lead <= 0xef) {
      length = 3;
      min = 0x800;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      length = 4;
      min = 0x10000;
    } else {
      throw new Malformed("the text is not valid UTF-8", start);
    }
    if (start + length > end) {
      throw new Malformed("the text is not valid UTF-8", start);
    }
    int code = lead & (0xff >> (length + 1));
    for (int i = 1; i < length; i++) {
      int c = text[start + i] & 0xff;
      if ((c & 0xc0) != 0x80) {
        throw new Malformed("the text is not valid UTF-8", start);
      }
      code = (code << 6) | (c & 0x3f);
    }
    if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
      throw new Malformed("the text is not valid UTF-8", start);
    }
    at = start + length;
  }

  private void number() {
    int start = at;
    if (peek() == '-') {
      at++;
    }
    if (at < end && text[at] == '0') {
      at++;
    } else if (at < end && text[at] >= '1' && text[at] <= '9') {
      digits();
    } else {
      throw new Malformed("a number needs a digit", at);
    }
    if (at < end && text[at] == '.') {
      at++;
      if (at >= end || !isDigit(text[at])) {
        throw new Malformed("a number needs a digit after '.'", at);
      }
      digits();
    }
    if (at < end && (text[at] == 'e' || text[at] == 'E')) {
      at++;
      if (at < end && (text[at] == '+' || text[at] == '-')) {
        at++;
      }
      if (at >= end || !isDigit(text[at])) {
        throw new Malformed("a number needs a digit in its exponent", at);
      }
      digits();
    }
    if (at - start > maxNumberChars) {
      throw new Malformed("number length", start);
    }
  }

  private void digits() {
    while (at < end && isDigit(text[at])) {
      at++;
    }
  }

  private void literal(String word) {
    for (int i = 0; i < word.length(); i++) {
      if (at >= end || text[at] != word.charAt(i)) {
        throw new Malformed("unexpected characters where '" + word + "' was expected", at);
      }
      at++;
    }
  }

  private void expect(char c) {
    if (at >= end || text[at] != c) {
      throw new Malformed("expected '" + c + "'", at);
    }
    at++;
  }

  private byte peek() {
    if (at >= end) {
      throw new Malformed("the JSON ends too early", at);
    }
    return text[at];
  }

  private byte next() {
    byte b = peek();
    at++;
    return b;
  }

  private static boolean isDigit(byte b) {
    return b >= '0' && b <= '9';
  }

  static boolean isSpace(byte b) {
    return b == ' ' || b == '\n' || b == '\r' || b == '\t';
  }

  private static String printable(byte b) {
    return b >= 0x20 && b < 0x7f ? String.valueOf((char) b) : String.format("\\x%02x", b & 0xff);
  }
}
