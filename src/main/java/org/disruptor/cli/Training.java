package org.disruptor.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The training run behind the command line's AOT cache ({@code run.sh} runs it once per build with
 * {@code -XX:AOTCacheOutput}): {@code peers}, {@code peers --json} and {@code submit} against a stand-in node
 * on a loopback socket of its own, so every class a real call loads is in the cache, with no node running.
 * Not a user command; it prints nothing.
 */
public final class Training {

  private static final String PEERS = "{\"self\":\"127.0.0.1:1\",\"peers\":[{\"address\":\"127.0.0.1:1\",\"id\":\"a\","
      + "\"engine\":\"graaljs\",\"workers\":2,\"running\":1,\"queued\":0,\"completed\":3,\"failed\":0,\"retries\":0,"
      + "\"stops\":{},\"heapUsed\":1048576,\"heapMax\":268435456,\"cpu\":0.5,\"at\":1,\"since\":1}]}";
  private static final List<String> EVENTS = List.of(
      "{\"type\":\"accepted\",\"id\":\"j\",\"partitions\":1,\"nodes\":[\"127.0.0.1:1\"],\"placement\":[\"127.0.0.1:1\"]}",
      "{\"type\":\"partition\",\"id\":\"j\",\"index\":0,\"node\":\"127.0.0.1:1\",\"elapsedMs\":1.5,\"attempts\":1,"
          + "\"logs\":[],\"done\":1,\"parts\":1,\"result\":[2]}",
      "{\"type\":\"completed\",\"id\":\"j\",\"status\":\"completed\",\"result\":[[2]],\"parts\":1,\"done\":1,"
          + "\"partitions\":[{\"index\":0,\"node\":\"127.0.0.1:1\",\"attempts\":1,\"status\":\"done\",\"elapsedMs\":1.5,"
          + "\"logs\":[]}]}");

  private Training() {
  }

  public static void main(String[] args) throws Exception {
    PrintStream out = System.out;
    PrintStream err = System.err;
    PrintStream none = new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
    Path dir = Files.createTempDirectory("disruptor-cli-training");
    try (ServerSocket server = new ServerSocket(0, 4, InetAddress.getLoopbackAddress())) {
      Thread node = Thread.ofPlatform().daemon().start(() -> serve(server));
      String to = "127.0.0.1:" + server.getLocalPort();
      Path job = Files.writeString(dir.resolve("job.js"), "(xs) => xs.map(x => x * 2)");
      Path data = Files.writeString(dir.resolve("data.json"), "[1]");
      System.setOut(none);
      System.setErr(none);
      int failures = new PeersCommand(List.of("--to", to), Map.of()).run()
          + new PeersCommand(List.of("--to", to, "--json"), Map.of()).run()
          + new SubmitCommand(List.of("--to", to, job.toString(), data.toString(), "--timeout", "30s"), Map.of()).run();
      node.join(10_000);
      if (failures != 0) {
        err.println("disruptor: the CLI training run failed");
        System.exit(1);
      }
    } finally {
      System.setOut(out);
      System.setErr(err);
      try (var files = Files.list(dir)) {
        for (Path file : files.toList()) {
          Files.deleteIfExists(file);
        }
      }
      Files.deleteIfExists(dir);
    }
  }

  /** Answers two peer lists over HTTP, then one job over a WebSocket. */
  private static void serve(ServerSocket server) {
    try {
      for (int i = 0; i < 2; i++) {
        try (Socket socket = server.accept()) {
          HttpGet.readHead(socket.getInputStream());
          byte[] body = PEERS.getBytes(StandardCharsets.UTF_8);
          socket.getOutputStream().write(("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: "
              + body.length + "\r\nconnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
          socket.getOutputStream().write(body);
        }
      }
      try (Socket socket = server.accept()) {
        InputStream in = socket.getInputStream();
        OutputStream out = socket.getOutputStream();
        HttpGet.readHead(in);
        out.write("HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: upgrade\r\n\r\n"
            .getBytes(StandardCharsets.US_ASCII));
        skipFrame(in);
        for (String event : EVENTS) {
          byte[] payload = event.getBytes(StandardCharsets.UTF_8);
          out.write(new byte[] {(byte) 0x81, 126, (byte) (payload.length >>> 8), (byte) payload.length});
          out.write(payload);
        }
        out.flush();
        skipFrame(in); // the client's close
      }
    } catch (IOException e) {
      // the commands report what went wrong
    }
  }

  private static void skipFrame(InputStream in) throws IOException {
    in.read();
    int length = in.read() & 0x7f;
    if (length == 126) {
      length = (in.read() << 8) | in.read();
    } else if (length == 127) {
      length = 0;
      for (int i = 0; i < 8; i++) {
        length = (length << 8) | in.read();
      }
    }
    in.readNBytes(4 + length);
  }
}
