package org.disruptor.security;

import io.vertx.core.json.JsonObject;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A bare HTTP/1.1 client on a socket. It sends exactly the bytes a test gives (bad UTF-8, lying lengths,
 * bodies over the limit) while it reads, so a server that answers early is heard, and it tells an answer
 * apart from a connection closed without one and from silence.
 */
final class RawHttp {

  /** How an exchange ended. */
  enum Outcome { ANSWERED, CLOSED_WITHOUT_ANSWER, NO_ANSWER_IN_TIME }

  /** What came back: the outcome and, when answered, the status, headers (lower-case names) and body. */
  record Answer(Outcome outcome, int status, Map<String, String> headers, byte[] body, long millis) {

    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }

    /** The body as a JSON object, or null when it is not one. */
    JsonObject json() {
      try {
        return new JsonObject(text());
      } catch (RuntimeException e) {
        return null;
      }
    }

    @Override
    public String toString() {
      return outcome == Outcome.ANSWERED ? status + " " + headers + " " + Fuzz.shorten(text(), 400) + " (" + millis + " ms)"
          : outcome + " after " + millis + " ms";
    }
  }

  private RawHttp() {
  }

  /** A request with {@code Content-Length} (unless {@code body} is null) and {@code Connection: close}. */
  static byte[] request(String method, String target, String contentType, byte[] body) {
    StringBuilder head = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\nHost: fuzz\r\n");
    if (contentType != null) {
      head.append("Content-Type: ").append(contentType).append("\r\n");
    }
    if (body != null) {
      head.append("Content-Length: ").append(body.length).append("\r\n");
    }
    head.append("Connection: close\r\n\r\n");
    return concat(head.toString().getBytes(StandardCharsets.ISO_8859_1), body == null ? new byte[0] : body);
  }

  static byte[] post(String target, byte[] body) {
    return request("POST", target, "application/json", body);
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] all = new byte[a.length + b.length];
    System.arraycopy(a, 0, all, 0, a.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }

  /** Sends {@code request} (from a second thread, so an early answer is read) and reads one answer. */
  static Answer exchange(String address, byte[] request, Duration timeout) throws IOException {
    long start = System.nanoTime();
    try (Socket socket = connect(address)) {
      Thread writer = Thread.ofVirtual().start(() -> {
        try {
          OutputStream out = socket.getOutputStream();
          out.write(request);
          out.flush();
        } catch (IOException e) {
          // the server may answer and close before it has read everything (413): the answer still counts
        }
      });
      try {
        return read(socket, new BufferedInputStream(socket.getInputStream()), isHead(request), start, timeout);
      } finally {
        writer.interrupt();
      }
    }
  }

  static Socket connect(String address) throws IOException {
    int colon = address.lastIndexOf(':');
    Socket socket = new Socket();
    socket.connect(new InetSocketAddress(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1))), 5_000);
    return socket;
  }

  /** Reads one final answer (interim 1xx answers are skipped) within {@code timeout} of {@code start}. */
  static Answer read(Socket socket, InputStream in, boolean head, long start, Duration timeout) throws IOException {
    long end = start + timeout.toNanos();
    ByteArrayOutputStream seen = new ByteArrayOutputStream();
    try {
      while (true) {
        String statusAndHeaders = readHead(socket, in, seen, end);
        if (statusAndHeaders == null) {
          return new Answer(Outcome.CLOSED_WITHOUT_ANSWER, 0, Map.of(), seen.toByteArray(), millisSince(start));
        }
        String[] lines = statusAndHeaders.split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
          int colon = lines[i].indexOf(':');
          if (colon > 0) {
            headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
          }
        }
        if (status >= 100 && status < 200) {
          continue;
        }
        byte[] body = head ? new byte[0] : readBody(socket, in, headers, end);
        return new Answer(Outcome.ANSWERED, status, headers, body, millisSince(start));
      }
    } catch (SocketTimeoutException e) {
      return new Answer(Outcome.NO_ANSWER_IN_TIME, 0, Map.of(), seen.toByteArray(), millisSince(start));
    }
  }

  private static boolean isHead(byte[] request) {
    return new String(request, 0, Math.min(5, request.length), StandardCharsets.ISO_8859_1).startsWith("HEAD ");
  }

  private static long millisSince(long start) {
    return (System.nanoTime() - start) / 1_000_000;
  }

  /** The status line and headers, or null when the connection closed first. */
  private static String readHead(Socket socket, InputStream in, ByteArrayOutputStream seen, long end) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    while (true) {
      int b = readByte(socket, in, end);
      if (b < 0) {
        return null;
      }
      seen.write(b);
      line.write(b);
      byte[] bytes = line.toByteArray();
      int n = bytes.length;
      if (n >= 4 && bytes[n - 4] == '\r' && bytes[n - 3] == '\n' && bytes[n - 2] == '\r' && bytes[n - 1] == '\n') {
        return new String(bytes, 0, n - 4, StandardCharsets.ISO_8859_1);
      }
    }
  }

  private static byte[] readBody(Socket socket, InputStream in, Map<String, String> headers, long end) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    String length = headers.get("content-length");
    if (length != null) {
      long n = Long.parseLong(length);
      for (long i = 0; i < n; i++) {
        int b = readByte(socket, in, end);
        if (b < 0) {
          throw new IOException("connection closed after " + i + " of " + n + " body bytes");
        }
        body.write(b);
      }
      return body.toByteArray();
    }
    if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
      while (true) {
        StringBuilder size = new StringBuilder();
        int b;
        while ((b = readByte(socket, in, end)) != '\n') {
          if (b < 0) {
            throw new IOException("connection closed inside a chunked body");
          }
          size.append((char) b);
        }
        int n = Integer.parseInt(size.toString().trim().split(";")[0], 16);
        for (int i = 0; i < n; i++) {
          body.write(readByte(socket, in, end));
        }
        readByte(socket, in, end);
        readByte(socket, in, end);
        if (n == 0) {
          return body.toByteArray();
        }
      }
    }
    int b;
    while ((b = readByte(socket, in, end)) >= 0) {
      body.write(b);
    }
    return body.toByteArray();
  }

  private static int readByte(Socket socket, InputStream in, long end) throws IOException {
    long left = (end - System.nanoTime()) / 1_000_000;
    if (left <= 0) {
      throw new SocketTimeoutException();
    }
    socket.setSoTimeout((int) Math.max(1, left));
    try {
      return in.read();
    } catch (java.net.SocketException e) {
      return -1;
    }
  }
}
