package org.disruptor.sandbox;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** The JS both engines run in every fresh context before job code (prelude.js, next to this class). */
final class Prelude {

  static final String NAME = "disruptor-prelude";
  static final String TEXT = load();

  private Prelude() {
  }

  private static String load() {
    try (InputStream in = Prelude.class.getResourceAsStream("prelude.js")) {
      if (in == null) {
        throw new IllegalStateException("prelude.js missing from the class path");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
