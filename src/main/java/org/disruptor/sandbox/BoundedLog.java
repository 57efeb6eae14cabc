package org.disruptor.sandbox;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Captures a part's console output up to a byte budget; what exceeds it is dropped and marked. */
final class BoundedLog extends OutputStream {

  static final String TRUNCATED = "... (log truncated)";
  private final int limit;
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private boolean truncated;

  BoundedLog(int limit) {
    this.limit = limit;
  }

  @Override
  public synchronized void write(int b) {
    if (bytes.size() < limit) {
      bytes.write(b);
    } else {
      truncated = true;
    }
  }

  @Override
  public synchronized void write(byte[] b, int off, int len) {
    int room = limit - bytes.size();
    if (len > room) {
      truncated = true;
    }
    bytes.write(b, off, Math.max(0, Math.min(len, room)));
  }

  synchronized List<String> lines() {
    List<String> lines = new ArrayList<>();
    String text = bytes.toString(StandardCharsets.UTF_8);
    if (!text.isEmpty()) {
      for (String line : text.split("\n", -1)) {
        lines.add(line);
      }
      if (text.endsWith("\n")) {
        lines.removeLast();
      }
    }
    if (truncated) {
      lines.add(TRUNCATED);
    }
    return lines;
  }
}
