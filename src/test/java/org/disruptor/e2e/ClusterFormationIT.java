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

  @Test
  @DisplayName("two nodes pointed at each other and started at the same moment form one cluster")
  void mutualPeersStartedTogether() throws Exception {
    String name = Cluster.randomName();
    String a = NodeProcess.freeAddress();
    String b = NodeProcess.freeAddress();
    NodeProcess nodeA = start(a, b, "--cluster", name);
    NodeProcess nodeB = start(b, a, "--cluster", name);
    nodeA.awaitUp(UP);
    nodeB.awaitUp(UP);
    nodeA.awaitPeers(Set.of(a, b), Eventually.OUTCOME);
    nodeB.awaitPeers(Set.of(a, b), Eventually.OUTCOME);
  }

  @Test
  @DisplayName("a node whose only peer is not up runs alone, says so, and joins the peer once it starts")
  void nodeStartedBeforeItsPeer() throws Exception {
    String name = Cluster.randomName();
    String a = NodeProcess.freeAddress();
    String b = NodeProcess.freeAddress();
    NodeProcess nodeA = start(a, b, "--cluster", name).awaitUp(UP);
    assertEquals(Set.of(a), nodeA.peerAddresses(), "a lone node lists only itself");
    awaitLog(nodeA, "peer reachable yet");
    Eventually.holds("the lone node keeps running and stays UP", Duration.ofSeconds(2),
        () -> nodeA.process().isAlive() && nodeA.get("/health").statusCode() == 200, Boolean.TRUE::equals, nodeA::logText);

    NodeProcess nodeB = start(b, "--cluster", name).awaitUp(UP);
    nodeA.awaitPeers(Set.of(a, b), Eventually.OUTCOME);
    nodeB.awaitPeers(Set.of(a, b), Eventually.OUTCOME);
  }

  @Test
  @DisplayName("two nodes with different cluster names stay apart even when one is given the other as peer")
  void differentClusterNamesNeverMerge() throws Exception {
    String a = NodeProcess.freeAddress();
    String b = NodeProcess.freeAddress();
    NodeProcess nodeA = start(a, "--cluster", Cluster.randomName()).awaitUp(UP);
    NodeProcess nodeB = start(b, a, "--cluster", Cluster.randomName()).awaitUp(UP);
    // past the first split-brain merge check (mergeFirstRunDelaySeconds, 10 s) and the next one
    Eventually.holds("each node lists only itself", Duration.ofSeconds(15),
        () -> List.of(nodeA.peerAddresses(), nodeB.peerAddresses()), seen -> seen.equals(List.of(Set.of(a), Set.of(b))),
        () -> nodeA.logText() + "\n" + nodeB.logText());
  }

  private static void awaitLog(NodeProcess node, String text) throws Exception {
    Eventually.until("node " + node.address() + " logs '" + text + "'", Eventually.OUTCOME, () -> node.log().contains(text),
        Boolean.TRUE::equals, node::logText);
  }

  /** One chain of four nodes for the ordered steps below: formation, then a crash, then a clean stop. */
  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
  @DisplayName("A chain of four nodes (B given A, C given B, D given C)")
  class Chain {

    private final List<NodeProcess> chain = new ArrayList<>();
    private NodeProcess leaving;

    @BeforeAll
    void startChain() throws Exception {
      String name = Cluster.randomName();
      for (int i = 0; i < 4; i++) {
        List<String> args = new ArrayList<>();
        if (i > 0) {
          args.add(chain.get(i - 1).address());
        }
        args.addAll(List.of("--cluster", name));
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

    /** Waits until every node of the chain lists exactly the chain (earlier steps may still be settling). */
    private void awaitChainListed() throws Exception {
      for (NodeProcess node : chain) {
        node.awaitPeers(addresses(chain), Eventually.OUTCOME);
      }
    }

    @Test
    @Order(1)
    @DisplayName("every node lists all four")
    void allFourListed() throws Exception {
      awaitChainListed();
    }

    @Test
    @Order(2)
    @DisplayName("after kill -9 of the oldest node (the Hazelcast master) the other three each list exactly three")
    void crashedNodeDropped() throws Exception {
      awaitChainListed();
      NodeProcess victim = chain.remove(0);
      victim.kill();
      awaitChainListed();
    }

    @Test
    @Order(3)
    @DisplayName("after SIGTERM of one node the others drop it and do not list it again")
    void stoppedNodeDropped() throws Exception {
      awaitChainListed();
      leaving = chain.remove(chain.size() - 1);
      String joined = "peer joined: " + leaving.address() + " ";
      List<Long> joinsBefore = new ArrayList<>();
      for (NodeProcess node : chain) {
        joinsBefore.add(node.log().lines().filter(l -> l.contains(joined)).count());
      }
      leaving.process().destroy();
      awaitChainListed();
      Eventually.holds("no node lists the stopped node again", Duration.ofSeconds(3), () -> {
        List<Set<String>> seen = new ArrayList<>();
        for (NodeProcess node : chain) {
          seen.add(node.peerAddresses());
        }
        return seen;
      }, seen -> seen.stream().allMatch(addresses(chain)::equals), () -> "");
      for (int i = 0; i < chain.size(); i++) {
        NodeProcess node = chain.get(i);
        long joins = node.log().lines().filter(l -> l.contains(joined)).count();
        assertEquals(joinsBefore.get(i), joins, "node " + node.address() + " saw the stopping node "
            + leaving.address() + " join again after its SIGTERM:\n" + node.log() + "\n--- stopping node:\n" + leaving.log());
      }
    }

    @Test
    @Order(4)
    @DisplayName("a node given SIGTERM exits")
    void stoppedNodeExits() throws Exception {
      Assumptions.assumeTrue(leaving != null, "a node was given SIGTERM");
      try {
        assertTrue(leaving.process().waitFor(Eventually.OUTCOME.toSeconds(), TimeUnit.SECONDS),
            "the node did not exit after SIGTERM:\n" + leaving.log());
      } finally {
        leaving.kill();
      }
    }
  }
}
