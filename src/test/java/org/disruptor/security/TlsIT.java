package org.disruptor.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.disruptor.e2e.Eventually;
import org.disruptor.e2e.NodeProcess;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Mutual TLS on the event bus, with certificates from scripts/dev-certs.sh. */
@DisplayName("Event-bus TLS")
class TlsIT {

  private static final Path HOME = Path.of(System.getProperty("disruptor.home", ".")).toAbsolutePath();

  @Test
  @DisplayName("two nodes with the cluster's certificates run a job across both; a node with another CA's cannot exchange messages with them")
  void tls(@TempDir Path dir) throws Exception {
    Path good = dir.resolve("good");
    Path bad = dir.resolve("bad");
    certs(good);
    certs(bad);
    String cluster = "tls-" + UUID.randomUUID();
    String a = NodeProcess.freeAddress();
    String b = NodeProcess.freeAddress();
    String c = NodeProcess.freeAddress();
    try (NodeProcess nodeA = NodeProcess.start(a, tls(cluster, good));
         NodeProcess nodeB = NodeProcess.start(b, with(tls(cluster, good), a))) {
      nodeA.awaitUp(Duration.ofSeconds(120));
      nodeB.awaitUp(Duration.ofSeconds(120));
      awaitPeers(nodeA, 2);
      assertTrue(nodeA.log().contains("event bus TLS"), nodeA.log());

      // a cold B on a loaded machine may miss the pings of the first job (its parts then move to A): the outcome is
      // that B runs parts of A's jobs over the TLS event bus
      Eventually.until("parts of A's job run on A and B, over the TLS event bus", () -> nodes(runJob(nodeA, 4)),
          Set.of(a, b)::equals);

      try (NodeProcess nodeC = NodeProcess.start(c, with(tls(cluster, bad), a))) {
        nodeC.awaitUp(Duration.ofSeconds(120));
        awaitPeers(nodeA, 3); // Hazelcast membership itself is not protected by event-bus TLS
        JsonObject fromA = runJob(nodeA, 6);
        assertEquals(Set.of(a, b), nodes(fromA), "no part of A's job ran on the node with the wrong certificate");
        JsonObject fromC = runJob(nodeC, 6);
        assertEquals(Set.of(c), nodes(fromC), "the node with the wrong certificate could not reach the others");
        JsonArray peers = new JsonObject(nodeA.get("/api/peers").body()).getJsonArray("peers");
        for (Object o : peers) {
          JsonObject peer = (JsonObject) o;
          if (peer.getString("address").equals(c)) {
            assertNull(peer.getValue("completed"), "A cannot read C's counters over the event bus");
          } else {
            assertNotNull(peer.getValue("completed"));
          }
        }
        assertTrue(nodeC.log().contains("SSLHandshakeException") || nodeA.log().contains("SSLHandshakeException"),
            "the refused handshakes are logged");
      }
    }
  }

  private static void certs(Path dir) throws Exception {
    Process p = new ProcessBuilder(HOME.resolve("scripts/dev-certs.sh").toString(), dir.toString(), "127.0.0.1")
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertEquals(0, p.waitFor(), out);
  }

  private static String[] tls(String cluster, Path dir) {
    return new String[] {"--cluster", cluster, "--tls-ca", dir.resolve("ca.pem").toString(),
        "--tls-cert", dir.resolve("127.0.0.1.pem").toString(), "--tls-key", dir.resolve("127.0.0.1.key").toString()};
  }

  private static String[] with(String[] flags, String peer) {
    String[] all = new String[flags.length + 1];
    all[0] = peer;
    System.arraycopy(flags, 0, all, 1, flags.length);
    return all;
  }

  private static JsonObject runJob(NodeProcess node, int parts) throws Exception {
    StringBuilder data = new StringBuilder("[");
    for (int i = 0; i < parts; i++) {
      data.append(i == 0 ? "" : ",").append(i);
    }
    var response = node.post("/api/jobs", "{\"code\":\"(xs, ctx) => xs.map(x => x * 10)\",\"data\":" + data
        + "],\"partitions\":" + parts + ",\"timeoutMs\":30000}");
    assertEquals(200, response.statusCode(), response.body());
    JsonObject job = new JsonObject(response.body());
    JsonArray expected = new JsonArray();
    for (int i = 0; i < parts; i++) {
      expected.add(new JsonArray(List.of(i * 10)));
    }
    assertEquals(expected, job.getJsonArray("result"));
    return job;
  }

  private static Set<String> nodes(JsonObject job) {
    Set<String> nodes = new HashSet<>();
    job.getJsonArray("partitions").forEach(p -> nodes.add(((JsonObject) p).getString("node")));
    return nodes;
  }

  private static void awaitPeers(NodeProcess node, int n) throws Exception {
    Eventually.until(node.address() + " lists " + n + " peers", Eventually.OUTCOME,
        () -> new JsonObject(node.get("/api/peers").body()).getJsonArray("peers"), peers -> peers.size() == n, node::logText);
  }
}
