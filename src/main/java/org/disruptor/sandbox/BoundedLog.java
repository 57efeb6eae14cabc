package org.disruptor.sandbox;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A part's console lines up to a byte budget (UTF-8 bytes of the lines' text, one more per line); what
 * exceeds it is dropped and marked. The prelude sends each line as a JSON string literal, so lone surrogates
 * arrive as escapes and come out of {@link #lines} as the characters they stand for. GraalJS writes the
 * lines to this stream; the V8 runner hands them to {@link #append}.
 */
final class BoundedLog extends OutputStream {

  static final String TRUNCATED = "... (log truncated)";
  private final int limit;
  private final List<String> lines = new ArrayList<>();
  private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
  private int bytes;
  private boolean truncated;

  BoundedLog(int limit) {
    this.limit = limit;
  }

  /** One line as the prelude sent it (a JSON string literal; anything else is kept as it is). */
  synchronized void append(String literal) {
    if (truncated) {
      return;
    }
    String text = JsonCheck.unquote(literal);
    String line = text != null ? text : literal;
    int size = utf8Length(line) + 1;
    if (bytes + size > limit) {
      truncated = true;
      return;
    }
    bytes += size;
    lines.add(line);
  }

  @Override
  public synchronized void write(int b) {
    if (b == '\n') {
      append(partial.toString(StandardCharsets.UTF_8));
      partial.reset();
    } else if (!truncated && partial.size() <= limit) {
      partial.write(b);
    }
  }

  @Override
  public synchronized void write(byte[] b, int off, int len) {
    for (int i = off; i < off + len; i++) {
      write(b[i]);
    }
  }

  synchronized List<String> lines() {
    List<String> copy = new ArrayList<>(lines);
    if (partial.size() > 0 && !truncated) {
      copy.add(partial.toString(StandardCharsets.UTF_8));
    }
    if (truncated) {
      copy.add(TRUNCATED);
    }
    return copy;
  }

  private static int utf8Length(String s) {
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      n += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isHighSurrogate(c) && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1)) ? 2 : 3; // a pair counts 2 + 2
    }
    return n;
  }
}
