package org.disruptor.multinode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.multimap.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.RegistrationInfo;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import io.vertx.spi.cluster.hazelcast.impl.HazelcastRegistrationInfo;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.disruptor.Addresses;
import org.disruptor.Node;
import org.disruptor.cluster.HostPort;
import org.disruptor.cluster.Peer;
import org.disruptor.cluster.PeerRegistry;
import org.disruptor.config.Config;
import org.disruptor.e2e.Eventually;
import org.disruptor.e2e.NodeProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** Three real clustered nodes (Hazelcast on loopback, a random cluster name) in one JVM. */
@DisplayName("Three clustered nodes in one JVM")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ThreeNodeClusterTest {

  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final List<Node> nodes = new ArrayList<>();
  private static final List<String> leftSeenByFirst = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void startCluster() throws Exception {
    JsonObject conf = Config.defaults().put("cluster", "test-" + UUID.randomUUID()).put("joinWaitSeconds", 0)
        .put("workerThreads", 2).put("historyResultBytes", 300_000);
    HostPort previous = null;
    for (int i = 0; i < 3; i++) {
      HostPort self = HostPort.parse(NodeProcess.freeAddress());
      nodes.add(Node.start(conf, self, previous == null ? List.of() : List.of(previous)));
      previous = self;
    }
    nodes.getFirst().vertx().eventBus().<String>localConsumer(PeerRegistry.PEER_LEFT, m -> leftSeenByFirst.add(m.body()));
    await(() -> nodes.stream().allMatch(n -> n.registry().peers().size() == 3), "all three see three peers");
  }

  @AfterAll
  static void stopCluster() {
    nodes.forEach(Node::stop);
  }

  @Test
  @Order(1)
  @DisplayName("every node sees all three, with their user-facing addresses")
  void seeEachOther() {
    Set<String> addresses = new HashSet<>();
    nodes.forEach(n -> addresses.add(n.address().toString()));
    for (Node node : nodes) {
      assertEquals(addresses, new HashSet<>(node.registry().peers().stream().map(Peer::address).toList()));
    }
  }

  @Test
  @Order(2)
  @DisplayName("a map job over 10,000 numbers in 12 parts equals plain JavaScript and uses all 3 nodes")
  void mapJob() throws Exception {
    String code = "(xs) => xs.map(x => (x * x) % 1009 + Math.floor(x / 7))";
    JsonArray data = new JsonArray();
    for (int i = 0; i < 10_000; i++) {
      data.add(i);
    }
    JsonObject response = post(nodes.get(1), new JsonObject().put("code", code).put("data", data).put("partitions", 12), 200);
    JsonArray parts = response.getJsonArray("result");
    assertEquals(12, parts.size());
    JsonArray flat = new JsonArray();
    parts.forEach(p -> flat.addAll((JsonArray) p));
    assertEquals(plainJavaScript(code, data), flat);
    Set<String> used = new HashSet<>();
    response.getJsonArray("partitions").forEach(p -> used.add(((JsonObject) p).getString("node")));
    assertEquals(3, used.size(), "parts ran on " + used);
  }

  @Test
  @Order(3)
  @DisplayName("broadcast runs once on every node and says where")
  void broadcast() throws Exception {
    JsonObject response = post(nodes.get(0), new JsonObject().put("code", "(d, ctx) => ({ node: ctx.node, d })")
        .put("mode", "broadcast").put("data", new JsonObject().put("k", 1)), 200);
    Set<String> seen = new HashSet<>();
    response.getJsonArray("result").forEach(r -> {
      assertEquals(1, ((JsonObject) r).getJsonObject("d").getInteger("k"));
      seen.add(((JsonObject) r).getString("node"));
    });
    Set<String> expected = new HashSet<>();
    nodes.forEach(n -> expected.add(n.address().toString()));
    assertEquals(expected, seen);
  }

  @Test
  @Order(4)
  @DisplayName("reduce, async functions and console.log work across nodes")
  void reduceAsyncLogs() throws Exception {
    JsonObject response = post(nodes.get(2), new JsonObject()
        .put("code", "async (xs, ctx) => { console.log('part', ctx.partition); await null; return xs.reduce((a, b) => a + b, 0); }")
        .put("data", new JsonArray(java.util.stream.IntStream.rangeClosed(1, 100).boxed().toList()))
        .put("partitions", 5).put("reduce", "(sums) => sums.reduce((a, b) => a + b, 0)"), 200);
    assertEquals(5050, response.getInteger("result"));
    JsonArray partitions = response.getJsonArray("partitions");
    for (int i = 0; i < 5; i++) {
      assertEquals(new JsonArray().add("part " + i), partitions.getJsonObject(i).getJsonArray("logs"));
    }
  }

  @Test
  @Order(5)
  @DisplayName("a throwing part fails the job with 422 and the part's index, node and line")
  void throwingPart() throws Exception {
    JsonObject response = post(nodes.get(0), new JsonObject()
        .put("code", "(xs, ctx) => {\n  if (ctx.partition === 3) {\n    throw new Error('bad part');\n  }\n  return xs;\n}")
        .put("data", new JsonArray(List.of(1, 2, 3, 4, 5))).put("partitions", 5), 422);
    assertEquals("job_error", response.getString("error"));
    assertEquals(3, response.getInteger("partition"));
    assertEquals(3, response.getInteger("line"));
    assertTrue(response.getString("message").contains("bad part"));
    assertTrue(response.getString("node").startsWith("127.0.0.1:"));
  }

  @Test
  @Order(6)
  @DisplayName("history keeps results up to historyResultBytes: older jobs drop theirs and say so, newer keep them")
  void historyResultBudget() throws Exception {
    JsonArray data = new JsonArray(java.util.stream.IntStream.range(0, 25_000).map(i -> 100_000 + i).boxed().toList());
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      // each result is ~175 KB of JSON: the 300 KB budget holds one
      JsonObject response = post(nodes.get(0), new JsonObject().put("code", "(xs) => xs").put("data", data), 200);
      assertEquals(data.size(), response.getJsonArray("result").stream().mapToInt(p -> ((JsonArray) p).size()).sum());
      ids.add(response.getString("id"));
    }
    JsonObject oldest = get(nodes.get(0), "/api/jobs/" + ids.getFirst());
    assertEquals("completed", oldest.getString("status"));
    assertEquals(true, oldest.getBoolean("resultDropped"), oldest.encode().substring(0, 200));
    assertTrue(!oldest.containsKey("result"), "the dropped result is gone");
    JsonObject newest = get(nodes.get(0), "/api/jobs/" + ids.getLast());
    assertEquals(null, newest.getBoolean("resultDropped"));
    assertEquals(3, newest.getJsonArray("result").size());
  }

  @Test
  @Order(7)
  @DisplayName("a node whose event-bus entries the cluster lost (as after a merge) writes them again and gets parts")
  void lostRegistrations() throws Exception {
    Node victim = nodes.get(2);
    String id = victim.registry().self().id();
    long renewedBefore = victim.registry().consumers().renewed();
    long republishedBefore = victim.registry().consumers().republished();
    // what a peer's clean-up of a member that left and came back does: every registration of its id goes
    MultiMap<String, Object> subs = hazelcast(nodes.get(0)).getMultiMap("__vertx.subs");
    int removed = 0;
    for (Map.Entry<String, Object> entry : subs.entrySet()) {
      if (((HazelcastRegistrationInfo) entry.getValue()).unwrap().nodeId().equals(id)) {
        subs.remove(entry.getKey(), entry.getValue());
        removed++;
      }
    }
    assertTrue(removed >= 5, "registrations of the victim removed: " + removed);
    assertTrue(hazelcast(nodes.get(0)).getMap("__vertx.nodeInfo").remove(id) != null, "the victim's node info removed");
    await(() -> victim.registry().consumers().renewed() > renewedBefore, "the victim registered again");
    await(() -> victim.registry().consumers().republished() > republishedBefore, "the victim wrote its node info again");
    await(() -> hazelcast(nodes.get(0)).getMap("__vertx.nodeInfo").containsKey(id), "the first node sees the node info");
    for (String address : List.of(Addresses.parts(id), Addresses.cancel(id), Addresses.jobs(id))) {
      await(() -> registered(nodes.get(0), address, id), "the first node sees the victim's " + address);
    }
    broadcast();
  }

  private static HazelcastInstance hazelcast(Node node) {
    return ((HazelcastClusterManager) ((VertxInternal) node.vertx()).clusterManager()).getHazelcastInstance();
  }

  /** Whether {@code from}'s cluster manager lists a registration of {@code node} for {@code address}. */
  private static boolean registered(Node from, String address, String node) {
    Promise<List<RegistrationInfo>> found = Promise.promise();
    ((VertxInternal) from.vertx()).clusterManager().getRegistrations(address, found);
    try {
      return found.future().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS).stream()
          .anyMatch(r -> r.nodeId().equals(node));
    } catch (Exception e) {
      return false;
    }
  }

  @Test
  @Order(10)
  @DisplayName("when one node closes, the other two see it leave")
  void leave() throws Exception {
    Node leaving = nodes.remove(2);
    String id = leaving.registry().self().id();
    leaving.stop();
    await(() -> nodes.stream().allMatch(n -> n.registry().peers().size() == 2), "both remaining nodes see two peers");
    await(() -> leftSeenByFirst.contains(id), "the first node saw the leave event");
    assertTrue(nodes.stream().noneMatch(n -> n.registry().peer(id) != null));
  }

  private static JsonArray plainJavaScript(String code, JsonArray data) throws Exception {
    Process node = new ProcessBuilder("node", "-e",
        "const f = " + code + "; let s = ''; process.stdin.on('data', d => s += d);"
            + " process.stdin.on('end', () => process.stdout.write(JSON.stringify(f(JSON.parse(s)))));")
        .start();
    node.getOutputStream().write(data.encode().getBytes());
    node.getOutputStream().close();
    String out = new String(node.getInputStream().readAllBytes());
    assertEquals(0, node.waitFor(), "node failed: " + new String(node.getErrorStream().readAllBytes()));
    return new JsonArray(out);
  }

  private static JsonObject post(Node node, JsonObject job, int status) throws Exception {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + node.address() + "/api/jobs"))
        .POST(HttpRequest.BodyPublishers.ofString(job.encode())).timeout(Duration.ofSeconds(60)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(status, response.statusCode(), response.body());
    return new JsonObject(response.body());
  }

  private static JsonObject get(Node node, String path) throws Exception {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + node.address() + path))
        .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode(), response.body());
    return new JsonObject(response.body());
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    Eventually.until(what, condition::getAsBoolean);
  }
}
