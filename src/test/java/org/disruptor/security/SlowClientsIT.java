package org.disruptor.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.disruptor.e2e.Eventually;
import org.disruptor.e2e.NodeProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Slow and idle clients against real nodes (issue 11): trickled request heads, idle keep-alive connections,
 * idle job WebSockets and too many WebSockets from one client. The limits are set small so the node acts
 * within seconds; every check waits for the node's action with a generous deadline, never a stopwatch.
 */
@DisplayName("Slow and idle clients")
class SlowClientsIT {

  private static final long HEADER_MS = 1_000;
  private static final long KEEP_ALIVE_MS = 2_000;
  private static final long SOCKET_IDLE_MS = 3_000;
  private static final int MAX_SOCKETS = 3;
  private static final int SLOWLORIS = 20;
  /** How long a client waits for the node to act: far above every limit above. */
  private static final Duration ACTS = Duration.ofSeconds(60);
  private static final String JOB = "{\"code\":\"(xs) => xs.map(x => x * 2)\",\"data\":[1,2,3]}";
  private static final ExecutorService CLIENTS = Executors.newVirtualThreadPerTaskExecutor();
  /** The node with small HTTP and WebSocket timeouts. */
  private static NodeProcess timeouts;
  /** The node with a small WebSocket cap (and default timeouts, so its sockets stay open through the test). */
  private static NodeProcess capped;

  @BeforeAll
  static void startNodes() throws Exception {
    timeouts = NodeProcess.start(NodeProcess.freeAddress(), "--cluster", "slow-" + UUID.randomUUID(),
        "--header-timeout-ms", String.valueOf(HEADER_MS), "--keep-alive-timeout-ms", String.valueOf(KEEP_ALIVE_MS),
        "--web-socket-idle-timeout-ms", String.valueOf(SOCKET_IDLE_MS));
    capped = NodeProcess.start(NodeProcess.freeAddress(), "--cluster", "cap-" + UUID.randomUUID(),
        "--max-web-sockets-per-client", String.valueOf(MAX_SOCKETS));
    timeouts.awaitUp(Duration.ofSeconds(60));
    capped.awaitUp(Duration.ofSeconds(60));
  }

  @AfterAll
  static void stopNodes() throws Exception {
    NodeProcess.closeAll(List.of(timeouts, capped));
    CLIENTS.shutdownNow();
  }

  @Test
  @DisplayName("20 connections trickling a request head one byte at a time are each answered 408 JSON and closed, "
      + "while a normal request is served")
  void slowloris() throws Exception {
    String head = "GET /api/peers HTTP/1.1\r\nHost: slow\r\nX-Slow: ";
    List<CompletableFuture<Slow>> clients = new ArrayList<>();
    for (int i = 0; i < SLOWLORIS; i++) {
      clients.add(CompletableFuture.supplyAsync(() -> trickle(timeouts, null, head), CLIENTS));
    }
    assertNormalJob(timeouts, "while 20 slow clients trickle their heads");
    List<String> wrong = new ArrayList<>();
    for (CompletableFuture<Slow> client : clients) {
      Slow slow = client.get(2 * ACTS.toSeconds() + 30, TimeUnit.SECONDS);
      if (!isRequestTimeout(slow)) {
        wrong.add(slow.toString());
      }
    }
    assertTrue(wrong.isEmpty(), "slow heads not answered 408 request_timeout and closed:\n  " + String.join("\n  ", wrong));
    assertNormalJob(timeouts, "after the slow clients");
  }

