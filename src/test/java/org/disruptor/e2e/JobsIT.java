package org.disruptor.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Jobs on a three-node cluster, submitted over HTTP, over the WebSocket and with {@code disruptor submit}. */
@DisplayName("Jobs on a three-node cluster")
class JobsIT {

  private static final Duration FINAL = Eventually.OUTCOME;
  /** The waits for events that come at once on an idle cluster: generous, so a loaded machine only slows them. */
  private static final Duration SOON = Eventually.OUTCOME;
  private static final List<String> LIMITS = List.of("--part-time-limit-ms", "600000");
  private static Cluster cluster;
  private static NodeProcess entry;

  @TempDir
  Path dir;

  @BeforeAll
  static void startCluster() throws Exception {
    // no part time limit within reach: the endless parts below end only when the test ends them
    cluster = Cluster.start(3, List.of(LIMITS, LIMITS, LIMITS));
    cluster.warmUp();
    entry = cluster.node(0);
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  /** POSTs a job and expects 200 completed; returns the response body. */
  private static JsonObject run(JsonObject job) throws Exception {
    HttpResponse<String> response = entry.post("/api/jobs", job.encode());
    assertEquals(200, response.statusCode(), response.body());
    JsonObject body = new JsonObject(response.body());
    assertEquals("completed", body.getString("status"), response.body());
    return body;
  }

  private static Set<String> nodesOf(JsonObject body) {
    Set<String> nodes = new TreeSet<>();
    body.getJsonArray("partitions").forEach(p -> nodes.add(((JsonObject) p).getString("node")));
    return nodes;
  }

  private static JsonArray range(int from, int to) {
    return new JsonArray(IntStream.range(from, to).boxed().map(Object.class::cast).toList());
  }

  @Test
  @DisplayName("?stream=true answers as the job runs: one JSON event a line, accepted, each part, then the end")
  void streamsEvents() throws Exception {
    HttpResponse<String> response = entry.post("/api/jobs?stream=true",
        new JsonObject().put("code", "(xs) => xs.map(x => x * 2)").put("data", range(0, 8)).put("partitions", 4).encode());
    assertEquals(200, response.statusCode());
    assertEquals("application/x-ndjson", response.headers().firstValue("content-type").orElse(""));
    List<JsonObject> events = response.body().lines().map(JsonObject::new).toList();
    assertEquals("accepted", events.getFirst().getString("type"));
    assertEquals(4, events.stream().filter(e -> "partition".equals(e.getString("type"))).count(), response.body());
    JsonObject last = events.getLast();
    assertEquals("completed", last.getString("type"));
    assertEquals(new JsonArray("[[0,2],[4,6],[8,10],[12,14]]"), last.getJsonArray("result"));
    HttpResponse<String> both = entry.post("/api/jobs?stream=true&async=true",
        new JsonObject().put("code", "(x) => x").put("data", range(0, 2)).encode());
    assertEquals(400, both.statusCode());
    assertEquals("bad_request", new JsonObject(both.body()).getString("error"));
  }

  @Test
  @DisplayName("a map job over 10,000 numbers in 12 parts returns exactly the function's values, slice by slice, spread over all nodes")
  void mapJob() throws Exception {
    JsonObject body = run(new JsonObject().put("code", "(xs, ctx) => xs.map(x => (x * x + 7 * x) % 1009 - ctx.partition)")
        .put("data", range(0, 10_000)).put("partitions", 12));

    JsonArray result = body.getJsonArray("result");
    assertEquals(12, result.size());
    int next = 0;
    for (int part = 0; part < 12; part++) {
      JsonArray values = result.getJsonArray(part);
      int size = 10_000 / 12 + (part < 10_000 % 12 ? 1 : 0);
      assertEquals(size, values.size(), "part " + part + " is a contiguous slice of balanced size");
      for (int i = 0; i < values.size(); i++, next++) {
        long x = next;
        assertEquals((x * x + 7 * x) % 1009 - part, values.getLong(i), "value of element " + next);
      }
    }
    assertEquals(10_000, next);

    JsonArray partitions = body.getJsonArray("partitions");
    assertEquals(12, partitions.size());
    for (int i = 0; i < 12; i++) {
      assertEquals(i, partitions.getJsonObject(i).getInteger("index"));
    }
    assertEquals(cluster.addresses(), nodesOf(body), "the parts ran on every node");
  }

  @Test
  @DisplayName("a broadcast job runs once on every node, each result carrying that node's address")
  void broadcastJob() throws Exception {
    JsonObject body = run(new JsonObject().put("mode", "broadcast").put("data", new JsonObject().put("a", 2).put("b", 3))
        .put("code", "(d, ctx) => ({ node: ctx.node, partition: ctx.partition, partitions: ctx.partitions, sum: d.a + d.b })"));

    JsonArray result = body.getJsonArray("result");
    JsonArray partitions = body.getJsonArray("partitions");
    assertEquals(3, result.size(), body.encodePrettily());
    Set<String> nodes = new TreeSet<>();
    for (int i = 0; i < 3; i++) {
      JsonObject r = result.getJsonObject(i);
      assertEquals(5, r.getInteger("sum"));
      assertEquals(i, r.getInteger("partition"));
      assertEquals(3, r.getInteger("partitions"));
      assertEquals(partitions.getJsonObject(i).getString("node"), r.getString("node"),
          "partitions[i].node says where part i ran");
      nodes.add(r.getString("node"));
    }
    assertEquals(cluster.addresses(), nodes, "one result per node");
  }

  @Test
  @DisplayName("reduce receives the part results in part order and its value is the job's result")
  void reduceJob() throws Exception {
    JsonObject body = run(new JsonObject().put("data", range(1, 1001)).put("partitions", 5)
        .put("code", "(xs) => xs.reduce((s, x) => s + x * x, 0)")
        .put("reduce", "(parts) => ({ total: parts.reduce((a, b) => a + b, 0), parts })"));

    JsonObject result = body.getJsonObject("result");
    assertEquals(333_833_500L, result.getLong("total"));
    List<Long> expected = new ArrayList<>();
    for (int part = 0; part < 5; part++) {
      long sum = 0;
      for (long x = part * 200L + 1; x <= part * 200L + 200; x++) {
        sum += x * x;
      }
      expected.add(sum);
    }
    assertEquals(expected, result.getJsonArray("parts").stream().map(v -> ((Number) v).longValue()).toList());
  }

  @Test
  @DisplayName("an async function's awaited value is the part's result")
  void asyncJob() throws Exception {
    JsonObject body = run(new JsonObject().put("data", range(1, 7)).put("partitions", 3)
        .put("code", "async (xs, ctx) => { const ys = await Promise.all(xs.map(async x => x + 1)); await null; return ys; }"));
    assertEquals(new JsonArray("[[2,3],[4,5],[6,7]]"), body.getJsonArray("result"));
  }

  @Test
  @DisplayName("console.log inside a job is returned per partition and never printed by a node")
  void consoleLogCaptured() throws Exception {
    String marker = "log-marker-" + System.nanoTime();
    JsonObject body = run(new JsonObject().put("data", range(1, 7)).put("partitions", 3)
        .put("code", "(xs, ctx) => { console.log('" + marker + " part ' + ctx.partition);"
            + " console.log('sum', xs.reduce((a, b) => a + b, 0)); return xs.length; }"));
    JsonArray partitions = body.getJsonArray("partitions");
    for (int i = 0; i < 3; i++) {
      int sum = (2 * i + 1) + (2 * i + 2);
      assertEquals(new JsonArray().add(marker + " part " + i).add("sum " + sum),
          partitions.getJsonObject(i).getJsonArray("logs"), "logs of partition " + i);
    }
    for (NodeProcess node : cluster.nodes()) {
      assertFalse(node.log().contains(marker), "node " + node.address() + " printed the job's console.log");
    }
  }

  /** Parts that busy-wait {@code 100 * x} ms (x is the part's one element) and return what they waited. */
  private static final String STAGGERED = """
      (xs, ctx) => {
        const ms = 100 * xs[0];
        const end = Date.now() + ms;
        while (Date.now() < end) { }
        return { index: ctx.partition, waited: ms };
      }""";

  /** Parts that busy-wait far longer than any test runs: only a cancel (or the end of the test) stops them. */
  private static final String ENDLESS = "(xs) => { const end = Date.now() + 600000; while (Date.now() < end) { } return xs; }";

  /** Part 0 returns at once; every other part runs until it is stopped. */
  private static final String FIRST_ONLY = "(xs, ctx) => { if (ctx.partition === 0) { return xs; } "
      + "const end = Date.now() + 600000; while (Date.now() < end) { } return xs; }";

  @Test
  @DisplayName("a large job (200,000 mixed elements, ~2 MB, sliced on a worker thread) gives the same result over HTTP and over the WebSocket, element for element, with its ref")
  void largeJobBothWays() throws Exception {
    JsonArray data = new JsonArray();
    for (int i = 0; i < 200_000; i++) {
      data.add(i % 5 == 0 ? new JsonObject().put("n", i).put("s", "\u00e9,]" + i) : i % 7 == 0 ? "t\"" + i : i);
    }
    String code = "(xs, ctx) => xs.map(x => typeof x === 'number' ? x * 2 : typeof x === 'string' ? x.length : x.n + 1)";
    JsonArray expected = new JsonArray();
    for (int i = 0; i < 200_000; i++) {
      expected.add(i % 5 == 0 ? i + 1 : i % 7 == 0 ? ("t\"" + i).length() : i * 2);
    }
    JsonObject job = new JsonObject().put("code", code).put("data", data).put("partitions", 7);
    JsonArray overHttp = new JsonArray();
    run(job).getJsonArray("result").forEach(part -> overHttp.addAll((JsonArray) part));
    assertEquals(expected, overHttp);
    try (JobSocketClient client = JobSocketClient.connect(entry.address())) {
      client.send(job.copy().put("ref", new JsonObject().put("batch", "big")));
      JobSocketClient.Event accepted = client.awaitAccepted(0, SOON);
      assertEquals(new JsonObject().put("batch", "big"), accepted.json().getJsonObject("ref"), accepted.toString());
      JobSocketClient.Event done = client.awaitFinal(accepted.id(), FINAL);
      assertEquals("completed", done.type());
      JsonArray overSocket = new JsonArray();
      done.json().getJsonArray("result").forEach(part -> overSocket.addAll((JsonArray) part));
      assertEquals(expected, overSocket);
    }
  }

  @Test
  @DisplayName("data reaches the job as the client wrote it, over HTTP and the WebSocket: -0 stays -0 (a decode and re-encode would make it 0)")
  void dataVerbatim() throws Exception {
    String job = "{\"code\":\"(xs) => xs.map(x => Object.is(x, -0))\",\"data\":[-0, 0, -0.0],\"partitions\":1}";
    HttpResponse<String> response = entry.post("/api/jobs", job);
    assertEquals(200, response.statusCode(), response.body());
    assertEquals(new JsonArray("[[true,false,true]]"), new JsonObject(response.body()).getJsonArray("result"));
    try (JobSocketClient client = JobSocketClient.connect(entry.address())) {
      client.send(job);
      JobSocketClient.Event done = client.awaitFinal(client.awaitAccepted(0, SOON).id(), FINAL);
      assertEquals(new JsonArray("[[true,false,true]]"), done.json().getJsonArray("result"), done.toString());
    }
  }

  @Test
  @DisplayName("over the WebSocket: accepted, then one partition event per part with its result, then completed")
  void webSocketEventsOfAJob() throws Exception {
    try (JobSocketClient client = JobSocketClient.connect(entry.address())) {
      client.send(new JsonObject().put("code", STAGGERED).put("data", range(0, 4)).put("partitions", 4));
      JobSocketClient.Event accepted = client.awaitAccepted(0, SOON);
      assertEquals(4, accepted.json().getInteger("partitions"));
      assertTrue(cluster.addresses().containsAll(accepted.json().getJsonArray("nodes").getList()), accepted.toString());
      String id = accepted.id();
      JobSocketClient.Event done = client.awaitFinal(id, FINAL);
      assertEquals("completed", done.type(), done.toString());

      List<JobSocketClient.Event> events = client.eventsOf(id);
      assertEquals("accepted", events.getFirst().type());
      assertEquals(done, events.getLast(), "the final event comes last");
      List<JobSocketClient.Event> parts = events.stream().filter(e -> "partition".equals(e.type())).toList();
      assertEquals(6, events.size(), "accepted, 4 partitions, completed: " + events);
      Set<Integer> indexes = new HashSet<>();
      for (JobSocketClient.Event part : parts) {
        int index = part.json().getInteger("index");
        indexes.add(index);
        assertEquals(new JsonObject().put("index", index).put("waited", 100 * index), part.json().getJsonObject("result"));
        assertTrue(cluster.addresses().contains(part.json().getString("node")), part.toString());
      }
      assertEquals(Set.of(0, 1, 2, 3), indexes);
      JsonArray result = done.json().getJsonArray("result");
      for (int i = 0; i < 4; i++) {
        assertEquals(new JsonObject().put("index", i).put("waited", 100 * i), result.getJsonObject(i));
      }
    }
  }

  @Test
  @DisplayName("over the WebSocket: a part's event is streamed as soon as it finishes, while the job's other parts "
      + "still run (they run until the test cancels the job)")
  void webSocketStreamsParts() throws Exception {
    try (JobSocketClient client = JobSocketClient.connect(entry.address())) {
      client.send(new JsonObject().put("code", FIRST_ONLY).put("data", range(0, 3)).put("partitions", 3)
          .put("timeoutMs", 600_000));
      String id = client.awaitAccepted(0, SOON).id();
      JobSocketClient.Event first = client.await(e -> id.equals(e.id()) && "partition".equals(e.type()), FINAL,
          "the partition event of part 0");
      assertEquals(0, first.json().getInteger("index"), first.toString());
      assertEquals(new JsonArray().add(0), first.json().getJsonArray("result"), first.toString());
      // parts 1 and 2 cannot have ended: nothing but the cancel below stops them
      JsonObject view = new JsonObject(entry.get("/api/jobs/" + id).body());
      assertEquals("running", view.getString("status"), view.encode());
      List<String> statuses = view.getJsonArray("partitions").stream().map(p -> ((JsonObject) p).getString("status")).toList();
      assertEquals("done", statuses.get(0), view.encode());
      assertTrue(statuses.subList(1, 3).stream().allMatch(st -> st.equals("running") || st.equals("pending")), view.encode());
      assertEquals(List.of("accepted", "partition"), client.eventsOf(id).stream().map(JobSocketClient.Event::type).toList(),
          "no other event before the job ends");

      client.send(new JsonObject().put("type", "cancel").put("id", id));
      JobSocketClient.Event end = client.awaitFinal(id, FINAL);
      assertEquals("cancelled", end.type(), end.toString());
      assertEquals(List.of("accepted", "partition", "cancelled"),
          client.eventsOf(id).stream().map(JobSocketClient.Event::type).toList());
      entry.awaitRunningParts(0, FINAL, "every node stops the cancelled job's parts");
    }
  }

  @Test
  @DisplayName("over the WebSocket: two jobs on one socket both complete with their own results")
  void webSocketTwoJobs() throws Exception {
    try (JobSocketClient client = JobSocketClient.connect(entry.address())) {
      client.send(new JsonObject().put("code", "(xs) => xs.map(x => x * 2)").put("data", range(1, 4)).put("partitions", 3)
          .put("ref", "doubles"));
      client.send(new JsonObject().put("code", "(xs) => xs.map(x => x + 100)").put("data", range(1, 3)).put("partitions", 2)
          .put("ref", "plus100"));
      String first = client.awaitAccepted("doubles", SOON).id();
      String second = client.awaitAccepted("plus100", SOON).id();
      assertNotEquals(first, second);
      JobSocketClient.Event a = client.awaitFinal(first, FINAL);
      JobSocketClient.Event b = client.awaitFinal(second, FINAL);
      assertEquals("completed", a.type(), a.toString());
      assertEquals("completed", b.type(), b.toString());
      assertEquals(new JsonArray("[[2],[4],[6]]"), a.json().getJsonArray("result"));
      assertEquals(new JsonArray("[[101],[102]]"), b.json().getJsonArray("result"));
    }
  }

  @Test
  @DisplayName("over the WebSocket: a cancel message stops a running job, which ends cancelled, on every node")
  void webSocketCancel() throws Exception {
    entry.awaitIdle(FINAL);
    try (JobSocketClient client = JobSocketClient.connect(entry.address())) {
      client.send(new JsonObject().put("code", ENDLESS).put("data", range(0, 3)).put("partitions", 3).put("timeoutMs", 600_000));
      String id = client.awaitAccepted(0, SOON).id();
      entry.awaitRunningParts(3, SOON, "the three parts run");
      client.send(new JsonObject().put("type", "cancel").put("id", id));
      JobSocketClient.Event end = client.awaitFinal(id, FINAL);
      assertEquals("cancelled", end.type(), end.toString());
      entry.awaitRunningParts(0, FINAL, "every node stops the cancelled job's parts");
    }
  }

  @Test
  @DisplayName("closing the WebSocket cancels all its running jobs: GET /api/jobs/{id} then shows each cancelled")
  void closingSocketCancels() throws Exception {
    List<String> ids = new ArrayList<>();
    entry.awaitIdle(FINAL);
    try (JobSocketClient client = JobSocketClient.connect(entry.address())) {
      for (int i = 0; i < 3; i++) {
        client.send(new JsonObject().put("code", ENDLESS).put("data", range(0, 1)).put("partitions", 1)
            .put("timeoutMs", 600_000));
        ids.add(client.awaitAccepted(i, SOON).id());
      }
      entry.awaitRunningParts(3, SOON, "the three jobs' parts run");
    }
    for (String id : ids) {
      Eventually.until("job " + id + " is cancelled after its socket closed", () -> {
        HttpResponse<String> job = entry.get("/api/jobs/" + id);
        assertEquals(200, job.statusCode(), job.body());
        return new JsonObject(job.body()).getString("status");
      }, "cancelled"::equals);
    }
    entry.awaitRunningParts(0, FINAL, "every node stops the jobs' parts");
  }

  @Test
  @DisplayName("disruptor submit prints the result JSON on stdout, a progress bar on stderr, and exits 0")
  void submitCommand() throws Exception {
    Path job = Files.writeString(dir.resolve("job.js"), "(xs, ctx) => xs.map(x => x * 3)");
    Path data = Files.writeString(dir.resolve("data.json"), range(1, 21).encode());
    NodeProcess.CliRun run = NodeProcess.cli(Duration.ofSeconds(60), "submit", "--to", entry.address(),
        job.toString(), data.toString(), "--partitions", "4");
    assertEquals(0, run.exit(), run.toString());
    JsonObject out = new JsonObject(run.stdout());
    assertEquals("completed", out.getString("status"), run.toString());
    JsonArray expected = new JsonArray();
    for (int part = 0; part < 4; part++) {
      JsonArray slice = new JsonArray();
      for (int x = part * 5 + 1; x <= part * 5 + 5; x++) {
        slice.add(3 * x);
      }
      expected.add(slice);
    }
    assertEquals(expected, out.getJsonArray("result"), run.toString());
    assertTrue(run.stderr().contains("parts"), "a progress bar on stderr\n" + run);
    assertTrue(run.stderr().contains("4/4 parts"), "the progress bar reaches 4/4\n" + run);
  }

  @Test
  @DisplayName("disruptor submit of a failing job exits non-zero with the job's message")
  void submitFailingJob() throws Exception {
    Path job = Files.writeString(dir.resolve("fail.js"),
        "(xs, ctx) => { if (ctx.partition === 1) { throw new Error('cli-boom-' + ctx.partition); } return xs; }");
    Path data = Files.writeString(dir.resolve("data.json"), range(1, 9).encode());
    NodeProcess.CliRun run = NodeProcess.cli(Duration.ofSeconds(60), "submit", "--to", entry.address(),
        job.toString(), data.toString(), "--partitions", "4");
    assertNotEquals(0, run.exit(), run.toString());
    assertTrue(run.stderr().contains("cli-boom-1"), "the job's message on stderr\n" + run);
  }

  @Test
  @DisplayName("disruptor peers lists the three nodes")
  void peersCommand() throws Exception {
    NodeProcess.CliRun run = NodeProcess.cli(Duration.ofSeconds(60), "peers", "--to", entry.address());
    assertEquals(0, run.exit(), run.toString());
    for (String address : cluster.addresses()) {
      assertTrue(run.stdout().contains(address), address + " listed\n" + run);
    }
  }
}
