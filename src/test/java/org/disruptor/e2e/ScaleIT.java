package org.disruptor.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * 24 real node processes on one machine, from a chain of single peers (each node given only the one started
 * before it): they form one cluster, and broadcast, labelled and node-limited jobs run where they should.
 * Too heavy for the default suite (24 JVMs plus their V8 runners): it runs in the {@code scale} Maven
 * profile ({@code ./run.sh test-scale}), which {@code .ci/run} runs after the suite.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@DisplayName("24 nodes on one machine")
class ScaleIT {

  private static final int SIZE = 24;
  /** Nodes 0, 6, 12 and 18 carry the label "gpu", node 1 the labels "gpu" and "zone=b": 5 gpu nodes of 24. */
  private static final int LABEL_EVERY = 6;
  /** How long a 24-node cluster may take to settle on 2 busy cores: generous, it is only a deadline. */
  private static final Duration FORMED = Duration.ofMinutes(5);
  private NodeChain chain;

  @BeforeAll
  void startChain() throws Exception {
    chain = NodeChain.start(SIZE, i -> i % LABEL_EVERY == 0 ? List.of("--labels", "gpu")
        : i == 1 ? List.of("--labels", "gpu,zone=b") : List.of());
  }

  @AfterAll
  void stopChain() {
    if (chain != null) {
      chain.close();
    }
  }

  private Set<String> labelled() {
    Set<String> gpu = new TreeSet<>();
    for (int i = 0; i < SIZE; i++) {
      if (i % LABEL_EVERY == 0 || i == 1) {
        gpu.add(chain.node(i).address());
      }
    }
    return gpu;
  }

  /** Posts a job to {@code node} and answers its final view, which must say completed. */
  private JsonObject run(NodeProcess node, JsonObject job) throws Exception {
    HttpResponse<String> response = node.post("/api/jobs", job.encode());
    assertEquals(200, response.statusCode(), response.body());
    JsonObject body = new JsonObject(response.body());
    assertEquals("completed", body.getString("status"), body.encodePrettily());
    return body;
  }

  private static Set<String> partNodes(JsonObject body) {
    Set<String> nodes = new TreeSet<>();
    body.getJsonArray("partitions").forEach(p -> nodes.add(((JsonObject) p).getString("node")));
    return nodes;
  }

  @Test
  @Order(1)
  @DisplayName("every node lists all 24, and each one's Hazelcast member sees 24 members")
  void oneCluster() throws Exception {
    chain.awaitFormed(FORMED);
    for (NodeProcess node : chain.nodes()) {
      assertEquals(chain.addresses(), node.peerAddresses(), "peers listed by " + node.address());
      JsonObject health = new JsonObject(node.get("/health").body());
      assertEquals(SIZE, health.getJsonObject("cluster").getInteger("hazelcastMembers"), health.encode());
    }
  }

  @Test
  @Order(2)
  @DisplayName("a broadcast job submitted to the last node runs once on each of the 24 with the right result")
  void broadcastOnAll() throws Exception {
    chain.awaitFormed(FORMED);
    JsonObject body = run(chain.node(SIZE - 1), new JsonObject().put("mode", "broadcast")
        .put("data", new JsonObject().put("a", 20).put("b", 22))
        .put("code", "(d, ctx) => ({ node: ctx.node, partition: ctx.partition, sum: d.a + d.b })"));
    JsonArray result = body.getJsonArray("result");
    assertEquals(SIZE, result.size(), body.encodePrettily());
    Set<String> nodes = new TreeSet<>();
    for (int i = 0; i < SIZE; i++) {
      JsonObject r = result.getJsonObject(i);
      assertEquals(42, r.getInteger("sum"), r.encode());
      assertEquals(i, r.getInteger("partition"), r.encode());
      nodes.add(r.getString("node"));
    }
    assertEquals(chain.addresses(), nodes, "one result from each node");
    assertEquals(chain.addresses(), partNodes(body), "one part on each node");
  }

  @Test
  @Order(3)
  @DisplayName("a map job of 240 numbers in 24 parts sums right")
  void mapOnAll() throws Exception {
    chain.awaitFormed(FORMED);
    JsonArray data = new JsonArray();
    for (int i = 1; i <= 240; i++) {
      data.add(i);
    }
    JsonObject body = run(chain.node(SIZE / 2), new JsonObject().put("data", data).put("partitions", SIZE)
        .put("code", "(xs) => xs.reduce((a, b) => a + b, 0)").put("reduce", "sum"));
    assertEquals(240 * 241 / 2, body.getInteger("result"), body.encodePrettily());
    assertEquals(SIZE, body.getJsonArray("partitions").size());
  }

  @Test
  @Order(4)
  @DisplayName("a broadcast job asking for the label gpu runs on the 5 labelled nodes only")
  void labelledBroadcast() throws Exception {
    chain.awaitFormed(FORMED);
    JsonObject body = run(chain.node(3), new JsonObject().put("mode", "broadcast").put("labels", new JsonArray().add("gpu"))
        .put("code", "(d, ctx) => ctx.node"));
    Set<String> ran = new TreeSet<>();
    body.getJsonArray("result").forEach(r -> ran.add((String) r));
    assertEquals(labelled(), ran, body.encodePrettily());
    assertEquals(labelled().size(), body.getJsonArray("result").size(), "once per labelled node");

    JsonObject zone = run(chain.node(3), new JsonObject().put("mode", "broadcast")
        .put("labels", new JsonArray().add("gpu").add("zone=b")).put("code", "(d, ctx) => ctx.node"));
    assertEquals(new JsonArray().add(chain.node(1).address()), zone.getJsonArray("result"), zone.encodePrettily());
  }

  @Test
  @Order(5)
  @DisplayName("jobs asking for \"nodes\": 5 run on exactly 5 nodes, broadcast and map alike")
  void fiveNodes() throws Exception {
    chain.awaitFormed(FORMED);
    JsonObject broadcast = run(chain.node(7), new JsonObject().put("mode", "broadcast").put("nodes", 5)
        .put("code", "(d, ctx) => ctx.node"));
    Set<String> ran = new TreeSet<>();
    broadcast.getJsonArray("result").forEach(r -> ran.add((String) r));
    assertEquals(5, broadcast.getJsonArray("result").size(), broadcast.encodePrettily());
    assertEquals(5, ran.size(), "5 different nodes: " + ran);
    assertTrue(chain.addresses().containsAll(ran), ran.toString());

    JsonArray data = new JsonArray();
    for (int i = 0; i < 50; i++) {
      data.add(i);
    }
    JsonObject map = run(chain.node(7), new JsonObject().put("nodes", 5).put("data", data).put("partitions", 25)
        .put("code", "(xs) => xs.length").put("reduce", "sum"));
    assertEquals(50, map.getInteger("result"), map.encodePrettily());
    assertEquals(5, partNodes(map).size(), "25 parts on exactly 5 nodes: " + partNodes(map));
  }
}
