package org.disruptor.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.disruptor.cluster.Peer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The stats board")
class StatsBoardTest {

  private static final Peer A = new Peer("id-a", "127.0.0.1:8080", 1);
  private static final Peer B = new Peer("id-b", "127.0.0.1:8081", 2);

  private static JsonObject stats(Peer peer, int running, long at) {
    return StatsRecord.of(peer, new JsonObject().put("running", running).put("queued", 0).put("completed", 5L)
        .put("jobs", new JsonObject()).put("node", peer.address()), "graaljs", 2, 10, 100, 0.25, at);
  }

  @Test
  @DisplayName("keeps each node's latest record and when it was heard; an older record arriving late is ignored")
  void keepsLatest() {
    StatsBoard board = new StatsBoard();
    board.record(stats(A, 1, 1000), 5000);
    board.record(stats(A, 2, 2000), 6000);
    board.record(stats(A, 9, 1500), 7000);
    assertEquals(2, board.get("id-a").getInteger("running"));
    assertEquals(6000, board.lastHeard("id-a"));
    assertEquals(-1, board.lastHeard("id-b"));
    assertNull(board.get("id-b"));
  }

  @Test
  @DisplayName("lists the live peers in order with their stats; a peer not heard yet has its peer entry only")
  void view() {
    StatsBoard board = new StatsBoard();
    board.record(stats(B, 3, 1000), 1000);
    JsonArray view = board.view(List.of(A, B));
    assertEquals(2, view.size());
    JsonObject a = view.getJsonObject(0);
    assertEquals("127.0.0.1:8080", a.getString("address"));
    assertFalse(a.containsKey("running"));
    JsonObject b = view.getJsonObject(1);
    assertEquals(3, b.getInteger("running"));
    assertEquals(2L, b.getLong("since"));
    assertEquals("graaljs", b.getString("engine"));
    assertEquals(0.25, b.getDouble("cpu"));
  }

  @Test
  @DisplayName("drops a node that left, and forgets a non-peer once it has been silent past the cutoff")
  void drops() {
    StatsBoard board = new StatsBoard();
    board.record(stats(A, 1, 1000), 1000);
    board.record(stats(B, 1, 1000), 1000);
    board.drop("id-a");
    assertNull(board.get("id-a"));
    board.retain(List.of(A), 500);
    assertTrue(board.get("id-b") != null, "heard after the cutoff: kept (it may be joining)");
    board.retain(List.of(A), 2000);
    assertNull(board.get("id-b"));
  }

  @Test
  @DisplayName("a record carries the worker's own counters only, with who, engine, heap, CPU and time")
  void record() {
    JsonObject record = stats(A, 4, 1234);
    assertEquals(List.of("address", "id", "engine", "workers", "running", "queued", "completed", "heapUsed",
        "heapMax", "cpu", "at"), List.copyOf(record.fieldNames()));
    JsonObject reported = StatsRecord.of(A, new JsonObject().put("engine", "v8").put("workers", 8).put("busy", 3)
        .put("stuck", 0), "graaljs", 2, 1, 2, -1, 5);
    assertEquals("v8", reported.getString("engine"));
    assertEquals(8, reported.getInteger("workers"));
    assertEquals(3, reported.getInteger("busy"));
    assertFalse(reported.containsKey("cpu"), "an unknown CPU load is left out, not -1");
    assertEquals(List.of("address", "id", "engine", "workers", "heapUsed", "heapMax", "at"),
        List.copyOf(StatsRecord.of(A, null, "graaljs", 2, 1, 2, -1, 5).fieldNames()));
  }
}
