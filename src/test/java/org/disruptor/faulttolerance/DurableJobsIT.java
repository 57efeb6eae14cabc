package org.disruptor.faulttolerance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.disruptor.e2e.Eventually;
import org.disruptor.e2e.NodeProcess;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * No node is a job's single point of failure (issue 14), on real node processes: async jobs outlive their
 * coordinator (adopted by exactly one survivor, each part counted once), any node answers for any job,
 * and an idempotency key gives one job however many nodes it is sent to. Outcomes only, generous deadlines.
 */
@DisplayName("Durable jobs and the cluster-wide job directory")
class DurableJobsIT {

  private static final Duration END = Duration.ofSeconds(90);

  /** 12 parts of about {@code partMs} each; the exact result of the flat reduce is the squares of 0..23. */
  private static JsonObject twelveParts(long partMs, String reduce) {
    return Grid.busySquares(24, 12, partMs).put("reduce", reduce).put("timeoutMs", 120_000);
  }

  private static void assertSquares(JsonObject view, int count) {
    assertEquals("completed", view.getString("status"), () -> "not completed: " + view);
    JsonArray result = view.getJsonArray("result");
    assertTrue(result != null, () -> "a completed job's view with its result: " + view);
    assertEquals(count, result.size(), () -> "every part's result once: " + view);
    for (int i = 0; i < count; i++) {
      assertEquals((long) i * i, result.getLong(i), "element " + i);
    }
  }

  /**
   * Waits until {@code node} gives the job's full view (from the adopter, or the final view the cluster kept)
   * and it has ended; a directory summary ({@code summaryOnly}: the coordinator gone, the adopter not
   * answering yet) may come first.
   */
  private static JsonObject awaitCompleted(Grid grid, int node, String id) throws Exception {
    return grid.awaitJob(node, id, END, j -> !"running".equals(j.getString("status"))
        && !j.getBoolean("summaryOnly", false), "end on " + grid.node(node).address());
  }

  @Test
  @DisplayName("an async job whose coordinator is killed mid-job completes on the survivors with the exact result")
  void coordinatorKilledMidJob() throws Exception {
    try (Grid grid = Grid.start(3)) {
      // a synchronous job is its coordinator's alone: once that node is gone, the others give the cluster
      // directory's summary of it, marked as such (no result)
      HttpResponse<String> sync = grid.node(0).post("/api/jobs", new JsonObject().put("code", "(xs) => xs")
          .put("data", new JsonArray().add(1).add(2)).encode());
      assertEquals(200, sync.statusCode(), sync.body());
      String syncId = new JsonObject(sync.body()).getString("id");
      assertEquals(null, grid.job(1, syncId).getBoolean("summaryOnly"), "the full view while its coordinator lives");
      String id = grid.submit(0, twelveParts(500, "flat"));
      grid.awaitJob(1, id, END, j -> j.getInteger("done", 0) >= 2, "have two parts done");
      grid.node(0).kill();
      JsonObject summary = grid.awaitJob(1, syncId, END, j -> j.containsKey("summaryOnly"), "be given as a summary");
      assertEquals(true, summary.getBoolean("summaryOnly"), summary.encode());
      assertEquals("completed", summary.getString("status"), summary.encode());
      assertTrue(!summary.containsKey("result"), summary.encode());
      JsonObject onB = awaitCompleted(grid, 1, id);
      assertSquares(onB, 24);
      assertEquals(id, onB.getString("id"), "the job keeps its id");
      assertNotEquals(grid.node(0).address(), onB.getString("coordinator"), "a survivor finished it");
      assertSquares(awaitCompleted(grid, 2, id), 24);
    }
  }

