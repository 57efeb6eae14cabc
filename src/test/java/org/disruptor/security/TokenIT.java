package org.disruptor.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.disruptor.e2e.NodeProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** A node started with an access token: what needs it, what does not, and the CLI with it. */
@DisplayName("Access token")
class TokenIT {

  private static final String TOKEN = "t0k-" + UUID.randomUUID();
  private static final String JOB = "{\"code\":\"(xs) => xs.map(x => x + 1)\",\"data\":[1,2,3]}";
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static NodeProcess open;
  private static NodeProcess closed;

  @BeforeAll
  static void start() throws Exception {
    open = NodeProcess.start(NodeProcess.freeAddress(), "--cluster", "token-" + UUID.randomUUID(), "--token", TOKEN);
    closed = NodeProcess.start(NodeProcess.freeAddress(), "--cluster", "token-" + UUID.randomUUID(), "--token", TOKEN,
        "--public-peers", "false");
    open.awaitUp(Duration.ofSeconds(60));
    closed.awaitUp(Duration.ofSeconds(60));
  }

  @AfterAll
  static void stop() throws Exception {
    open.close();
    closed.close();
  }

  private static HttpResponse<String> send(String method, String path, String body, String auth) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://" + open.address() + path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .timeout(Duration.ofSeconds(30));
    if (auth != null) {
      request.header("Authorization", auth);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  @DisplayName("every job endpoint answers 401 with a JSON error without the token, or with a wrong one")
  void refusesWithoutToken() throws Exception {
    for (String auth : new String[] {null, "Bearer wrong", "Basic " + TOKEN, TOKEN}) {
      for (String[] call : List.of(new String[] {"POST", "/api/jobs", JOB}, new String[] {"GET", "/api/jobs", null},
          new String[] {"GET", "/api/jobs/some-id", null}, new String[] {"DELETE", "/api/jobs/some-id", null})) {
        HttpResponse<String> response = send(call[0], call[1], call[2], auth);
        assertEquals(401, response.statusCode(), call[0] + " " + call[1] + " with " + auth);
        assertEquals("unauthorized", new JsonObject(response.body()).getString("error"));
      }
    }
  }

  @Test
  @DisplayName("the job API works with the token")
  void worksWithToken() throws Exception {
    HttpResponse<String> response = send("POST", "/api/jobs", JOB, "Bearer " + TOKEN);
    assertEquals(200, response.statusCode(), response.body());
    assertEquals("[[2,3,4]]", new JsonObject(response.body()).getJsonArray("result").encode());
    assertEquals(200, send("GET", "/api/jobs", null, "Bearer " + TOKEN).statusCode());
  }

  @Test
  @DisplayName("the peer list and health stay public by default, and the peer list is closed on request")
  void peersPerConfig() throws Exception {
    assertEquals(200, send("GET", "/api/peers", null, null).statusCode());
    assertEquals(200, send("GET", "/health", null, null).statusCode());
    assertEquals(401, closed.get("/api/peers").statusCode());
    assertEquals(200, HTTP.send(HttpRequest.newBuilder(URI.create("http://" + closed.address() + "/api/peers"))
        .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString()).statusCode());
  }

  @Test
  @DisplayName("the job WebSocket refuses jobs without the token and runs them with a header or a first auth message")
  void webSocket() throws Exception {
    Socket anonymous = Socket.open(open.address(), null);
    anonymous.ws.sendText(JOB, true);
    JsonObject refused = anonymous.next();
    assertEquals("unauthorized", refused.getString("error"));
    assertEquals(401, refused.getInteger("status"));

    Socket header = Socket.open(open.address(), "Bearer " + TOKEN);
    header.ws.sendText(JOB, true);
    assertEquals("completed", header.until("completed").getString("status"));

    Socket message = Socket.open(open.address(), null);
    message.ws.sendText("{\"type\":\"auth\",\"token\":\"" + TOKEN + "\"}", true);
    assertEquals("authenticated", message.next().getString("type"));
    message.ws.sendText(JOB, true);
    assertEquals("[[2,3,4]]", message.until("completed").getJsonArray("result").encode());
  }

  @Test
  @DisplayName("the CLI submits with --token or DISRUPTOR_TOKEN and fails clearly without it")
  void cli(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    Path job = Files.writeString(dir.resolve("job.js"), "(xs) => xs.length");
    Path data = Files.writeString(dir.resolve("data.json"), "[1,2,3,4]");
    Process with = new ProcessBuilder(NodeProcess.command("128m", "submit", "--to", open.address(), "--token", TOKEN,
        job.toString(), data.toString())).start();
    String out = new String(with.getInputStream().readAllBytes());
    assertEquals(0, with.waitFor(), new String(with.getErrorStream().readAllBytes()));
    assertEquals("[4]", new JsonObject(out).getJsonArray("result").encode());

    ProcessBuilder envBuilder = new ProcessBuilder(NodeProcess.command("128m", "submit", "--to", open.address(),
        job.toString(), data.toString()));
    envBuilder.environment().put("DISRUPTOR_TOKEN", TOKEN);
    Process env = envBuilder.start();
    env.getInputStream().readAllBytes();
    assertEquals(0, env.waitFor());

    Process without = new ProcessBuilder(NodeProcess.command("128m", "submit", "--to", open.address(),
        job.toString(), data.toString())).start();
    without.getInputStream().readAllBytes();
    String err = new String(without.getErrorStream().readAllBytes());
    assertEquals(1, without.waitFor());
    assertTrue(err.contains("unauthorized"), err);
  }

  /** A minimal WebSocket client collecting text events. */
  private static final class Socket implements WebSocket.Listener {
    final LinkedBlockingQueue<JsonObject> events = new LinkedBlockingQueue<>();
    final StringBuilder text = new StringBuilder();
    WebSocket ws;

    static Socket open(String address, String auth) throws Exception {
      Socket socket = new Socket();
      WebSocket.Builder builder = HTTP.newWebSocketBuilder();
      if (auth != null) {
        builder.header("Authorization", auth);
      }
      socket.ws = builder.buildAsync(URI.create("ws://" + address + "/api/jobs/ws"), socket).get(10, TimeUnit.SECONDS);
      return socket;
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      text.append(data);
      if (last) {
        events.add(new JsonObject(text.toString()));
        text.setLength(0);
      }
      webSocket.request(1);
      return CompletableFuture.completedFuture(null);
    }

    JsonObject next() throws InterruptedException {
      JsonObject event = events.poll(30, TimeUnit.SECONDS);
      if (event == null) {
        throw new AssertionError("no event within 30 s");
      }
      return event;
    }

    JsonObject until(String type) throws InterruptedException {
      while (true) {
        JsonObject event = next();
        if (type.equals(event.getString("type"))) {
          return event;
        }
      }
    }
  }
}
