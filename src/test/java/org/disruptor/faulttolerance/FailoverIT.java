package org.disruptor.faulttolerance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.disruptor.e2e.Eventually;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Issue 4, failover: three real node processes; one is killed with kill -9 or frozen with SIGSTOP while
 * a job runs. The job must still complete with exactly the right result, and a dead coordinator must
 * leave no work running behind it. Each check waits for its outcome; how fast each happens is measured by
 * {@code ./run.sh bench faults}.
 */
@DisplayName("Failover on a three-node cluster")
class FailoverIT {

  /** Four parts per node: on one worker each, a node runs one and queues the others. */
  private static final int PARTS = 12;
  /** Long enough that a part queued on the struck node cannot finish before the blow lands. */
  private static final long PART_MS = 1_200;
  /** One worker per node on any machine, so each node queues parts behind its running one (and few cores spin). */
  private static final String[] WORKERS = {"--worker-threads", "1"};
  private static final long SILENCE_MS = 3_000;
  /** Parts of the dead coordinator's job would run this long: far past the wait for their stop. */
  private static final long ORPHAN_PART_MS = 180_000;
  private static final Duration OUTCOME = Eventually.OUTCOME;

  @Test
  @DisplayName("a worker killed with kill -9 mid-job: the job completes with the exact result, "
      + "and the parts it held ran again elsewhere (attempts >= 2)")
  void killedWorker() throws Exception {
    try (Grid grid = Grid.start(3, WORKERS)) {
      int coordinator = 0;
      int victim = 2;
      int moved = faultMidJob(grid, coordinator, victim, () -> grid.node(victim).kill());
      grid.awaitPeers(coordinator, 2, OUTCOME);
      long retries = grid.ownStats(coordinator).getLong("retries");
      assertTrue(retries >= moved, "the coordinator counts " + retries + " retries for " + moved + " moved parts");
    }
  }

  @Test
  @DisplayName("the coordinator killed with kill -9 mid-job: every survivor stops the job's running and queued parts, "
      + "counts the orphaned job, completes none of them, and then runs jobs again")
  void killedCoordinator() throws Exception {
    // only the orphan stop can end these parts within the wait: their own end and every limit lie far beyond it
    try (Grid grid = Grid.start(3, "--worker-threads", "1", "--part-time-limit-ms", "600000")) {
      int coordinator = 0;
      int[] survivors = {1, 2};
      // a synchronous job: an async one is durable and is adopted by a survivor instead
      grid.submitSync(coordinator, Grid.busySquares(6, 6, ORPHAN_PART_MS).put("timeoutMs", 600_000));
      long[] completedBefore = new long[3];
      for (int s : survivors) {
        completedBefore[s] = awaitStats(grid, s, stats -> count(stats, "running") > 0, "run a part of the job")
            .getLong("completed");
      }
      grid.node(coordinator).kill();

      for (int s : survivors) {
        JsonObject stats = awaitStats(grid, s, st -> count(st, "running") == 0 && count(st, "queued") == 0
            && st.getJsonObject("stops").getLong("orphaned", 0L) >= 1,
            "stop every running and queued part of the dead coordinator's job, and count the orphaned job");
        assertEquals(completedBefore[s], stats.getLong("completed"), grid.node(s).address()
            + " completed parts of the dead coordinator's job after its death");
      }

      grid.awaitPeers(1, 2, OUTCOME);
      String id = grid.submit(1, Grid.busySquares(8, 4, 0));
      assertSquares(grid.awaitEnd(1, id, OUTCOME), 8, 4, grid);
    }
  }

  @Test
  @DisplayName("a worker frozen with SIGSTOP mid-job: the job completes elsewhere with the exact result, the frozen "
      + "node leaves every peer list, and after SIGCONT it answers, rejoins the peer list and runs jobs again")
  void frozenWorker() throws Exception {
    try (Grid grid = Grid.start(3, "--worker-threads", "1", "--node-silence-ms", String.valueOf(SILENCE_MS))) {
      int coordinator = 0;
      int victim = 2;
      faultMidJob(grid, coordinator, victim, () -> grid.node(victim).pause());

      // Stay frozen until the cluster drops the node (Hazelcast: no heartbeat for maxNoHeartbeatSeconds), then thaw it.
      for (int other = 0; other < 3; other++) {
        if (other != victim) {
          grid.awaitPeers(other, 2, OUTCOME);
        }
      }
      grid.node(victim).resume();
      grid.node(victim).awaitUp(OUTCOME);
      grid.awaitPeers(coordinator, 3, OUTCOME);
      grid.awaitPeers(victim, 3, OUTCOME);

      awaitStats(grid, victim, s -> count(s, "running") == 0 && count(s, "queued") == 0,
          "drop the parts it held while frozen");
      String again = grid.submit(victim, Grid.busySquares(9, 3, 0));
      assertSquares(grid.awaitEnd(victim, again, OUTCOME), 9, 3, grid);
    }
  }

