package org.disruptor.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.disruptor.cluster.Peer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class PlacementTest {

  private static List<Peer> peers(int n) {
    List<Peer> peers = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      peers.add(new Peer("n" + i, "127.0.0.1:" + (20000 + i), i));
    }
    return peers;
  }

  private static Set<String> ids(List<Peer> peers) {
    Set<String> ids = new TreeSet<>();
    peers.forEach(p -> ids.add(p.id()));
    return ids;
  }

  @Test
  @DisplayName("on an idle cluster, jobs limited to 5 of 24 nodes take turns: 24 jobs use every node 5 times")
  void tiesGoRoundRobin() {
    Placement placement = new Placement(8);
    List<Peer> peers = peers(24);
    Map<String, Integer> uses = new HashMap<>();
    for (int job = 0; job < 24; job++) {
      List<Peer> chosen = placement.leastLoaded(peers, 5, id -> 0);
      assertEquals(5, ids(chosen).size(), "5 different nodes: " + chosen);
      chosen.forEach(p -> uses.merge(p.id(), 1, Integer::sum));
    }
    assertEquals(24, uses.size(), "every node used: " + uses);
    uses.forEach((node, n) -> assertEquals(5, n, node + " used " + n + " times: " + uses));
  }

  @Test
  @DisplayName("the least loaded nodes win over the turn")
  void loadFirst() {
    Placement placement = new Placement(8);
    List<Peer> peers = peers(6);
    Map<String, Integer> load = Map.of("n0", 3, "n1", 0, "n2", 5, "n3", 0, "n4", 1, "n5", 4);
    for (int i = 0; i < 7; i++) {
      assertEquals(Set.of("n1", "n3", "n4"), ids(placement.leastLoaded(peers, 3, load::get)), "round " + i);
    }
  }

  @Test
  @DisplayName("asking for more nodes than there are gives them all; none gives none")
  void edges() {
    Placement placement = new Placement(8);
    assertEquals(Set.of("n0", "n1", "n2"), ids(placement.leastLoaded(peers(3), 10, id -> 0)));
    assertEquals(List.of(), placement.leastLoaded(List.of(), 3, id -> 0));
  }

  @Test
  @DisplayName("parts of one coordinator on tied nodes spread one per node before any node gets a second")
  void picksSpread() {
    Placement placement = new Placement(8);
    List<Peer> peers = peers(24);
    Set<String> first = new TreeSet<>();
    for (int i = 0; i < 24; i++) {
      Peer p = placement.pick(peers, null, id -> false);
      assertNotNull(p);
      placement.sent(p.id());
      first.add(p.id());
    }
    assertEquals(24, first.size(), "24 parts on 24 nodes");
  }
}
