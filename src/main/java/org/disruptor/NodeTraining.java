package org.disruptor;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.disruptor.cluster.HostPort;
import org.disruptor.cluster.LoopbackPorts;
import org.disruptor.config.Config;

/**
 * The training run behind a node's AOT cache (the build runs it once with {@code -XX:AOTCacheOutput}, see
 * pom.xml): a single node of a cluster of its own on a free loopback port, serving the requests a node
 * answers first (health, peers, the page, map jobs with built-in and JS reduces, an async job, a job over
 * the WebSocket), then stopped. Every class that start and those requests load lands in the cache, so a
 * node started with {@code -XX:AOTCache} (run.sh and the tests do when the file is there) skips loading
 * and linking them: about half the CPU of a start. Not a user command; it prints nothing unless it fails.
 */
public final class NodeTraining {

  private static final Duration ANSWER = Duration.ofSeconds(60);

  private NodeTraining() {
  }

  public static void main(String[] args) throws Exception {
    System.setProperty("java.util.logging.manager", Logs.Manager.class.getName());
    Path home = Path.of(System.getProperty("disruptor.home", "."));
    String address = freeAddress();
    Config.Loaded loaded = Config.load(List.of(address, "--cluster", "aot-training-" + UUID.randomUUID(),
        "--log-level", "warning"), Map.of(), home);
    JsonObject conf = loaded.config();
    Logs.configure(conf.getString("logLevel"), conf.getString("logFormat"));
    Node node = Node.start(conf, HostPort.parse(address), List.of());
    int failures = 0;
    try {
      failures = train(address);
    } finally {
      node.stop();
    }
    if (failures > 0) {
      System.err.println("disruptor: the node training run had " + failures + " failed request(s)");
    }
    System.exit(failures == 0 ? 0 : 1);
  }

  /** The requests; returns how many did not answer as a healthy node does. */
  private static int train(String address) throws Exception {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10)).build();
    String base = "http://" + address;
    int failures = 0;
    for (String path : List.of("/health", "/api/peers", "/", "/api/jobs", "/metrics")) {
      failures += get(http, base + path) == 200 ? 0 : 1;
    }
    String map = "{\"code\":\"(xs) => xs.map(x => x * x)\",\"data\":[1,2,3,4,5,6,7,8],\"partitions\":4";
    for (String job : List.of(map + "}", map + ",\"reduce\":\"flat\"}", map + ",\"reduce\":\"(ps) => ps.flat()\"}",
        "{\"code\":\"(xs) => { throw new Error('x') }\",\"data\":[1]}")) {
      for (int i = 0; i < 3; i++) {
        int status = post(http, base + "/api/jobs", job);
        failures += status == 200 || status == 422 ? 0 : 1;
      }
    }
    failures += post(http, base + "/api/jobs?async=true", map + "}") == 202 ? 0 : 1;
    failures += socketJob(http, "ws://" + address + "/api/jobs/ws", map + "}") ? 0 : 1;
    return failures;
  }

  private static int get(HttpClient http, String uri) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(uri)).timeout(ANSWER).build(),
        HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  private static int post(HttpClient http, String uri, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(uri)).timeout(ANSWER).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  /** One job over the job WebSocket, until its final event. */
  private static boolean socketJob(HttpClient http, String uri, String job) throws Exception {
    CompletableFuture<Boolean> done = new CompletableFuture<>();
    StringBuilder text = new StringBuilder();
    WebSocket socket = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
        .buildAsync(URI.create(uri), new WebSocket.Listener() {
          @Override
          public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
              String event = text.toString();
              text.setLength(0);
              if (event.contains("\"type\":\"completed\"")) {
                done.complete(true);
              } else if (event.contains("\"type\":\"failed\"") || event.contains("\"type\":\"error\"")) {
                done.complete(false);
              }
            }
            webSocket.request(1);
            return null;
          }

          @Override
          public void onError(WebSocket webSocket, Throwable error) {
            done.complete(false);
          }
        }).get(ANSWER.toSeconds(), TimeUnit.SECONDS);
    socket.sendText(job, true);
    try {
      return done.get(ANSWER.toSeconds(), TimeUnit.SECONDS);
    } finally {
      socket.sendClose(WebSocket.NORMAL_CLOSURE, "").exceptionally(e -> null);
    }
  }

  /** A loopback address whose HTTP port and member port (port + 10000) are both free. */
  private static String freeAddress() {
    for (int i = 0; i < 200; i++) {
      int port = ThreadLocalRandom.current().nextInt(20000, 22000);
      if (LoopbackPorts.free(port) && LoopbackPorts.free(port + 10000)) {
        return "127.0.0.1:" + port;
      }
    }
    throw new IllegalStateException("no free loopback port pair for the training node");
  }
}
