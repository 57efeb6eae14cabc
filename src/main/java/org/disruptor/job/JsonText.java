package org.disruptor.job;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;

/**
 * JSON text on its way out of the node. A Java string may hold a lone surrogate (JavaScript strings may,
 * and JSON's {@code "\ud800"} decodes to one); UTF-8 cannot encode it and Java writes {@code '?'}
 * instead. In JSON text produced by an encoder such a character can only sit inside a string literal, so
 * writing it as its {@code \\uXXXX} escape keeps the text valid and the character intact.
 */
public final class JsonText {

  private JsonText() {
  }

  /** Whether {@code text} holds no lone surrogate (so UTF-8 encodes it exactly). */
  public static boolean wellFormed(CharSequence text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
          i++;
          continue;
        }
        return false;
      }
      if (Character.isLowSurrogate(c)) {
        return false;
      }
    }
    return true;
  }

  /** Encoded JSON text with every lone surrogate written as its {@code \\uXXXX} escape. */
  public static String escapeLoneSurrogates(String json) {
    if (wellFormed(json)) {
      return json;
    }
    StringBuilder out = new StringBuilder(json.length() + 16);
    for (int i = 0; i < json.length(); i++) {
      char c = json.charAt(i);
      boolean pair = Character.isHighSurrogate(c) && i + 1 < json.length()
          && Character.isLowSurrogate(json.charAt(i + 1));
      if (pair) {
        out.append(c).append(json.charAt(++i));
      } else if (Character.isSurrogate(c)) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  /** Encoded JSON text as UTF-8 bytes, lone surrogates escaped. */
  public static byte[] utf8(String json) {
    return escapeLoneSurrogates(json).getBytes(StandardCharsets.UTF_8);
  }

  /** Encoded JSON text as a buffer, lone surrogates escaped. */
  public static Buffer buffer(String json) {
    return Buffer.buffer(utf8(json));
  }
}
