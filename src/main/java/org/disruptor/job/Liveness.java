package org.disruptor.job;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which nodes holding parts still answer. A node that stops answering without leaving the cluster (frozen,
 * overloaded) must not hang jobs until Hazelcast declares it dead: one silent for {@code silenceMs} while it
 * holds parts becomes a suspect (its parts move, placement avoids it) until it answers again.
 */
final class Liveness {

  private final long silenceNanos;
  private final Map<String, Long> lastHeard = new HashMap<>();
  private final Set<String> suspects = new HashSet<>();

  Liveness(long silenceMs) {
    this.silenceNanos = silenceMs * 1_000_000;
  }

  /** A node got its first part in flight: its silence is counted from now. */
  void expecting(String nodeId, long now) {
    lastHeard.put(nodeId, now);
  }

  /** The node answered (a reply or a ping); true when it was a suspect. */
  boolean heard(String nodeId, long now) {
    lastHeard.put(nodeId, now);
    return suspects.remove(nodeId);
  }

  boolean suspect(String nodeId) {
    return suspects.contains(nodeId);
  }

  /** Of the nodes holding parts, those silent past the limit that were not suspects yet (now they are). */
  List<String> newlySilent(Collection<String> holders, long now) {
    List<String> silent = new ArrayList<>();
    for (String node : holders) {
      long heard = lastHeard.getOrDefault(node, now);
      if (now - heard > silenceNanos && suspects.add(node)) {
        silent.add(node);
      }
    }
    return silent;
  }

  /** Silence in ms of a node (0 when unknown). */
  long silentMs(String nodeId, long now) {
    return (now - lastHeard.getOrDefault(nodeId, now)) / 1_000_000;
  }

  void forget(String nodeId) {
    lastHeard.remove(nodeId);
    suspects.remove(nodeId);
  }
}