  private interface Fault {
    void hit() throws Exception;
  }

  /**
   * Submits a job, strikes the victim while it holds unfinished parts of it, and checks that the job still
   * completes with the exact result and that the victim's unfinished parts ran again elsewhere; returns how
   * many moved.
   */
  private static int faultMidJob(Grid grid, int coordinator, int victim, Fault fault) throws Exception {
    String victimAddress = grid.node(victim).address();
    String id = grid.submit(coordinator, Grid.busySquares(PARTS, PARTS, PART_MS));
    JsonObject before = awaitUnfinishedOn(grid, coordinator, id, victimAddress);
    fault.hit();
    JsonObject done = grid.awaitEnd(coordinator, id, OUTCOME);
    assertSquares(done, PARTS, PARTS, grid);
    return assertMoved(before, done, victimAddress);
  }

  /**
   * Polls the job until the victim has finished a part and still holds unfinished ones, so a fault now
   * hits parts in flight; returns that view.
   */
  private static JsonObject awaitUnfinishedOn(Grid grid, int coordinator, String id, String victim) throws Exception {
    return grid.awaitJob(coordinator, id, OUTCOME, view -> {
      if (!"running".equals(view.getString("status"))) {
        throw new AssertionError("the job ended before the fault could hit it: " + view);
      }
      boolean finishedOne = parts(view).stream().anyMatch(p -> victim.equals(p.getString("node"))
          && "done".equals(p.getString("status")));
      return finishedOne && unfinishedOn(view, victim).size() >= 2;
    }, "hold unfinished parts on " + victim + " after finishing one there");
  }

  private static List<Integer> unfinishedOn(JsonObject view, String node) {
    return parts(view).stream().filter(p -> node.equals(p.getString("node")) && !"done".equals(p.getString("status")))
        .map(p -> p.getInteger("index")).toList();
  }

  private static List<JsonObject> parts(JsonObject view) {
    return view.getJsonArray("partitions").stream().map(p -> (JsonObject) p).toList();
  }

  /**
   * Each part the victim held unfinished before the fault either finished there in the moment before the
   * fault (attempts 1) or ran again elsewhere (attempts >= 2). Returns how many moved; at least one must have:
   * the victim held at least two on its one worker, so one of them still had a whole part's time to run.
   */
  private static int assertMoved(JsonObject before, JsonObject after, String victim) {
    List<Integer> unfinished = unfinishedOn(before, victim);
    int moved = 0;
    for (int index : unfinished) {
      JsonObject part = after.getJsonArray("partitions").getJsonObject(index);
      if (victim.equals(part.getString("node"))) {
        assertEquals(1, part.getInteger("attempts"), "part " + index + " shows attempts > 1 but ran on the struck node: "
            + part);
      } else {
        assertTrue(part.getInteger("attempts") >= 2, "part " + index + " was unfinished on " + victim
            + " and finished on " + part.getString("node") + " with attempts " + part.getInteger("attempts"));
        moved++;
      }
    }
    assertTrue(moved >= 1, "none of the victim's unfinished parts " + unfinished + " moved: " + after);
    return moved;
  }

  /** A completed job whose result is exactly the squares job's: one array of squares per slice. */
  private static void assertSquares(JsonObject view, int total, int count, Grid grid) {
    assertEquals("completed", view.getString("status"), () -> "job did not complete: " + view + "\n" + grid.tails());
    assertEquals(count, view.getJsonArray("partitions").size(), "partitions in " + view);
    JsonArray result = view.getJsonArray("result");
    JsonArray expected = new JsonArray();
    int next = 0;
    for (int i = 0; i < count; i++) {
      int size = total / count + (i < total % count ? 1 : 0);
      JsonArray slice = new JsonArray();
      for (int k = 0; k < size; k++, next++) {
        slice.add(next * next);
      }
      expected.add(slice);
    }
    assertEquals(expected, result, "the job's result is not exact");
    for (Object part : view.getJsonArray("partitions")) {
      assertEquals("done", ((JsonObject) part).getString("status"), "part not done in a completed job: " + part);
    }
  }

  private static JsonObject awaitStats(Grid grid, int node, Predicate<JsonObject> condition, String what)
      throws Exception {
    return Eventually.until(grid.node(node).address() + " should " + what, OUTCOME, () -> grid.ownStats(node),
        condition, () -> grid.tail(node));
  }

  /** A counter from a node's /api/peers entry; -1 when the node's stats did not answer in time (null). */
  private static int count(JsonObject stats, String name) {
    Integer value = stats.getInteger(name);
    return value == null ? -1 : value;
  }
}
