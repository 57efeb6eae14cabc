package org.disruptor.faulttolerance;

import static org.junit.jupiter.api.Assertions.assertAll;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.disruptor.e2e.Eventually;
import org.disruptor.e2e.NodeProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Issue 4, hostile jobs: two real nodes (heaps as {@link NodeProcess} sets them) take a memory bomb, a
 * CPU spin, a huge result, runaway recursion and a hundred spinning jobs at once. Each hostile job must
 * end with its own error, a normal job sent to the same node at the same time must complete exactly, and
 * afterwards both nodes must be up, still clustered, with their heap back near where it started.
 */
@DisplayName("Hostile jobs on a two-node cluster")
class HostileJobsIT {

  private static final long PART_TIME_LIMIT_MS = 2_000;
  /** Under the CPU limit, and long enough to overlap the memory bomb. */
  private static final long NORMAL_WORK_MS = 1_200;
  private static final int MAX_RESULT_BYTES = 1_000_000;
  private static final long HEAP_SLACK = 100L * 1024 * 1024;
  private static final int SPINNERS = 100;
  private static final int TARGET = 0;
  private static final int BOMB_ROUNDS = 3;
  /** Keeps 32 MB typed arrays until the heap runs out: live data, not garbage. */
  private static final String BOMB = "(x) => { const a = []; while (true) { a.push(new Float64Array(4000000)); } }";

