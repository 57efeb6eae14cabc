package org.disruptor.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** A node is listed as a peer, and counted in /health, only once its HTTP port serves (issue 17). */
@DisplayName("Readiness")
class ReadinessIT {

  @Test
  @DisplayName("a client that follows the peer list while nodes join never meets a refused connection")
  void listedPeersServe() throws Exception {
    String cluster = "ready-" + UUID.randomUUID();
    List<NodeProcess> nodes = new ArrayList<>();
    AtomicBoolean polling = new AtomicBoolean(true);
    List<String> refused = java.util.Collections.synchronizedList(new ArrayList<>());
    Set<String> seen = ConcurrentHashMap.newKeySet();
    AtomicInteger probes = new AtomicInteger();
    try {
      NodeProcess seed = NodeProcess.start(NodeProcess.freeAddress(), "--cluster", cluster).awaitUp(Duration.ofSeconds(90));
      nodes.add(seed);
      Thread client = Thread.ofPlatform().start(() -> {
        while (polling.get()) {
          try {
            // /health first: nodes only join here, so the peer list read after it lists at least as many
            int members = new JsonObject(seed.get("/health").body()).getJsonObject("cluster").getInteger("members");
            JsonObject peers = new JsonObject(seed.get("/api/peers").body());
            List<String> listed = peers.getJsonArray("peers").stream().map(p -> ((JsonObject) p).getString("address"))
                .toList();
            for (String address : listed) {
              seen.add(address);
              probe(address, refused, probes);
            }
            if (members > listed.size()) {
              refused.add("/health counts " + members + " members but lists " + listed.size() + " peers");
            }
          } catch (IOException e) {
            refused.add("the seed itself: " + e);
          } catch (InterruptedException e) {
            return;
          }
        }
      });
      for (int i = 0; i < 2; i++) {
        nodes.add(NodeProcess.start(NodeProcess.freeAddress(), seed.address(), "--cluster", cluster));
      }
      Set<String> all = new java.util.TreeSet<>(nodes.stream().map(NodeProcess::address).toList());
      seed.awaitPeers(all, Duration.ofSeconds(90));
      // The seed lists all three; the client's own loop must also have come round to see the last one.
      Eventually.until("the client has seen every node listed", () -> seen.containsAll(all));
      polling.set(false);
      client.join(30_000);
      assertEquals(all, new java.util.TreeSet<>(seen), "the client saw every node listed");
      assertTrue(probes.get() > 0);
      assertEquals(List.of(), refused, "no listed peer refused the client");
    } finally {
      polling.set(false);
      NodeProcess.closeAll(nodes);
    }
  }

  private static void probe(String address, List<String> refused, AtomicInteger probes) throws InterruptedException {
    try {
      NodeProcess.HTTP.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://" + address + "/health"))
          .timeout(Duration.ofSeconds(10)).GET().build(), java.net.http.HttpResponse.BodyHandlers.discarding());
      probes.incrementAndGet();
    } catch (ConnectException e) {
      refused.add(address + ": " + e);
    } catch (IOException e) {
      refused.add(address + ": " + e);
    }
  }
}
