package org.disruptor.faulttolerance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.disruptor.e2e.Cluster;
import org.disruptor.e2e.NodeProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, memory attacks on the v8 engine, against two real nodes from the fat jar: each attack's part
 * ends {@code memory_limit}, both nodes stay up and clustered, and a normal job then completes; a runner
 * killed with kill -9 mid-job costs nothing but a re-run (the job's result is exact).
 */
@DisplayName("Memory attacks on v8 nodes")
class V8MemoryIT {

  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2)).build();
  private static final String BOMB = "(x) => { const a = []; while (true) a.push(new Array(100000).fill(1.5)); }";
  private static Cluster cluster;

  @BeforeAll
  static void start() throws Exception {
    List<String> flags = List.of("--engine", "v8", "--worker-threads", "2", "--part-memory-limit-mb", "128",
        "--part-time-limit-ms", "30000");
    cluster = Cluster.start(2, List.of(flags, flags));
  }

  @AfterAll
  static void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static NodeProcess node(int i) {
    return cluster.nodes().get(i);
  }

  private static CompletableFuture<HttpResponse<String>> post(JsonObject job) {
    return HTTP.sendAsync(HttpRequest.newBuilder(URI.create("http://" + node(0).address() + "/api/jobs"))
        .timeout(Duration.ofSeconds(120)).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(job.encode())).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonObject job(String code, int partitions) {
    JsonArray data = new JsonArray();
    for (int i = 1; i <= partitions; i++) {
      data.add(i);
    }
    return new JsonObject().put("code", code).put("data", data).put("partitions", partitions).put("timeoutMs", 90_000);
  }

  /** Both nodes up, each listing both, and a normal job with an exact result. */
  private static void healthy() throws Exception {
    Set<String> both = Set.of(node(0).address(), node(1).address());
    for (int i = 0; i < 2; i++) {
      assertTrue(node(i).process().isAlive(), "node " + i + " is alive");
      node(i).awaitPeers(both, Duration.ofSeconds(30));
      assertEquals("v8", new JsonObject(node(i).get("/health").body()).getString("engine"));
    }
    HttpResponse<String> normal = post(job("(xs) => xs.map(x => x * 10)", 4)).get(120, TimeUnit.SECONDS);
    assertEquals(200, normal.statusCode(), normal.body());
    // one result per part, each the part's own array
    assertEquals(new JsonArray("[[10],[20],[30],[40]]"), new JsonObject(normal.body()).getJsonArray("result"));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {
      BOMB,
      "(x) => new Array(2e8).fill(1).length",
      "(x) => new ArrayBuffer(2 * 1024 ** 3).byteLength",
      "(x) => { const b = []; for (;;) b.push(new Uint8Array(64 * 1024 * 1024).fill(1)); }",
      "(x) => { const s = []; for (;;) s.push('y'.repeat(1 << 24) + s.length); }",
      "(x) => { let s = 'x'; for (;;) s += s; }",
  })
  @DisplayName("a memory attack ends memory_limit; the nodes stay in the cluster and run a normal job")
  void attack(String code) throws Exception {
    HttpResponse<String> answer = post(job(code, 1)).get(120, TimeUnit.SECONDS);
    JsonObject body = new JsonObject(answer.body());
    System.out.printf("[V8MemoryIT] %s -> HTTP %d %s: %s%n", code, answer.statusCode(), body.getString("error"),
        body.getString("message"));
    assertEquals(422, answer.statusCode(), answer.body());
    assertEquals("memory_limit", body.getString("error"), answer.body());
    healthy();
  }

  @Test
  @DisplayName("six memory bombs at once all end memory_limit; the nodes stay in the cluster and run a normal job")
  void sixBombs() throws Exception {
    List<CompletableFuture<HttpResponse<String>>> bombs = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      bombs.add(post(job(i % 2 == 0 ? BOMB : "(x) => new Array(2e8).fill(1).length", 1)));
    }
    for (CompletableFuture<HttpResponse<String>> bomb : bombs) {
      HttpResponse<String> answer = bomb.get(180, TimeUnit.SECONDS);
      assertEquals("memory_limit", new JsonObject(answer.body()).getString("error"), answer.body());
    }
    healthy();
  }

  @Test
  @DisplayName("runners killed with kill -9 mid-job: the job completes with the exact result")
  void killedRunners() throws Exception {
    String slow = "(xs) => { const end = Date.now() + 3000; while (Date.now() < end) {} return xs.map(x => x * x); }";
    CompletableFuture<HttpResponse<String>> answer = post(job(slow, 4));
    node(0).awaitRunningParts(4, Duration.ofSeconds(60), "the job's four parts running");
    List<ProcessHandle> runners = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      node(i).process().toHandle().children().forEach(runners::add);
    }
    assertEquals(4, runners.size(), "two runners per node");
    runners.forEach(ProcessHandle::destroyForcibly);
    HttpResponse<String> done = answer.get(120, TimeUnit.SECONDS);
    assertEquals(200, done.statusCode(), done.body());
    assertEquals(new JsonArray("[[1],[4],[9],[16]]"), new JsonObject(done.body()).getJsonArray("result"));
    for (ProcessHandle runner : runners) {
      assertFalse(runner.isAlive(), "a killed runner is gone");
    }
    healthy();
  }
}
