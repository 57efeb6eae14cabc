package org.disruptor.e2e;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.IntFunction;

/**
 * A chain of node processes in a cluster of their own: node 0 starts with no peer and node i is given node
 * i-1 as its only peer, so the cluster forms only if membership spreads along the chain. Nodes start in
 * waves (each wave waits for the previous one to answer UP): 24 JVMs starting at one moment on 2 cores
 * measure the machine, not the grid. Small heaps and one JS worker per node, so 24 fit on one machine.
 * Used by ScaleIT and the cluster-size bench; closing the chain stops every node it started.
 */
public final class NodeChain implements AutoCloseable {

  /** A node's heap in a large chain: 24 of them, each with its V8 runner, fit in a few GiB. */
  public static final String HEAP = "160m";
  /** Nodes started at once. */
  public static final int WAVE = 4;
  /** A node start while 23 others run on 2 cores. */
  public static final Duration UP = Duration.ofMinutes(5);

  private final String name = Cluster.randomName();
  private final List<NodeProcess> nodes = new ArrayList<>();
  private long startedAt;
  private long lastUpAt;

  private NodeChain() {
  }

  /**
   * Starts a chain of {@code size} nodes, node i with the extra flags {@code flags.apply(i)}, and returns
   * once every node answers UP (not yet once they all list each other: see {@link #awaitFormed}).
   */
  public static NodeChain start(int size, IntFunction<List<String>> flags) throws Exception {
    NodeChain chain = new NodeChain();
    chain.startedAt = System.nanoTime();
    try {
      for (int i = 0; i < size; i++) {
        chain.add(flags.apply(i));
        if ((i + 1) % WAVE == 0 || i == size - 1) {
          chain.awaitUp(i + 1 - ((i % WAVE) + 1), i + 1);
        }
      }
      chain.lastUpAt = System.nanoTime();
      return chain;
    } catch (Exception | AssertionError e) {
      chain.close();
      throw e;
    }
  }

  public static NodeChain start(int size) throws Exception {
    return start(size, i -> List.of());
  }

  /** Starts one more node, given the last live one as its only peer (it does not wait for it to be up). */
  public NodeProcess add(List<String> flags) throws Exception {
    List<String> args = new ArrayList<>();
    nodes.reversed().stream().filter(n -> n.process().isAlive()).findFirst().ifPresent(n -> args.add(n.address()));
    args.addAll(List.of("--cluster", name, "--worker-threads", "1"));
    args.addAll(flags);
    NodeProcess node = NodeProcess.startWithHeap(HEAP, NodeProcess.freeAddress(), args.toArray(String[]::new));
    nodes.add(node);
    return node;
  }

  private void awaitUp(int from, int to) throws Exception {
    for (int i = from; i < to; i++) {
      nodes.get(i).awaitUp(UP);
    }
  }

  /** Waits until every node lists exactly the nodes of the chain; {@code timeout} for each node. */
  public void awaitFormed(Duration timeout) throws Exception {
    Set<String> all = addresses();
    for (NodeProcess node : nodes) {
      node.awaitPeers(all, timeout);
    }
  }

  /** When the first node was started and when the last one answered UP ({@link System#nanoTime()}). */
  public long startedAt() {
    return startedAt;
  }

  public long lastUpAt() {
    return lastUpAt;
  }

  public String name() {
    return name;
  }

  public NodeProcess node(int i) {
    return nodes.get(i);
  }

  public List<NodeProcess> nodes() {
    return nodes;
  }

  public int size() {
    return nodes.size();
  }

  public Set<String> addresses() {
    return NodeProcess.addressesOf(nodes);
  }

  /** Stops every node at once (SIGTERM, then kill -9 after a grace). */
  @Override
  public void close() {
    NodeProcess.closeAllQuietly(nodes);
  }
}