  @Test
  @DisplayName("an async job whose coordinator is killed during the reduce: the reduce runs again, nothing else")
  void coordinatorKilledBeforeReduce() throws Exception {
    try (Grid grid = Grid.start(3)) {
      String slowReduce = "(parts) => { const end = Date.now() + 4000; while (Date.now() < end) {} return parts.flat(); }";
      String id = grid.submit(0, twelveParts(50, slowReduce));
      grid.awaitJob(0, id, END, j -> j.getInteger("done", 0) == 12, "have every part done");
      grid.node(0).kill();
      JsonObject view = awaitCompleted(grid, 1, id);
      assertSquares(view, 24);
      assertTrue(view.getJsonArray("partitions").stream().allMatch(p -> "done".equals(((JsonObject) p)
          .getString("status"))), () -> "every part is done, once: " + view);
    }
  }

  @Test
  @DisplayName("two nodes killed one after the other (the coordinator, then its adopter): the job still completes")
  void twoNodesKilled() throws Exception {
    try (Grid grid = Grid.start(4)) {
      String id = grid.submit(0, twelveParts(700, "flat"));
      grid.awaitJob(1, id, END, j -> j.getInteger("done", 0) >= 1, "have a part done");
      grid.node(0).kill();
      JsonObject adopted = grid.awaitJob(1, id, END, j -> j.getString("coordinator") != null
          && !j.getString("coordinator").equals(grid.node(0).address()), "be adopted");
      String adopter = adopted.getString("coordinator");
      // the second death only once the survivors hold every backup again: two nodes dying before that can
      // lose what the cluster stored (README, "No single point of failure for a job")
      Eventually.until("the cluster has its backups again after the first death", Eventually.OUTCOME,
          () -> new JsonObject(grid.node(1).get("/health?safe").body()).getJsonObject("cluster").getBoolean("safe"),
          Boolean.TRUE::equals, () -> "");
      if ("running".equals(adopted.getString("status"))) {
        for (int i = 1; i < 4; i++) {
          if (grid.node(i).address().equals(adopter)) {
            grid.node(i).kill();
          }
        }
      }
      int survivor = grid.node(1).address().equals(adopter) ? 2 : 1;
      assertSquares(awaitCompleted(grid, survivor, id), 24);
    }
  }

  @Test
  @DisplayName("a job submitted to A is listed, watched live and cancelled from B")
  void anyNodeAnswers() throws Exception {
    try (Grid grid = Grid.start(3)) {
      String id = grid.submit(0, Grid.busySquares(6, 6, 60_000).put("timeoutMs", 120_000));
      NodeProcess b = grid.node(1);
      JsonObject list = awaitListed(b, id);
      assertEquals(grid.node(0).address(), list.getString("coordinator"));
      try (Socket watcher = new Socket(b.address())) {
        watcher.send(new JsonObject().put("type", "watch").put("id", id).encode());
        JsonObject snapshot = watcher.next(Duration.ofSeconds(30));
        assertEquals("snapshot", snapshot.getString("type"), () -> "first a snapshot: " + snapshot);
        assertEquals(id, snapshot.getString("id"));
        HttpResponse<String> cancelled = b.delete("/api/jobs/" + id);
        assertEquals(200, cancelled.statusCode(), cancelled::body);
        JsonObject end = watcher.until(e -> e.getString("type").equals("cancelled"), Duration.ofSeconds(30));
        assertEquals(id, end.getString("id"));
      }
      JsonObject view = grid.awaitEnd(2, id, END);
      assertEquals("cancelled", view.getString("status"), "C sees it cancelled too");
      assertEquals(404, b.get("/api/jobs/" + UUID.randomUUID()).statusCode(), "an unknown job is 404 everywhere");
    }
  }

  private static JsonObject awaitListed(NodeProcess node, String id) throws Exception {
    long end = System.nanoTime() + END.toNanos();
    while (System.nanoTime() < end) {
      JsonObject list = new JsonObject(node.get("/api/jobs").body());
      for (Object o : list.getJsonArray("jobs")) {
        if (id.equals(((JsonObject) o).getString("id"))) {
          return (JsonObject) o;
        }
      }
      Thread.sleep(100);
    }
    throw new AssertionError("job " + id + " never listed on " + node.address());
  }

