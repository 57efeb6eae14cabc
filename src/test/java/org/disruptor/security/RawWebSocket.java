package org.disruptor.security;

import io.vertx.core.json.JsonObject;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A bare WebSocket client (RFC 6455) on a socket, so a test can send what a well-behaved client library
 * never would: invalid UTF-8 in a text frame, reserved opcodes, unmasked frames, frames over the limit.
 */
final class RawWebSocket implements AutoCloseable {

  static final int CONTINUATION = 0x0;
  static final int TEXT = 0x1;
  static final int BINARY = 0x2;
  static final int CLOSE = 0x8;
  static final int PING = 0x9;
  static final int PONG = 0xA;

  /** A whole message from the node (continuations joined); {@code opcode} -1 means the connection ended. */
  record Frame(int opcode, byte[] payload) {

    String text() {
      return new String(payload, StandardCharsets.UTF_8);
    }

    JsonObject json() {
      return new JsonObject(text());
    }

    /** The close code of a close frame (1005 when it has none). */
    int closeCode() {
      return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
    }

    @Override
    public String toString() {
      return switch (opcode) {
        case -1 -> "end of connection";
        case CLOSE -> "close " + closeCode() + " " + new String(payload, Math.min(2, payload.length),
            Math.max(0, payload.length - 2), StandardCharsets.UTF_8);
        case TEXT -> "text " + Fuzz.shorten(text(), 300);
        default -> "opcode " + opcode + " (" + payload.length + " bytes)";
      };
    }
  }

  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;

  private RawWebSocket(Socket socket) throws IOException {
    this.socket = socket;
    this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
    this.out = socket.getOutputStream();
  }

  /** Opens {@code ws://address/api/jobs/ws}; fails unless the node answers 101. */
  static RawWebSocket open(String address) throws IOException {
    Socket socket = RawHttp.connect(address);
    byte[] nonce = new byte[16];
    ThreadLocalRandom.current().nextBytes(nonce);
    String handshake = "GET /api/jobs/ws HTTP/1.1\r\nHost: " + address + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce) + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
    socket.getOutputStream().write(handshake.getBytes(StandardCharsets.ISO_8859_1));
    RawWebSocket ws = new RawWebSocket(socket);
    socket.setSoTimeout(10_000);
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      head.append((char) ws.in.readUnsignedByte());
    }
    if (!head.toString().startsWith("HTTP/1.1 101")) {
      socket.close();
      throw new IOException("no WebSocket upgrade: " + head);
    }
    return ws;
  }

  void sendText(String text) throws IOException {
    send(TEXT, text.getBytes(StandardCharsets.UTF_8), true, true);
  }

  /** Sends one frame; {@code masked} false breaks the protocol on purpose (clients must mask). */
  void send(int opcode, byte[] payload, boolean fin, boolean masked) throws IOException {
    ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 14);
    frame.write((fin ? 0x80 : 0) | opcode);
    int mask = masked ? 0x80 : 0;
    if (payload.length < 126) {
      frame.write(mask | payload.length);
    } else if (payload.length < 65_536) {
      frame.write(mask | 126);
      frame.write(payload.length >>> 8);
      frame.write(payload.length & 0xff);
    } else {
      frame.write(mask | 127);
      for (int shift = 56; shift >= 0; shift -= 8) {
        frame.write((int) (((long) payload.length >>> shift) & 0xff));
      }
    }
    byte[] key = new byte[4];
    byte[] body = payload.clone();
    if (masked) {
      ThreadLocalRandom.current().nextBytes(key);
      frame.write(key, 0, 4);
      for (int i = 0; i < body.length; i++) {
        body[i] ^= key[i % 4];
      }
    }
    frame.write(body, 0, body.length);
    out.write(frame.toByteArray());
    out.flush();
  }

  /** The next message, or null when none comes within {@code timeout}; pings are answered and skipped. */
  Frame read(Duration timeout) throws IOException {
    long end = System.nanoTime() + timeout.toNanos();
    ByteArrayOutputStream message = new ByteArrayOutputStream();
    int first = -1;
    try {
      while (true) {
        socket.setSoTimeout((int) Math.max(1, (end - System.nanoTime()) / 1_000_000));
        int b0 = in.readUnsignedByte();
        int b1 = in.readUnsignedByte();
        long length = b1 & 0x7f;
        if (length == 126) {
          length = in.readUnsignedShort();
        } else if (length == 127) {
          length = in.readLong();
        }
        byte[] key = (b1 & 0x80) != 0 ? in.readNBytes(4) : null;
        byte[] payload = in.readNBytes((int) length);
        if (payload.length < length) {
          return new Frame(-1, new byte[0]);
        }
        if (key != null) {
          for (int i = 0; i < payload.length; i++) {
            payload[i] ^= key[i % 4];
          }
        }
        int opcode = b0 & 0x0f;
        if (opcode == PING) {
          send(PONG, payload, true, true);
          continue;
        }
        if (opcode >= CLOSE) {
          return new Frame(opcode, payload);
        }
        if (first < 0) {
          first = opcode;
        }
        message.write(payload);
        if ((b0 & 0x80) != 0) {
          return new Frame(first, message.toByteArray());
        }
      }
    } catch (SocketTimeoutException e) {
      return null;
    } catch (EOFException | java.net.SocketException e) {
      return new Frame(-1, new byte[0]);
    }
  }

  /** The next text message as JSON; fails when something else (or nothing) comes. */
  JsonObject readJson(Duration timeout, String what) throws IOException {
    Frame frame = read(timeout);
    if (frame == null || frame.opcode() != TEXT) {
      throw new AssertionError("expected a JSON event after " + what + ", got " + (frame == null ? "nothing within " + timeout : frame));
    }
    return frame.json();
  }

  boolean isClosed() {
    return socket.isClosed();
  }

  /** Drops the connection without a close frame, as a crashed client would. */
  void abort() throws IOException {
    socket.close();
  }

  /** Sends a normal close and closes the socket without waiting for the node's answer. */
  @Override
  public void close() throws IOException {
    try {
      if (!socket.isClosed()) {
        send(CLOSE, new byte[] {0x03, (byte) 0xe8}, true, true);
      }
    } catch (IOException e) {
      // the node may have closed first
    } finally {
      socket.close();
    }
  }
}
