package org.disruptor.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.disruptor.cluster.HostPort;

/**
 * One plain HTTP/1.1 request (GET, or PUT/DELETE for modules) over a socket, for the command line: java.net.http's client takes most of a second
 * to start (TLS set-up, selector thread), longer than the whole call should take.
 */
final class HttpGet {

  /** A response: status code and body text. */
  record Response(int status, String body) {
  }

  private HttpGet() {
  }

  static Response get(HostPort to, String path, String token, int timeoutMs) throws IOException {
    return send(to, "GET", path, token, null, timeoutMs);
  }

  /** One request of {@code method}, with {@code body} (null: none) sent as it is. */
  static Response send(HostPort to, String method, String path, String token, byte[] body, int timeoutMs)
      throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(to.host(), to.port()), timeoutMs);
      socket.setSoTimeout(timeoutMs);
      StringBuilder request = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: ")
          .append(to).append("\r\nAccept: application/json\r\nConnection: close\r\n");
      if (token != null && !token.isEmpty()) {
        request.append("Authorization: Bearer ").append(token).append("\r\n");
      }
      if (body != null) {
        request.append("Content-Type: text/javascript; charset=utf-8\r\nContent-Length: ").append(body.length)
            .append("\r\n");
      }
      var out = socket.getOutputStream();
      out.write(request.append("\r\n").toString().getBytes(StandardCharsets.UTF_8));
      if (body != null) {
        out.write(body);
      }
      out.flush();
      return parse(socket.getInputStream().readAllBytes());
    }
  }

  /** Parses a whole response (the server closed the connection after it). */
  static Response parse(byte[] raw) throws IOException {
    int end = indexOf(raw, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII), 0);
    if (end < 0) {
      throw new IOException("the node sent an incomplete HTTP response");
    }
    String head = new String(raw, 0, end, StandardCharsets.ISO_8859_1);
    String[] lines = head.split("\r\n");
    String[] status = lines[0].split(" ", 3);
    if (status.length < 2 || !status[0].startsWith("HTTP/")) {
      throw new IOException("not an HTTP response: " + lines[0]);
    }
    boolean chunked = false;
    for (String line : lines) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("transfer-encoding")
          && line.substring(colon + 1).toLowerCase(java.util.Locale.ROOT).contains("chunked")) {
        chunked = true;
      }
    }
    int start = end + 4;
    byte[] body = chunked ? dechunk(raw, start) : java.util.Arrays.copyOfRange(raw, start, raw.length);
    try {
      return new Response(Integer.parseInt(status[1]), new String(body, StandardCharsets.UTF_8));
    } catch (NumberFormatException e) {
      throw new IOException("not an HTTP response: " + lines[0]);
    }
  }

  private static byte[] dechunk(byte[] raw, int at) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] crlf = "\r\n".getBytes(StandardCharsets.US_ASCII);
    for (;;) {
      int lineEnd = indexOf(raw, crlf, at);
      if (lineEnd < 0) {
        throw new IOException("the node sent an incomplete HTTP response");
      }
      String size = new String(raw, at, lineEnd - at, StandardCharsets.US_ASCII);
      int semicolon = size.indexOf(';');
      int length = Integer.parseInt((semicolon >= 0 ? size.substring(0, semicolon) : size).trim(), 16);
      if (length == 0) {
        return out.toByteArray();
      }
      if (lineEnd + 2 + length > raw.length) {
        throw new IOException("the node sent an incomplete HTTP response");
      }
      out.write(raw, lineEnd + 2, length);
      at = lineEnd + 2 + length + 2;
    }
  }

  static int indexOf(byte[] data, byte[] pattern, int from) {
    outer:
    for (int i = from; i <= data.length - pattern.length; i++) {
      for (int j = 0; j < pattern.length; j++) {
        if (data[i + j] != pattern[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  /** Reads up to the blank line that ends the headers of a response that stays open (a WebSocket upgrade). */
  static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("the node closed the connection during the handshake");
      }
      head.write(b);
      matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    return head.toString(StandardCharsets.ISO_8859_1);
  }
}
