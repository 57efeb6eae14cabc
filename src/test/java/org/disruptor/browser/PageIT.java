package org.disruptor.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.disruptor.e2e.NodeProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The page in headless Chromium against real nodes: a three-node cluster of its own (random cluster name, two
 * JS workers each) serves the page, and the checks in src/test/browser drive it; a fourth node joins and
 * leaves while the peer check watches. The checks write screenshots of each page state to
 * target/screenshots/. Needs Node.js and scripts/test-deps.sh (playwright-core, Debian's chromium).
 */
@DisplayName("The page")
class PageIT {

  private static final Duration STARTUP = Duration.ofSeconds(60);
  private static final Duration SCRIPT = Duration.ofSeconds(90);
  private static final String CLUSTER = "page-" + UUID.randomUUID().toString().substring(0, 8);
  private static final List<NodeProcess> nodes = new ArrayList<>();

  @BeforeAll
  static void startCluster() throws Exception {
    BrowserScript.requireTools();
    String first = NodeProcess.freeAddress();
    nodes.add(NodeProcess.start(first, "--cluster", CLUSTER, "--worker-threads", "2"));
    for (int i = 0; i < 2; i++) {
      nodes.add(NodeProcess.start(NodeProcess.freeAddress(), first, "--cluster", CLUSTER, "--worker-threads", "2"));
    }
    for (NodeProcess node : nodes) {
      node.awaitUp(STARTUP);
    }
    awaitMembers(nodes.getFirst(), 3);
  }

  @AfterAll
  static void stopCluster() {
    stopAll(nodes);
  }

  @Test
  @DisplayName("lists the peers of a three-node cluster, and shows a node that joins or leaves after it loaded, without a reload")
  void livePeerList() throws Exception {
    String joiner = NodeProcess.freeAddress();
    List<String> args = new ArrayList<>(List.of(baseUrl()));
    nodes.forEach(n -> args.add(n.address()));
    args.addAll(List.of("--join", joiner));
    NodeProcess third = null;
    try (BrowserScript script = BrowserScript.start("peers.mjs", args)) {
      if (script.awaitLine("AWAIT-JOIN", SCRIPT) != null) {
        third = NodeProcess.start(joiner, nodes.getFirst().address(), "--cluster", CLUSTER);
        third.awaitUp(STARTUP);
        if (script.awaitLine("AWAIT-LEAVE", SCRIPT) != null) {
          third.process().destroy(); // SIGTERM: the node leaves the cluster as a person stopping it would
        }
      }
      assertPassed(script);
    } finally {
      if (third != null) {
        third.kill(); // it has left already; its JVM may still be winding down, which is not under test
      }
    }
  }

  @Test
  @DisplayName("the page's job model draws bars from the node's times, a retry as a moved bar and a new one, "
      + "and a watched job from its view")
  void jobModel() throws Exception {
    try (BrowserScript script = BrowserScript.start("model.mjs", List.of())) {
      assertPassed(script);
    }
  }

  @Test
  @DisplayName("during a 6-part job on 3 nodes shows 6 bars in 3 lanes and running counts equal to /api/peers, "
      + "and a second tab that picks the job from the list follows it to the end")
  void taskStream() throws Exception {
    List<String> args = new ArrayList<>(List.of(baseUrl()));
    nodes.forEach(n -> args.add(n.address()));
    try (BrowserScript script = BrowserScript.start("stream.mjs", args)) {
      assertPassed(script);
    }
  }

  @Test
  @DisplayName("has a highlighting code editor; runs a map job over every node from the console with its parts "
      + "live and the exact result in the result viewer and download; shows a throwing job's error with its "
      + "partition, node and line, marked in the editor; a form error replaces it; cancels a running job; pages "
      + "and filters the job list")
  void jobConsole() throws Exception {
    List<String> args = new ArrayList<>(List.of(baseUrl()));
    nodes.forEach(n -> args.add(n.address()));
    try (BrowserScript script = BrowserScript.start("console.mjs", args)) {
      assertPassed(script);
    }
  }

  @Test
  @DisplayName("lists the module store (name, version, hash prefix, size); the console imports a module or runs it "
      + "as a classic script, with the result node computes with the same library")
  void modules() throws Exception {
    java.nio.file.Path lodash = java.nio.file.Path.of("target/test-modules/node_modules/lodash/lodash.min.js")
        .toAbsolutePath();
    java.net.http.HttpResponse<String> put = NodeProcess.HTTP.send(java.net.http.HttpRequest.newBuilder(
        java.net.URI.create("http://" + nodes.get(1).address() + "/api/modules/lodash?version=4.17.21"))
        .PUT(java.net.http.HttpRequest.BodyPublishers.ofFile(lodash)).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    assertEquals(201, put.statusCode(), put.body());
    String hash = new JsonObject(put.body()).getString("hash");
    try (BrowserScript script = BrowserScript.start("modules.mjs", List.of(baseUrl(), lodash.toString(), hash))) {
      assertPassed(script);
    } finally {
      nodes.getFirst().delete("/api/modules/lodash");
    }
  }

  @Test
  @DisplayName("with a token configured, asks for it once and then lists the peers and runs a job with it")
  void tokenPage() throws Exception {
    String token = "page-" + java.util.UUID.randomUUID();
    try (NodeProcess node = NodeProcess.start(NodeProcess.freeAddress(), "--cluster", "page-token-" + java.util.UUID.randomUUID(),
        "--token", token)) {
      node.awaitUp(STARTUP);
      try (BrowserScript script = BrowserScript.start("token.mjs", List.of("http://" + node.address() + "/", token))) {
        assertPassed(script);
      }
    }
  }

  private static String baseUrl() {
    return "http://" + nodes.getFirst().address() + "/";
  }

  private static void assertPassed(BrowserScript script) throws InterruptedException {
    int code = script.awaitExit(SCRIPT);
    String output = script.output();
    System.out.print(output);
    assertEquals(0, code, () -> "the browser check failed (exit " + code + "):\n" + output);
  }

  private static void awaitMembers(NodeProcess node, int members) throws Exception {
    long end = System.nanoTime() + STARTUP.toNanos();
    String body = null;
    while (System.nanoTime() < end) {
      body = node.get("/health").body();
      if (new JsonObject(body).getJsonObject("cluster").getInteger("members") == members) {
        return;
      }
      Thread.sleep(200);
    }
    fail("the cluster did not reach " + members + " members; last /health: " + body);
  }

  /** Stops the nodes side by side: each may take its full grace period. */
  private static void stopAll(List<NodeProcess> processes) {
    CompletableFuture.allOf(processes.stream().map(n -> CompletableFuture.runAsync(() -> {
      try {
        n.close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    })).toArray(CompletableFuture[]::new)).join();
  }
}
