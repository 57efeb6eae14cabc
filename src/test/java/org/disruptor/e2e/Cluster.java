package org.disruptor.e2e;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * A group of node processes in one cluster of their own (a random cluster name, so nodes of other test
 * runs on this machine never join it). The first node starts alone; the others are given it as their peer
 * and start together. Closing the group stops every node it started.
 */
public final class Cluster implements AutoCloseable {

  /** A node process start: JVM, GraalJS engine, Hazelcast join; minutes on a 2-core machine under load. */
  static final Duration STARTUP = Duration.ofSeconds(120);
  private final List<NodeProcess> nodes = new ArrayList<>();

  private Cluster() {
  }

  /** A cluster name no other test uses. */
  public static String randomName() {
    return "e2e-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /**
   * Starts {@code size} nodes; {@code flags.get(i)} are the extra flags of node i (missing: none). Returns
   * once every node lists all of them.
   */
  public static Cluster start(int size, List<List<String>> flags) throws Exception {
    return start(size, flags, "256m");
  }

  /** As {@link #start(int, List)}, each node with the heap {@code heap} (-Xmx). */
  public static Cluster start(int size, List<List<String>> flags, String heap) throws Exception {
    Cluster cluster = new Cluster();
    String name = randomName();
    try {
      for (int i = 0; i < size; i++) {
        List<String> args = new ArrayList<>();
        if (i > 0) {
          args.add(cluster.nodes.getFirst().address());
        }
        args.addAll(List.of("--cluster", name));
        args.addAll(i < flags.size() ? flags.get(i) : List.of());
        cluster.nodes.add(NodeProcess.startWithHeap(heap, NodeProcess.freeAddress(), args.toArray(String[]::new)));
        if (i == 0) {
          cluster.nodes.getFirst().awaitUp(STARTUP);
        }
      }
      for (NodeProcess node : cluster.nodes) {
        node.awaitUp(STARTUP);
      }
      for (NodeProcess node : cluster.nodes) {
        node.awaitPeers(cluster.addresses(), Eventually.OUTCOME);
      }
      return cluster;
    } catch (Exception | AssertionError e) {
      cluster.close();
      throw e;
    }
  }

  public static Cluster start(int size) throws Exception {
    return start(size, List.of());
  }

  /**
   * Runs one small broadcast job, so every node has created its first JS context before a test measures
   * how long something takes (the first one on a cold node can take a second or more).
   */
  public void warmUp() throws Exception {
    var response = nodes.getFirst().post("/api/jobs", "{\"mode\":\"broadcast\",\"code\":\"(d, ctx) => ctx.node\"}");
    if (response.statusCode() != 200) {
      throw new AssertionError("warm-up job on " + this + " answered " + response.statusCode() + ": " + response.body());
    }
  }

  public NodeProcess node(int i) {
    return nodes.get(i);
  }

  public List<NodeProcess> nodes() {
    return nodes;
  }

  public Set<String> addresses() {
    return NodeProcess.addressesOf(nodes);
  }

  /** Stops all nodes at once, so a class's teardown does not add up. */
  @Override
  public void close() {
    NodeProcess.closeAllQuietly(nodes);
  }

  /** Every node's address, for messages. */
  @Override
  public String toString() {
    return String.join(", ", nodes.stream().map(NodeProcess::address).toList());
  }
}