  @Test
  @DisplayName("on a keep-alive connection the limit applies to each request: a slow second head gets 408, "
      + "an idle connection is closed without an answer, and a request in progress is never cut")
  void keepAlive() throws Exception {
    String keepAliveJob = "POST /api/jobs HTTP/1.1\r\nHost: slow\r\nContent-Type: application/json\r\nContent-Length: ";
    // a job that takes longer than both limits: the request in progress is not theirs to cut
    String longJob = "{\"code\":\"(xs) => { const end = Date.now() + " + 2 * KEEP_ALIVE_MS + "; while (Date.now() < end) {} "
        + "return xs; }\",\"data\":[1]}";
    Slow slowSecond = trickle(timeouts, keepAliveJob + longJob.length() + "\r\n\r\n" + longJob,
        "GET /api/peers HTTP/1.1\r\nHost: slow\r\nX-Slow: ");
    assertTrue(isRequestTimeout(slowSecond), "a slow second head on a keep-alive connection: " + slowSecond);

    try (Socket socket = RawHttp.connect(timeouts.address())) {
      InputStream in = new BufferedInputStream(socket.getInputStream());
      socket.getOutputStream().write(("GET /health HTTP/1.1\r\nHost: slow\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
      RawHttp.Answer first = RawHttp.read(socket, in, false, System.nanoTime(), ACTS);
      assertEquals(200, first.status(), "a keep-alive request: " + first);
      RawHttp.Answer idle = RawHttp.read(socket, in, false, System.nanoTime(), ACTS);
      assertEquals(RawHttp.Outcome.CLOSED_WITHOUT_ANSWER, idle.outcome(), "an idle keep-alive connection is closed, "
          + "with no unasked-for answer: " + idle);
      assertEquals(0, idle.body().length, "bytes on the idle connection before its close: " + idle);
    }
  }

  @Test
  @DisplayName("a job WebSocket that sends nothing is closed (1000) by the node; one whose job runs longer than "
      + "the idle limit gets its job's events first")
  void idleWebSocket() throws Exception {
    try (RawWebSocket ws = RawWebSocket.open(timeouts.address())) {
      RawWebSocket.Frame frame = ws.read(ACTS);
      assertTrue(frame != null && frame.opcode() == RawWebSocket.CLOSE && frame.closeCode() == 1000,
          "an idle job WebSocket is closed normally: " + frame);
    }
    try (RawWebSocket ws = RawWebSocket.open(timeouts.address())) {
      ws.sendText("{\"code\":\"(xs) => { const end = Date.now() + " + 2 * SOCKET_IDLE_MS + "; while (Date.now() < end) {} "
          + "return xs; }\",\"data\":[7]}");
      List<String> types = new ArrayList<>();
      JsonObject event;
      do {
        RawWebSocket.Frame frame = ws.read(ACTS);
        assertTrue(frame != null && frame.opcode() == RawWebSocket.TEXT, "events " + types + ", then " + frame);
        event = frame.json();
        types.add(event.getString("type"));
      } while (!"completed".equals(event.getString("type")));
      assertEquals(List.of("accepted", "partition", "completed"), types);
      assertEquals(new JsonArray("[[7]]"), event.getJsonArray("result"), event.encode());
      RawWebSocket.Frame after = ws.read(ACTS);
      assertTrue(after != null && after.opcode() == RawWebSocket.CLOSE, "idle again after its job: " + after);
    }
  }

  @Test
  @DisplayName("a job WebSocket whose client pings is not idle: after pinging for twice the idle limit it still runs a job")
  void pingsKeepASocketOpen() throws Exception {
    try (RawWebSocket ws = RawWebSocket.open(timeouts.address())) {
      long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2 * SOCKET_IDLE_MS);
      while (System.nanoTime() < end) {
        ws.send(RawWebSocket.PING, "alive".getBytes(StandardCharsets.UTF_8), true, true);
        Thread.sleep(SOCKET_IDLE_MS / 10); // the client's pace, well inside the idle limit
      }
      assertSocketRunsAJob(ws);
    }
  }

  @Test
  @DisplayName("a client over maxWebSocketsPerClient is refused with 429 JSON too_many_websockets, its open sockets "
      + "still run jobs, and closing one lets it open another")
  void webSocketCap() throws Exception {
    List<RawWebSocket> open = new ArrayList<>();
    try {
      for (int i = 0; i < MAX_SOCKETS; i++) {
        open.add(RawWebSocket.open(capped.address()));
      }
      RawHttp.Answer refused = RawHttp.exchange(capped.address(), upgradeRequest(capped.address()), ACTS);
      assertEquals(429, refused.status(), refused.toString());
      assertTrue(refused.headers().getOrDefault("content-type", "").startsWith("application/json"), refused.toString());
      assertEquals("too_many_websockets", refused.json().getString("error"), refused.toString());
      assertTrue(refused.json().getString("message").contains("maxWebSocketsPerClient"), refused.toString());
      for (RawWebSocket ws : open) {
        assertSocketRunsAJob(ws);
      }
      open.removeFirst().close();
      RawWebSocket again = Eventually.until("a new job WebSocket once one of the client's sockets closed",
          () -> RawWebSocket.open(capped.address()), ws -> ws != null);
      open.add(again);
      assertSocketRunsAJob(again);
    } finally {
      for (RawWebSocket ws : open) {
        ws.close();
      }
    }
  }

  /** The node's answer to a trickled head, and whether it closed the connection after it. */
  private record Slow(RawHttp.Answer answer, boolean closed) {
    @Override
    public String toString() {
      return answer + (closed ? ", then closed" : ", connection left open");
    }
  }

  /**
   * Sends {@code before} (a whole request, or null) and reads its answer, then trickles {@code slow} one byte every
   * 100 ms, and after it endless header bytes, until the node answers or closes the connection.
   */
  private static Slow trickle(NodeProcess node, String before, String slow) {
    try (Socket socket = RawHttp.connect(node.address())) {
      OutputStream out = socket.getOutputStream();
      InputStream in = new BufferedInputStream(socket.getInputStream());
      if (before != null) {
        out.write(before.getBytes(StandardCharsets.ISO_8859_1));
        RawHttp.Answer answer = RawHttp.read(socket, in, false, System.nanoTime(), ACTS);
        if (answer.status() != 200) {
          return new Slow(answer, false); // the whole request was refused: that is what to report
        }
      }
      Thread writer = Thread.ofVirtual().start(() -> {
        try {
          for (int i = 0; ; i++) {
            out.write(i < slow.length() ? slow.charAt(i) : 'a');
            out.flush();
            Thread.sleep(100); // the client's pace, not a wait for the node
          }
        } catch (IOException | InterruptedException e) {
          // the node closed the connection: what the reader waits for
        }
      });
      try {
        RawHttp.Answer answer = RawHttp.read(socket, in, false, System.nanoTime(), ACTS);
        boolean closed = answer.outcome() == RawHttp.Outcome.CLOSED_WITHOUT_ANSWER
            || RawHttp.read(socket, in, false, System.nanoTime(), ACTS).outcome() == RawHttp.Outcome.CLOSED_WITHOUT_ANSWER;
        return new Slow(answer, closed);
      } finally {
        writer.interrupt();
      }
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** A 408 JSON request_timeout about the headers, marked and followed by the connection's close. */
  private static boolean isRequestTimeout(Slow slow) {
    RawHttp.Answer answer = slow.answer();
    JsonObject json = answer.json();
    return slow.closed() && answer.outcome() == RawHttp.Outcome.ANSWERED && answer.status() == 408 && json != null
        && "request_timeout".equals(json.getString("error")) && json.getString("message", "").contains("headers")
        && "close".equalsIgnoreCase(answer.headers().get("connection"));
  }

  private static void assertNormalJob(NodeProcess node, String when) throws IOException {
    RawHttp.Answer answer = RawHttp.exchange(node.address(), RawHttp.post("/api/jobs", JOB.getBytes(StandardCharsets.UTF_8)), ACTS);
    assertEquals(200, answer.status(), "a normal job " + when + ": " + answer);
    assertEquals(new JsonArray("[[2,4,6]]"), answer.json().getJsonArray("result"), "a normal job " + when + ": " + answer);
  }

  private static void assertSocketRunsAJob(RawWebSocket ws) throws IOException {
    ws.sendText(JOB);
    JsonObject event;
    do {
      event = nextEvent(ws);
    } while (!"completed".equals(event.getString("type")) && !"error".equals(event.getString("type")));
    assertEquals("completed", event.getString("type"), event.encode());
    assertEquals(new JsonArray("[[2,4,6]]"), event.getJsonArray("result"), event.encode());
  }

  /** The next text message as JSON, past the pongs that answer the test's own pings. */
  private static JsonObject nextEvent(RawWebSocket ws) throws IOException {
    RawWebSocket.Frame frame;
    do {
      frame = ws.read(ACTS);
    } while (frame != null && frame.opcode() == RawWebSocket.PONG);
    assertTrue(frame != null && frame.opcode() == RawWebSocket.TEXT, "a JSON event expected, got " + frame);
    return frame.json();
  }

  private static byte[] upgradeRequest(String address) {
    byte[] nonce = new byte[16];
    ThreadLocalRandom.current().nextBytes(nonce);
    return ("GET /api/jobs/ws HTTP/1.1\r\nHost: " + address + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce) + "\r\nSec-WebSocket-Version: 13\r\n\r\n")
        .getBytes(StandardCharsets.ISO_8859_1);
  }
}
