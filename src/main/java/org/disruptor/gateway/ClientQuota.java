package org.disruptor.gateway;

import java.util.HashMap;
import java.util.Map;

/** At most {@code max} of something held at once per client (its remote IP); one thread uses it. */
final class ClientQuota {

  private final int max;
  private final Map<String, Integer> held = new HashMap<>();

  ClientQuota(int max) {
    this.max = max;
  }

  int max() {
    return max;
  }

  /** Takes one for {@code client}; false (and nothing taken) when it already holds {@code max}. */
  boolean acquire(String client) {
    int now = held.getOrDefault(client, 0);
    if (now >= max) {
      return false;
    }
    held.put(client, now + 1);
    return true;
  }

  /** Gives one back. */
  void release(String client) {
    held.computeIfPresent(client, (k, n) -> n <= 1 ? null : n - 1);
  }

  int held(String client) {
    return held.getOrDefault(client, 0);
  }
}
