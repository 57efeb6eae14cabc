package org.disruptor.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Cluster membership as a user sees it: real node processes, each asked for its peer list over HTTP
 * while nodes join, die (kill -9), stop (SIGTERM), start in either order or belong to other clusters.
 */
@DisplayName("Nodes started from the jar")
class ClusterFormationIT {

  private static final Duration UP = Cluster.STARTUP;
  private final List<NodeProcess> started = new ArrayList<>();

  @AfterEach
  void stopNodes() throws InterruptedException {
    NodeProcess.closeAll(started);
    started.clear();
  }

  private NodeProcess start(String address, String... args) throws Exception {
    NodeProcess node = NodeProcess.start(address, args);
    started.add(node);
    return node;
  }

  private static Duration left(long deadlineNanos) {
    return Duration.ofNanos(Math.max(0, deadlineNanos - System.nanoTime()));
  }

  @Test
  @DisplayName("two nodes pointed at each other and started at the same moment form one cluster")
  void mutualPeersStartedTogether() throws Exception {
    String name = Cluster.randomName();
    String a = NodeProcess.freeAddress();
    String b = NodeProcess.freeAddress();
    long deadline = System.nanoTime() + Duration.ofSeconds(25).toNanos();
    NodeProcess nodeA = start(a, b, "--cluster", name);
    NodeProcess nodeB = start(b, a, "--cluster", name);
    nodeA.awaitUp(UP);
    nodeB.awaitUp(UP);
    nodeA.awaitPeers(Set.of(a, b), left(deadline));
    nodeB.awaitPeers(Set.of(a, b), left(deadline));
  }

  @Test
  @DisplayName("a node whose only peer is not up runs alone, says so, and joins the peer once it starts")
  void nodeStartedBeforeItsPeer() throws Exception {
    String name = Cluster.randomName();
    String a = NodeProcess.freeAddress();
    String b = NodeProcess.freeAddress();
    NodeProcess nodeA = start(a, b, "--cluster", name).awaitUp(UP);
    assertEquals(Set.of(a), nodeA.peerAddresses(), "a lone node lists only itself");
    awaitLog(nodeA, "no peer reachable yet", Duration.ofSeconds(10));
    Thread.sleep(1_000);
    assertTrue(nodeA.process().isAlive(), "the lone node keeps running:\n" + nodeA.log());
    assertEquals(200, nodeA.get("/health").statusCode(), "the lone node stays UP");

    long deadline = System.nanoTime() + Duration.ofSeconds(25).toNanos();
    NodeProcess nodeB = start(b, "--cluster", name).awaitUp(UP);
    nodeA.awaitPeers(Set.of(a, b), left(deadline));
    nodeB.awaitPeers(Set.of(a, b), left(deadline));
  }

  @Test
  @DisplayName("two nodes with different cluster names stay apart even when one is given the other as peer")
  void differentClusterNamesNeverMerge() throws Exception {
    String a = NodeProcess.freeAddress();
    String b = NodeProcess.freeAddress();
    NodeProcess nodeA = start(a, "--cluster", Cluster.randomName()).awaitUp(UP);
    NodeProcess nodeB = start(b, a, "--cluster", Cluster.randomName()).awaitUp(UP);
    long end = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (System.nanoTime() < end) {
      assertEquals(Set.of(a), nodeA.peerAddresses(), "node A lists only itself:\n" + nodeA.log());
      assertEquals(Set.of(b), nodeB.peerAddresses(), "node B lists only itself:\n" + nodeB.log());
      Thread.sleep(500);
    }
  }

  private static void awaitLog(NodeProcess node, String text, Duration timeout) throws Exception {
    long end = System.nanoTime() + timeout.toNanos();
    while (!node.log().contains(text)) {
      if (System.nanoTime() > end) {
        throw new AssertionError("node " + node.address() + " did not log '" + text + "' within " + timeout
            + ":\n" + node.log());
      }
      Thread.sleep(100);
    }
  }

  /** One chain of four nodes for the ordered steps below: formation, then a crash, then a clean stop. */
  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
  @DisplayName("A chain of four nodes (B given A, C given B, D given C)")
  class Chain {

