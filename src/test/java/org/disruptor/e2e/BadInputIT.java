package org.disruptor.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bad jobs and hostile code against a two-node cluster: each gets its HTTP status and a JSON error body,
 * and the node serves the next normal job correctly right after.
 */
@DisplayName("Bad input on a two-node cluster")
class BadInputIT {

  private static final int MAX_BODY = 100_000;
  private static Cluster cluster;
  private static NodeProcess entry;

  @BeforeAll
  static void startCluster() throws Exception {
    // no part time limit within reach: the endless job below ends only by its DELETE
    List<String> noPartLimit = List.of("--part-time-limit-ms", "600000");
    // the code limit this class tests against (the default, maxCodeBytes, is 1 MiB)
    cluster = Cluster.start(2, List.of(List.of("--max-body-bytes", String.valueOf(MAX_BODY), "--max-code-bytes", "65536",
        noPartLimit.get(0), noPartLimit.get(1)), noPartLimit));
    cluster.warmUp();
    entry = cluster.node(0);
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  /** After every bad input the node serves a normal job correctly (how soon: {@code ./run.sh bench faults}). */
  @AfterEach
  void servesTheNextJob() throws Exception {
    HttpResponse<String> response = entry.post("/api/jobs", new JsonObject().put("code", "(xs) => xs.map(x => x * 10)")
        .put("data", new JsonArray(List.of(1, 2, 3, 4))).put("partitions", 2).encode());
    assertEquals(200, response.statusCode(), "the next normal job: " + response.body());
    assertEquals(new JsonArray("[[10,20],[30,40]]"), new JsonObject(response.body()).getJsonArray("result"));
    for (NodeProcess node : cluster.nodes()) {
      assertTrue(node.process().isAlive(), "node " + node.address() + " is still running:\n" + node.log());
    }
  }

  /** Asserts the status, a JSON body {"error": code, "message": ...}, and returns the body. */
  private static JsonObject assertError(HttpResponse<String> response, int status, String code) {
    assertEquals(status, response.statusCode(), response.body());
    assertTrue(response.headers().firstValue("content-type").orElse("").startsWith("application/json"),
        "JSON content type: " + response.headers());
    JsonObject body = new JsonObject(response.body());
    assertEquals(code, body.getString("error"), response.body());
    assertFalse(body.getString("message", "").isBlank(), "a message: " + response.body());
    return body;
  }

  private static HttpResponse<String> post(JsonObject job) throws Exception {
    return entry.post("/api/jobs", job.encode());
  }

  private static JsonArray range(int from, int to) {
    return new JsonArray(IntStream.range(from, to).boxed().map(Object.class::cast).toList());
  }

  @Test
  @DisplayName("invalid JSON is refused with 400 bad_request")
  void invalidJson() throws Exception {
    assertError(entry.post("/api/jobs", "{\"code\": \"(xs) => xs\", \"data\": [1, 2"), 400, "bad_request");
  }

  @Test
  @DisplayName("a job without code is refused with 400 bad_request")
  void noCode() throws Exception {
    assertError(post(new JsonObject().put("data", range(0, 3))), 400, "bad_request");
  }

  @Test
  @DisplayName("map mode with data that is not an array is refused with 400 bad_request")
  void mapWithoutArray() throws Exception {
    assertError(post(new JsonObject().put("code", "(x) => x").put("data", new JsonObject().put("a", 1))), 400, "bad_request");
    assertError(post(new JsonObject().put("code", "(x) => x")), 400, "bad_request");
  }

  @Test
  @DisplayName("code that is not a function fails with 422 not_a_function")
  void notAFunction() throws Exception {
    assertError(post(new JsonObject().put("code", "42").put("data", range(0, 4))), 422, "not_a_function");
  }

  @Test
  @DisplayName("a syntax error fails with 422 compile_error and its line")
  void syntaxError() throws Exception {
    JsonObject body = assertError(post(new JsonObject().put("code", "(xs) => {\n  return xs.map(x => x +);\n}")
        .put("data", range(0, 4))), 422, "compile_error");
    assertEquals(2, body.getInteger("line"), body.encodePrettily());
  }

  @Test
  @DisplayName("a throw in part 3 of 5 fails with 422 job_error naming partition 3, its node and the line")
  void throwInOnePart() throws Exception {
    String code = "(xs, ctx) => {\n  if (ctx.partition === 3) {\n    throw new Error('part three failed');\n  }\n  return xs;\n}";
    JsonObject body = assertError(post(new JsonObject().put("code", code).put("data", range(0, 10)).put("partitions", 5)),
        422, "job_error");
    assertEquals(3, body.getInteger("partition"), body.encodePrettily());
    assertTrue(cluster.addresses().contains(body.getString("node")), "the node part 3 ran on: " + body.encodePrettily());
    assertEquals(3, body.getInteger("line"), body.encodePrettily());
    assertNotNull(body.getInteger("column"), body.encodePrettily());
    assertTrue(body.getString("message").contains("part three failed"), body.encodePrettily());
  }

  @Test
  @DisplayName("a body over --max-body-bytes is refused with 413 payload_too_large")
  void bodyOverLimit() throws Exception {
    String big = new JsonObject().put("code", "(xs) => xs.length").put("data", range(0, 30_000)).encode();
    assertTrue(big.length() > MAX_BODY);
    assertError(entry.post("/api/jobs", big), 413, "payload_too_large");
  }

  @Test
  @DisplayName("code over the code limit (64 KiB) in a body under the body limit is refused with 413 payload_too_large")
  void codeOverLimit() throws Exception {
    String code = "(xs) => xs.length /* " + "x".repeat(70_000) + " */";
    assertError(post(new JsonObject().put("code", code).put("data", range(0, 3))), 413, "payload_too_large");
  }

  @Test
  @DisplayName("while(true){} with timeoutMs 500 ends at its deadline: 504 timed_out, and its parts stop on every node")
  void endlessLoopTimesOut() throws Exception {
    HttpResponse<String> response = post(new JsonObject().put("code", "(xs) => { while (true) { } }")
        .put("data", range(0, 2)).put("timeoutMs", 500));
    JsonObject body = assertError(response, 504, "timed_out");
    assertEquals("timed_out", body.getString("status"), response.body());
    entry.awaitRunningParts(0, Eventually.OUTCOME, "the endless parts are stopped on every node");
  }

  @Test
  @DisplayName("DELETE of a running job answers 200, the job ends cancelled, its parts stop and the request waiting on it gets 409")
  void deleteRunningJob() throws Exception {
    String job = new JsonObject().put("code", "(xs) => { const end = Date.now() + 600000; while (Date.now() < end) { } return xs; }")
        .put("data", range(0, 2)).put("timeoutMs", 600_000).encode();
    CompletableFuture<HttpResponse<String>> waiting = NodeProcess.HTTP.sendAsync(
        HttpRequest.newBuilder(URI.create("http://" + entry.address() + "/api/jobs")).timeout(Duration.ofSeconds(600))
            .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(job)).build(),
        HttpResponse.BodyHandlers.ofString());
    String id = awaitRunningJob();
    entry.awaitRunningParts(2, Eventually.OUTCOME, "the job's two parts run");

    HttpResponse<String> deleted = entry.delete("/api/jobs/" + id);
    assertEquals(200, deleted.statusCode(), deleted.body());
    HttpResponse<String> response = waiting.get(Eventually.OUTCOME.toSeconds(), TimeUnit.SECONDS);
    JsonObject body = assertError(response, 409, "cancelled");
    assertEquals("cancelled", body.getString("status"), response.body());
    assertEquals("cancelled", new JsonObject(entry.get("/api/jobs/" + id).body()).getString("status"));
    entry.awaitRunningParts(0, Eventually.OUTCOME, "the cancelled job's parts are stopped on every node");
  }