  @Test
  @DisplayName("the same Idempotency-Key sent to A and to B yields one job, and both answer its result")
  void idempotencyKey() throws Exception {
    try (Grid grid = Grid.start(3)) {
      String key = "order-" + UUID.randomUUID();
      String job = Grid.busySquares(8, 4, 300).encode();
      HttpResponse<String> first = post(grid.node(0), "/api/jobs?async=true", job, key);
      assertEquals(202, first.statusCode(), first::body);
      String id = new JsonObject(first.body()).getString("id");
      HttpResponse<String> again = post(grid.node(1), "/api/jobs?async=true", job, key);
      assertEquals(202, again.statusCode(), again::body);
      assertEquals(id, new JsonObject(again.body()).getString("id"), "the second submission names the first job");
      assertEquals(true, new JsonObject(again.body()).getBoolean("existing"));
      HttpResponse<String> sync = post(grid.node(2), "/api/jobs", job, key);
      assertEquals(200, sync.statusCode(), sync::body);
      JsonObject view = new JsonObject(sync.body());
      assertEquals(id, view.getString("id"));
      assertEquals(8, view.getJsonArray("result").stream().mapToInt(p -> ((JsonArray) p).size()).sum());
      long count = new JsonObject(grid.node(1).get("/api/jobs?limit=1000").body()).getJsonArray("jobs").stream()
          .filter(j -> key.equals(((JsonObject) j).getString("key"))).count();
      assertEquals(1, count, "one job with the key in the whole cluster");
    }
  }

  private static HttpResponse<String> post(NodeProcess node, String path, String body, String key) throws Exception {
    return NodeProcess.HTTP.send(HttpRequest.newBuilder(URI.create("http://" + node.address() + path))
        .timeout(Duration.ofSeconds(60)).header("Idempotency-Key", key).POST(HttpRequest.BodyPublishers.ofString(body))
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  /** A bare job WebSocket client: every message the node sends, in order. */
  private static final class Socket implements AutoCloseable, java.net.http.WebSocket.Listener {
    private final java.util.concurrent.BlockingQueue<JsonObject> messages = new java.util.concurrent.LinkedBlockingQueue<>();
    private final StringBuilder partial = new StringBuilder();
    private final java.net.http.WebSocket socket;

    Socket(String address) throws Exception {
      socket = NodeProcess.HTTP.newWebSocketBuilder().buildAsync(URI.create("ws://" + address + "/api/jobs/ws"), this)
          .get(10, java.util.concurrent.TimeUnit.SECONDS);
    }

    @Override
    public java.util.concurrent.CompletionStage<?> onText(java.net.http.WebSocket ws, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        messages.add(new JsonObject(partial.toString()));
        partial.setLength(0);
      }
      ws.request(1);
      return null;
    }

    void send(String text) throws Exception {
      socket.sendText(text, true).get(10, java.util.concurrent.TimeUnit.SECONDS);
    }

    JsonObject next(Duration timeout) throws InterruptedException {
      JsonObject message = messages.poll(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
      if (message == null) {
        throw new AssertionError("no message within " + timeout);
      }
      return message;
    }

    JsonObject until(java.util.function.Predicate<JsonObject> match, Duration timeout) throws InterruptedException {
      long end = System.nanoTime() + timeout.toNanos();
      List<JsonObject> seen = new java.util.ArrayList<>();
      while (System.nanoTime() < end) {
        JsonObject message = messages.poll(100, java.util.concurrent.TimeUnit.MILLISECONDS);
        if (message != null) {
          if (match.test(message)) {
            return message;
          }
          seen.add(message);
        }
      }
      throw new AssertionError("no matching message within " + timeout + "; got " + seen);
    }

    @Override
    public void close() {
      socket.abort();
    }
  }
}
