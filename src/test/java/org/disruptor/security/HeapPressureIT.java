package org.disruptor.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;
import org.disruptor.e2e.Eventually;
import org.disruptor.e2e.NodeProcess;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A graaljs node runs parts in its own JVM: parts that together hold more than its heap must not take it
 * down. The per-part budget is set far above the heap here, so only the node's heap watch stands between
 * the parts and an OutOfMemoryError on any of the node's threads.
 */
@DisplayName("Heap pressure on a graaljs node")
class HeapPressureIT {

  private static final String HOLD = "(xs) => { const a = []; for (;;) a.push(new Array(100000).fill(xs[0] + 0.5)) }";

  private static HttpResponse<String> post(NodeProcess node, JsonObject job) throws Exception {
    return NodeProcess.HTTP.send(HttpRequest.newBuilder(URI.create("http://" + node.address() + "/api/jobs"))
        .timeout(Duration.ofSeconds(180)).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(job.encode())).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  @DisplayName("two parts that each hold memory without end, on a node with run.sh's heap and a per-part budget "
      + "of 100 GiB, end memory_limit, one after the other, and the node serves on")
  void partsThatFillTheHeap() throws Exception {
    try (NodeProcess node = NodeProcess.startWithHeap(NodeProcess.DEFAULT_HEAP, NodeProcess.freeAddress(), "--cluster",
        "heap-" + UUID.randomUUID(), "--engine", "graaljs", "--part-memory-limit-mb", "100000",
        "--worker-threads", "2", "--part-time-limit-ms", "120000")) {
      node.awaitUp(Duration.ofSeconds(120));
      for (int round = 0; round < 2; round++) {
        HttpResponse<String> answer = post(node, new JsonObject().put("code", HOLD)
            .put("data", new JsonArray().add(1).add(2)).put("partitions", 2).put("timeoutMs", 150_000));
        JsonObject body = new JsonObject(answer.body());
        assertEquals(422, answer.statusCode(), answer.body());
        assertEquals("memory_limit", body.getString("error"), answer.body());
        HttpResponse<String> normal = post(node, new JsonObject().put("code", "(xs) => xs.map(x => x * 2)")
            .put("data", new JsonArray().add(1).add(2).add(3).add(4)).put("partitions", 2));
        assertEquals(200, normal.statusCode(), normal.body());
        assertEquals(new JsonArray().add(new JsonArray().add(2).add(4)).add(new JsonArray().add(6).add(8)),
            new JsonObject(normal.body()).getJsonArray("result"), normal.body());
      }
      JsonObject health = Eventually.until("the workers are free again", () -> new JsonObject(node.get("/health")
          .body()), h -> h.getJsonObject("workers").getInteger("busy") == 0);
      assertEquals("UP", health.getString("status"), health.encode());
      // the heap watch, not an OutOfMemoryError, stopped them: its count in the node's published stats
      Eventually.until("the node's stats count the parts the heap watch stopped", () -> new JsonObject(
          node.get("/api/peers").body()).getJsonArray("peers").getJsonObject(0).getJsonObject("js", new JsonObject())
          .getLong("heapStops", 0L), n -> n >= 2);
      assertTrue(!node.log().contains("OutOfMemoryError"), "no thread of the node ran out of heap:\n" + node.logText());
    }
  }
}