  /** HTTP/1.1: a hundred requests at once must not share one HTTP/2 connection and its stream limit. */
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2)).build();

  private static Grid grid;
  private static final long[] baseline = new long[2];

  @BeforeAll
  static void startCluster() throws Exception {
    grid = Grid.start(2, "--part-time-limit-ms", String.valueOf(PART_TIME_LIMIT_MS),
        "--max-result-bytes", String.valueOf(MAX_RESULT_BYTES));
    for (int i = 0; i < 3; i++) {
      assertNormal(post(TARGET, normalJob()));
    }
    for (int node = 0; node < 2; node++) {
      baseline[node] = heapFloor(node, 5);
    }
    System.out.printf("[HostileJobsIT] heap baseline: %d MiB, %d MiB%n", baseline[0] >> 20, baseline[1] >> 20);
  }

  @AfterAll
  static void stopCluster() {
    if (grid != null) {
      grid.close();
    }
  }

  @Test
  @DisplayName("a memory bomb, a CPU spin, a huge result and runaway recursion each fail with their own 422 code, "
      + "while a normal job sent to the same node at the same time completes")
  void eachLimitHasItsCode() throws Exception {
    Map<String, String> hostile = new LinkedHashMap<>();
    hostile.put("memory_limit", BOMB);
    hostile.put("time_limit", "(x) => { while (true) {} }");
    hostile.put("output_limit", "(x) => 'x'.repeat(" + 2 * MAX_RESULT_BYTES + ")");
    hostile.put("stack_limit", "(x) => { const f = (n) => n === 0 ? 0 : 1 + f(n - 1); return f(1e7); }");
    // The normal job goes first and works for a while, so it runs beside the hostile parts, not after them.
    CompletableFuture<HttpResponse<String>> normal = postAsync(TARGET, normalJob(NORMAL_WORK_MS));
    Map<String, CompletableFuture<HttpResponse<String>>> answers = new LinkedHashMap<>();
    hostile.forEach((code, js) -> answers.put(code, postAsync(TARGET, new JsonObject().put("code", js)
        .put("data", new JsonArray().add(1).add(2)).put("partitions", 2).put("timeoutMs", 60_000))));

    // Every outcome is checked, each on its own: one wrong code must not hide how the others ended.
    List<Executable> checks = new ArrayList<>();
    for (Map.Entry<String, CompletableFuture<HttpResponse<String>>> entry : answers.entrySet()) {
      HttpResponse<String> response = entry.getValue().get(90, TimeUnit.SECONDS);
      JsonObject body = new JsonObject(response.body());
      System.out.printf("[HostileJobsIT] %s job: HTTP %d %s (%s ms)%n", entry.getKey(), response.statusCode(),
          body.getString("error"), body.getLong("elapsedMs"));
      checks.add(() -> assertEquals(entry.getKey(), body.getString("error"),
          "the " + entry.getKey() + " job ended as " + body));
      checks.add(() -> assertEquals(422, response.statusCode(), "HTTP status of the " + entry.getKey() + " job: "
          + body));
      checks.add(() -> assertEquals("failed", body.getString("status"), "the " + entry.getKey() + " job: " + body));
    }
    HttpResponse<String> normalAnswer = normal.get(90, TimeUnit.SECONDS);
    System.out.printf("[HostileJobsIT] the normal job beside them: HTTP %d%n", normalAnswer.statusCode());
    checks.add(() -> assertNormal(normalAnswer));
    checks.add(HostileJobsIT::assertHealthy);
    assertAll("hostile jobs beside a normal one", checks);
  }

  @Test
  @DisplayName("a job that computes beside a memory bomb on the same nodes completes: the bomb alone is stopped "
      + "(three rounds)")
  void bombStopsOnlyItself() throws Exception {
    List<String> rounds = new ArrayList<>();
    for (int round = 1; round <= BOMB_ROUNDS; round++) {
      CompletableFuture<HttpResponse<String>> normal = postAsync(TARGET, normalJob(NORMAL_WORK_MS));
      // the bomb starts once both parts of the normal job run (or, on a slow machine, once it has answered)
      Eventually.until("the normal job's two parts run", () -> normal.isDone() || grid.node(TARGET).runningParts() >= 2);
      HttpResponse<String> bomb = post(TARGET, new JsonObject().put("code", BOMB)
          .put("data", new JsonArray().add(1).add(2)).put("partitions", 2));
      HttpResponse<String> answer = normal.get(90, TimeUnit.SECONDS);
      String bombError = new JsonObject(bomb.body()).getString("error");
      String normalError = new JsonObject(answer.body()).getString("error");
      rounds.add("round " + round + ": bomb " + bomb.statusCode() + " " + bombError + ", normal job " + answer.statusCode()
          + (normalError == null ? "" : " " + normalError + " " + answer.body()));
      if (!"memory_limit".equals(bombError) || answer.statusCode() != 200) {
        break;
      }
      assertNormal(answer);
    }
    System.out.println("[HostileJobsIT] memory bomb beside a normal job: " + rounds);
    assertTrue(rounds.size() == BOMB_ROUNDS && rounds.stream().allMatch(r -> r.endsWith("normal job 200")),
        "a memory bomb took a normal job down with it, or was not stopped for memory:\n  "
        + String.join("\n  ", rounds));
    assertHealthy();
  }

  @Test
  @DisplayName("a hundred spinning jobs each time out with 504 timed_out, while a normal job sent to the same node "
      + "at the same time completes, and no part of theirs is left running")
  void hundredSpinners() throws Exception {
    JsonObject spin = new JsonObject().put("code", "(x) => { while (true) {} }")
        .put("data", new JsonArray().add(1).add(2)).put("timeoutMs", 1_500);
    long sent = System.currentTimeMillis(); // the node's own clock stamps createdAt: same machine, same epoch
    List<CompletableFuture<HttpResponse<String>>> spinners = new ArrayList<>();
    for (int i = 0; i < SPINNERS; i++) {
      spinners.add(postAsync(TARGET, spin));
    }
    awaitAccepted(TARGET, sent, SPINNERS, spinners);
    assertNormal(post(TARGET, normalJob()));

    Map<String, Integer> outcomes = new LinkedHashMap<>();
    for (CompletableFuture<HttpResponse<String>> answer : spinners) {
      HttpResponse<String> response;
      try {
        response = answer.get(60, TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException e) {
        outcomes.merge("no answer: " + e.getCause(), 1, Integer::sum);
        continue;
      }
      JsonObject body = new JsonObject(response.body());
      outcomes.merge(response.statusCode() + " " + body.getString("status") + "/" + body.getString("error"), 1,
          Integer::sum);
    }
    System.out.printf("[HostileJobsIT] %d spinning jobs: %s%n", SPINNERS, outcomes);
    assertEquals(Map.of("504 timed_out/timed_out", SPINNERS), outcomes, "how the spinning jobs ended");
    for (int node = 0; node < 2; node++) {
      awaitIdle(node);
    }
    assertHealthy();
  }

  private static JsonObject normalJob() {
    return normalJob(0);
  }

  /** A well-behaved job; with {@code workMs} > 0 each part first computes (allocating nothing) that long. */
  private static JsonObject normalJob(long workMs) {
    JsonArray data = new JsonArray();
    for (int i = 0; i < 100; i++) {
      data.add(i);
    }
    return new JsonObject().put("code", "(xs, ctx) => { const end = Date.now() + " + workMs + "; "
        + "while (Date.now() < end) {} return xs.map(x => x * 3 + 1); }").put("data", data)
        .put("partitions", 2).put("reduce", "(parts) => parts.flat().reduce((a, b) => a + b, 0)")
        .put("timeoutMs", 60_000);
  }

  /** The normal job's exact answer: the sum of 3x + 1 over 0..99. */
  private static void assertNormal(HttpResponse<String> response) {
    assertEquals(200, response.statusCode(), "the normal job: " + response.body());
    JsonObject body = new JsonObject(response.body());
    assertEquals("completed", body.getString("status"), "the normal job: " + body);
    assertEquals(3 * 4950 + 100, body.getInteger("result"), "the normal job's result: " + body);
  }

  /** Both nodes UP, each listing both, both processes alive, and each heap back near its baseline. */
  private static void assertHealthy() throws Exception {
    for (int node = 0; node < 2; node++) {
      NodeProcess process = grid.node(node);
      assertTrue(process.process().isAlive(), process.address() + " died\n" + grid.tail(node));
      JsonObject health = new JsonObject(process.get("/health").body());
      assertEquals("UP", health.getString("status"), "health of " + process.address() + ": " + health);
      assertEquals(2, health.getJsonObject("cluster").getInteger("peers"), "health of " + process.address() + ": "
          + health);
      assertEquals(List.of(grid.node(0).address(), grid.node(1).address()).stream().sorted().toList(),
          grid.peerAddresses(node), "peers listed by " + process.address());
      // the hostile jobs load both cores: failure detection must not have removed a live peer meanwhile
      assertFalse(process.log().contains("peer left"), "a false removal under CPU load:\n" + grid.tail(node));
      long max = health.getJsonObject("heap").getLong("max");
      long limit = Math.max(baseline[node] + HEAP_SLACK, (long) (max * 0.6));
      long floor = heapFloorBelow(node, limit, Eventually.OUTCOME);
      System.out.printf("[HostileJobsIT] %s heap back to %d MiB (baseline %d MiB, limit %d MiB of %d MiB)%n",
          process.address(), floor >> 20, baseline[node] >> 20, limit >> 20, max >> 20);
      final long seen = floor;
      assertTrue(seen <= limit, () -> process.address() + " heap stays at " + (seen >> 20) + " MiB, over "
          + (limit >> 20) + " MiB\n" + grid.tail(process == grid.node(0) ? 0 : 1));
    }
  }

  /**
   * The lowest heap use seen while small allocating jobs run (they make the collector run), polling until
   * a reading is at most {@code limit} or {@code timeout} passes. Heap use includes garbage not yet
   * collected, so only the floor of several readings says what stays live.
   */
  private static long heapFloorBelow(int node, long limit, Duration timeout) throws Exception {
    long[] floor = {Long.MAX_VALUE};
    try {
      Eventually.until("the heap of " + grid.node(node).address() + " back under " + (limit >> 20) + " MiB", timeout, () -> {
        post(node, churnJob());
        floor[0] = Math.min(floor[0], heapUsed(node));
        return floor[0];
      }, f -> f <= limit, () -> "");
    } catch (AssertionError e) {
      // the caller reports the floor reached against the limit
    }
    return floor[0];
  }

  private static long heapFloor(int node, int readings) throws Exception {
    long floor = Long.MAX_VALUE;
    for (int i = 0; i < readings; i++) {
      post(node, churnJob());
      floor = Math.min(floor, heapUsed(node));
    }
    return floor;
  }

  /** A small job that leaves some garbage, so young collections keep happening while the heap is read. */
  private static JsonObject churnJob() {
    return new JsonObject().put("code", "(xs) => { let n = 0; for (let i = 0; i < 20; i++) { "
        + "n += new Array(100000).fill(i).length; } return n; }").put("data", new JsonArray().add(1).add(2))
        .put("partitions", 2);
  }

  private static long heapUsed(int node) throws Exception {
    return new JsonObject(grid.node(node).get("/health").body()).getJsonObject("heap").getLong("used");
  }

  /** Waits until the node has taken {@code count} jobs created since {@code since} (epoch ms), or all have answered. */
  private static void awaitAccepted(int node, long since, int count,
      List<CompletableFuture<HttpResponse<String>>> answers) throws Exception {
    // every job is in, or every answer is: the outcomes then say which jobs went wrong
    Eventually.until("the node takes the " + count + " jobs", () -> answers.stream().allMatch(CompletableFuture::isDone)
        || new JsonObject(grid.node(node).get("/api/jobs").body()).getJsonArray("jobs").stream()
            .filter(j -> ((JsonObject) j).getLong("createdAt") >= since).count() >= count);
  }

  private static void awaitIdle(int node) throws Exception {
    Eventually.until(grid.node(node).address() + " runs no part of ended jobs", Eventually.OUTCOME,
        () -> grid.ownStats(node), stats -> Integer.valueOf(0).equals(stats.getInteger("running"))
            && Integer.valueOf(0).equals(stats.getInteger("queued")), () -> grid.tail(node));
  }

  private static HttpResponse<String> post(int node, JsonObject job) throws Exception {
    return postAsync(node, job).get(90, TimeUnit.SECONDS);
  }

  private static CompletableFuture<HttpResponse<String>> postAsync(int node, JsonObject job) {
    return postAsync(node, "/api/jobs", job);
  }

  private static CompletableFuture<HttpResponse<String>> postAsync(int node, String path, JsonObject job) {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + grid.node(node).address() + path))
        .timeout(Duration.ofSeconds(90)).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(job.encode())).build();
    return HTTP.sendAsync(request, HttpResponse.BodyHandlers.ofString());
  }
}