    private final List<NodeProcess> chain = new ArrayList<>();
    private long lastStart;
    private NodeProcess leaving;
    private long terminatedAt;

    @BeforeAll
    void startChain() throws Exception {
      String name = Cluster.randomName();
      for (int i = 0; i < 4; i++) {
        List<String> args = new ArrayList<>();
        if (i > 0) {
          args.add(chain.get(i - 1).address());
        }
        args.addAll(List.of("--cluster", name));
        lastStart = System.nanoTime();
        NodeProcess node = NodeProcess.start(NodeProcess.freeAddress(), args.toArray(String[]::new));
        chain.add(node);
        node.awaitUp(UP);
      }
    }

    @AfterAll
    void stopChain() throws InterruptedException {
      if (leaving != null) {
        leaving.kill();
      }
      NodeProcess.closeAll(chain);
    }

    private Set<String> addresses(List<NodeProcess> nodes) {
      return Set.copyOf(nodes.stream().map(NodeProcess::address).toList());
    }

    /** Waits until every node of the chain lists exactly the chain, all by {@code deadlineNanos}. */
    private void awaitChainListed(long deadlineNanos) throws Exception {
      for (NodeProcess node : chain) {
        node.awaitPeers(addresses(chain), left(deadlineNanos));
      }
    }

    /** The chain as it stands is settled: every node lists it (earlier steps may still be settling). */
    private void awaitChainSettled() throws Exception {
      awaitChainListed(System.nanoTime() + Duration.ofSeconds(60).toNanos());
    }

    @Test
    @Order(1)
    @DisplayName("every node lists all four within 20 s of the last start")
    void allFourListed() throws Exception {
      long deadline = lastStart + Duration.ofSeconds(20).toNanos();
      awaitChainListed(deadline);
    }

    @Test
    @Order(2)
    @DisplayName("after kill -9 of the oldest node (the Hazelcast master) the other three each list exactly three within 3 s")
    void crashedNodeDropped() throws Exception {
      awaitChainSettled();
      NodeProcess victim = chain.remove(0);
      long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
      victim.kill();
      awaitChainListed(deadline);
    }

    @Test
    @Order(3)
    @DisplayName("after SIGTERM of one node the others drop it within 2 s and never list it again")
    void stoppedNodeDropped() throws Exception {
      awaitChainSettled();
      leaving = chain.remove(chain.size() - 1);
      String joined = "peer joined: " + leaving.address() + " ";
      List<Long> joinsBefore = new ArrayList<>();
      for (NodeProcess node : chain) {
        joinsBefore.add(node.log().lines().filter(l -> l.contains(joined)).count());
      }
      long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
      terminatedAt = System.nanoTime();
      leaving.process().destroy();
      awaitChainListed(deadline);
      long watch = System.nanoTime() + Duration.ofSeconds(3).toNanos();
      while (System.nanoTime() < watch) {
        for (NodeProcess node : chain) {
          assertEquals(addresses(chain), node.peerAddresses(), "node " + node.address() + " lists the stopped node again");
        }
        Thread.sleep(100);
      }
      for (int i = 0; i < chain.size(); i++) {
        NodeProcess node = chain.get(i);
        long joins = node.log().lines().filter(l -> l.contains(joined)).count();
        assertEquals(joinsBefore.get(i), joins, "node " + node.address() + " saw the stopping node "
            + leaving.address() + " join again after its SIGTERM:\n" + node.log() + "\n--- stopping node:\n" + leaving.log());
      }
    }

    @Test
    @Order(4)
    @DisplayName("a node given SIGTERM exits within 15 s")
    void stoppedNodeExits() throws Exception {
      Assumptions.assumeTrue(leaving != null, "a node was given SIGTERM");
      try {
        long left = Duration.ofSeconds(15).toNanos() - (System.nanoTime() - terminatedAt);
        assertTrue(leaving.process().waitFor(Math.max(0, left), TimeUnit.NANOSECONDS),
            "the node did not exit within 15 s of SIGTERM:\n" + leaving.log());
      } finally {
        leaving.kill();
      }
    }
  }
}
