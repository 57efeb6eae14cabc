package org.disruptor.job;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.disruptor.cluster.Peer;

/**
 * Where a coordinator's parts go, and flow control: each node gets at most {@code window} of this
 * coordinator's parts at a time (its workers and part of its queue; other coordinators share the rest),
 * the least loaded node first; parts for which no node has room wait here, in order, until one has. So a
 * job of 1,024 parts on one node does not overrun that node's bounded queue and come back as 429.
 */
final class Placement {

  /** A part waiting for room on some node. */
  record Waiting(Job job, int index, String avoid, String reason) {
  }

  private static final int AVOIDED = 1_000_000;
  private static final int SUSPECT = 2_000_000;
  private final int window;
  private final Map<String, Integer> inFlight = new HashMap<>();
  private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
  private int next;
  private int rotation;

  Placement(int window) {
    this.window = window;
  }

  /**
   * The least loaded of {@code peers} that has room, or null: {@code avoid} (the node a part is moving off)
   * and suspects are taken only when no other node can be, and ties go round-robin.
   */
  Peer pick(List<Peer> peers, String avoid, Predicate<String> suspect) {
    return pick(peers, avoid, suspect, node -> 0);
  }

  /**
   * As {@link #pick(List, String, Predicate)}, a node's load being the larger of this coordinator's parts in
   * flight there and the load the node last reported (all coordinators' parts, running and queued).
   */
  Peer pick(List<Peer> peers, String avoid, Predicate<String> suspect, java.util.function.ToIntFunction<String> reported) {
    Peer best = null;
    int bestLoad = Integer.MAX_VALUE;
    int n = peers.size();
    for (int k = 0; k < n; k++) {
      Peer peer = peers.get((next + k) % n);
      int load = Math.max(inFlight(peer.id()), reported.applyAsInt(peer.id())) + (peer.id().equals(avoid) ? AVOIDED : 0)
          + (suspect.test(peer.id()) ? SUSPECT : 0);
      if (load < bestLoad) {
        best = peer;
        bestLoad = load;
      }
    }
    next = (next + 1) % Math.max(1, n);
    return best == null || inFlight(best.id()) >= window ? null : best;
  }

  /**
   * The {@code count} least loaded of {@code candidates} (for a broadcast job, or the nodes of a job limited
   * to N). Ties go round-robin: each call starts after the nodes the previous one took, so jobs on an idle
   * cluster (every load 0) spread over all nodes instead of all landing on the first {@code count}.
   */
  List<Peer> leastLoaded(List<Peer> candidates, int count, java.util.function.ToIntFunction<String> load) {
    int n = candidates.size();
    if (n == 0 || count <= 0) {
      return List.of();
    }
    int start = Math.floorMod(rotation, n);
    List<Peer> rotated = new java.util.ArrayList<>(n);
    for (int k = 0; k < n; k++) {
      rotated.add(candidates.get((start + k) % n));
    }
    rotated.sort(java.util.Comparator.comparingInt(p -> load.applyAsInt(p.id())));
    List<Peer> chosen = List.copyOf(rotated.subList(0, Math.min(count, n)));
    rotation = start + chosen.size();
    return chosen;
  }

  int inFlight(String nodeId) {
    return inFlight.getOrDefault(nodeId, 0);
  }

  /** Records a part sent to a node; true when it is the node's only one in flight. */
  boolean sent(String nodeId) {
    return inFlight.merge(nodeId, 1, Integer::sum) == 1;
  }

  /** Records a part's answer (or its loss). */
  void answered(String nodeId) {
    inFlight.computeIfPresent(nodeId, (k, v) -> v <= 1 ? null : v - 1);
  }

  /** Nodes holding at least one of this coordinator's parts. */
  List<String> holders() {
    return List.copyOf(inFlight.keySet());
  }

  void park(Waiting part) {
    waiting.add(part);
  }

  int parked() {
    return waiting.size();
  }

  /** The next waiting part still wanted (parts of ended jobs, or done meanwhile, are dropped), or null. */
  Waiting peekWanted() {
    while (!waiting.isEmpty()) {
      Waiting head = waiting.peek();
      if (!head.job().status().isFinal() && !head.job().part(head.index()).done()) {
        return head;
      }
      waiting.poll();
    }
    return null;
  }

  void pollParked() {
    waiting.poll();
  }
}