  /** The id of the one job that is running on the entry node. */
  private static String awaitRunningJob() throws Exception {
    JsonObject job = Eventually.until("a running job on " + entry.address(),
        () -> new JsonObject(entry.get("/api/jobs").body()).getJsonArray("jobs").stream().map(o -> (JsonObject) o)
            .filter(j -> "running".equals(j.getString("status"))).findFirst().orElse(null),
        j -> j != null);
    return job.getString("id");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {
      "() => Java.type('java.lang.System').getenv('PATH')",
      "() => java.lang.System.getenv('PATH')",
      "() => load('/etc/passwd')",
      "() => require('fs').readFileSync('/etc/passwd', 'utf8')",
      "() => process.env.PATH",
      "() => Polyglot.eval('js', '1')",
      "() => read('/etc/passwd')",
      "async () => JSON.stringify(await import('/etc/passwd'))",
  })
  @DisplayName("job code cannot reach the host: the attempt fails inside the job with 422")
  void hostIsUnreachable(String code) throws Exception {
    HttpResponse<String> response = post(new JsonObject().put("code", code).put("data", range(0, 2)));
    assertEquals(422, response.statusCode(), response.body());
    JsonObject body = new JsonObject(response.body());
    assertEquals("job_error", body.getString("error"), response.body());
    assertFalse(response.body().contains("root:"), "no file content leaks: " + response.body());
  }
}
