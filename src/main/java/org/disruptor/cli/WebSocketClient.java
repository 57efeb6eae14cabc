package org.disruptor.cli;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;
import org.disruptor.cluster.HostPort;

/**
 * A minimal WebSocket client (RFC 6455: text messages, fragments, ping/pong, close) over a plain socket, for
 * the command line's job stream: it starts in milliseconds where java.net.http's client takes most of a
 * second. Client frames are masked as the RFC requires.
 */
final class WebSocketClient implements Closeable {

  private static final int TEXT = 0x1;
  private static final int CLOSE = 0x8;
  private static final int PING = 0x9;

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private boolean closeSent;

  private WebSocketClient(Socket socket) throws IOException {
    this.socket = socket;
    this.in = new BufferedInputStream(socket.getInputStream());
    this.out = socket.getOutputStream();
  }

  /** Connects and upgrades; throws with the node's answer when it refuses the upgrade. */
  static WebSocketClient connect(HostPort to, String path, String token, int timeoutMs) throws IOException {
    Socket socket = new Socket();
    try {
      socket.connect(new InetSocketAddress(to.host(), to.port()), timeoutMs);
      socket.setTcpNoDelay(true);
      byte[] nonce = new byte[16];
      ThreadLocalRandom.current().nextBytes(nonce);
      StringBuilder request = new StringBuilder("GET ").append(path).append(" HTTP/1.1\r\nHost: ").append(to)
          .append("\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ")
          .append(Base64.getEncoder().encodeToString(nonce)).append("\r\n");
      if (token != null && !token.isEmpty()) {
        request.append("Authorization: Bearer ").append(token).append("\r\n");
      }
      WebSocketClient client = new WebSocketClient(socket);
      client.out.write(request.append("\r\n").toString().getBytes(StandardCharsets.UTF_8));
      socket.setSoTimeout(timeoutMs);
      String head = HttpGet.readHead(client.in);
      socket.setSoTimeout(0);
      String status = head.lines().findFirst().orElse("");
      if (!status.matches("HTTP/1\\.[01] 101.*")) {
        throw new IOException("the node refused the WebSocket: " + status);
      }
      return client;
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
  }

  synchronized void sendText(String text) throws IOException {
    send(TEXT, text.getBytes(StandardCharsets.UTF_8));
  }

  private synchronized void send(int opcode, byte[] payload) throws IOException {
    ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 14);
    frame.write(0x80 | opcode);
    if (payload.length < 126) {
      frame.write(0x80 | payload.length);
    } else if (payload.length < 65536) {
      frame.write(0x80 | 126);
      frame.write(payload.length >>> 8);
      frame.write(payload.length);
    } else {
      frame.write(0x80 | 127);
      for (int shift = 56; shift >= 0; shift -= 8) {
        frame.write((int) ((long) payload.length >>> shift));
      }
    }
    byte[] mask = new byte[4];
    ThreadLocalRandom.current().nextBytes(mask);
    frame.write(mask);
    for (int i = 0; i < payload.length; i++) {
      frame.write(payload[i] ^ mask[i & 3]);
    }
    out.write(frame.toByteArray());
    out.flush();
  }

  /** The next text message; null once the node closed the socket. Answers pings on the way. */
  String receive() throws IOException {
    ByteArrayOutputStream message = new ByteArrayOutputStream();
    for (;;) {
      int b0 = in.read();
      int b1 = in.read();
      if (b0 < 0 || b1 < 0) {
        return null;
      }
      long length = b1 & 0x7f;
      if (length == 126) {
        length = (readByte() << 8) | readByte();
      } else if (length == 127) {
        length = 0;
        for (int i = 0; i < 8; i++) {
          length = (length << 8) | readByte();
        }
      }
      byte[] mask = (b1 & 0x80) != 0 ? in.readNBytes(4) : null;
      if (length > Integer.MAX_VALUE - 16) {
        throw new IOException("a message from the node is too large");
      }
      byte[] payload = in.readNBytes((int) length);
      if (payload.length < length) {
        return null;
      }
      if (mask != null) {
        for (int i = 0; i < payload.length; i++) {
          payload[i] ^= mask[i & 3];
        }
      }
      int opcode = b0 & 0x0f;
      if (opcode == CLOSE) {
        closeQuietly();
        return null;
      }
      if (opcode == PING) {
        send(0xA, payload);
        continue;
      }
      if (opcode >= 0x8) {
        continue; // pong
      }
      message.write(payload);
      if ((b0 & 0x80) != 0) {
        return message.toString(StandardCharsets.UTF_8);
      }
    }
  }

  private int readByte() throws IOException {
    int b = in.read();
    if (b < 0) {
      throw new IOException("the node closed the connection mid-frame");
    }
    return b;
  }

  private void closeQuietly() {
    try {
      close();
    } catch (IOException e) {
      // closing anyway
    }
  }

  /** Sends a close frame (once) and closes the socket: the node cancels the jobs this socket still runs. */
  @Override
  public void close() throws IOException {
    try {
      synchronized (this) {
        if (!closeSent && !socket.isClosed()) {
          closeSent = true;
          send(CLOSE, new byte[] {0x03, (byte) 0xe8});
        }
      }
    } catch (IOException e) {
      // the peer is gone already
    } finally {
      socket.close();
    }
  }
}
