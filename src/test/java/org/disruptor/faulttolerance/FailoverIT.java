package org.disruptor.faulttolerance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Issue 4, failover: three real node processes; one is killed with kill -9 or frozen with SIGSTOP while
 * a job runs. The job must still complete with exactly the right result, and a dead coordinator must
 * leave no work running behind it.
 */
@DisplayName("Failover on a three-node cluster")
class FailoverIT {

  private static final int PARTS = 30;
  private static final long SILENCE_MS = 3_000;
  private static final Duration JOB_END = Duration.ofSeconds(40);

  @Test
  @DisplayName("a worker killed with kill -9 mid-job: the job completes with the exact result, "
      + "and the parts it held ran again elsewhere (attempts >= 2)")
  void killedWorker() throws Exception {
    try (Grid grid = Grid.start(3)) {
      int coordinator = 0;
      int victim = 2;
      Hit hit = faultMidJob(grid, coordinator, victim, () -> grid.node(victim).kill());
      int moved = hit.moved();
      System.out.printf("[FailoverIT] kill -9 of a worker: %d part(s) moved, job completed %d ms after the kill%n",
          moved, hit.tookMs());

      grid.awaitPeers(coordinator, 2, Duration.ofSeconds(10));
      long retries = grid.ownStats(coordinator).getLong("retries");
      assertTrue(retries >= moved, "the coordinator counts " + retries + " retries for " + moved + " moved parts");
    }
  }

  @Test
  @DisplayName("the coordinator killed with kill -9 mid-job: within 2 s no part of its job runs or waits "
      + "on any surviving node, and the survivors count the stops")
  void killedCoordinator() throws Exception {
    try (Grid grid = Grid.start(3)) {
      int coordinator = 0;
      int[] survivors = {1, 2};
      grid.submit(coordinator, Grid.busySquares(12, 12, 3_000).put("timeoutMs", 60_000));
      long[] completedBefore = new long[3];
      for (int s : survivors) {
        awaitStats(grid, s, stats -> count(stats, "running") > 0, "run a part of the job");
      }
      for (int s : survivors) {
        completedBefore[s] = grid.ownStats(s).getLong("completed");
      }
      long killed = System.nanoTime();
      grid.node(coordinator).kill();

      List<IdleWatch> watches = new ArrayList<>();
      for (int s : survivors) {
        watches.add(new IdleWatch(grid, s, killed));
      }
      watches.forEach(Thread::start);
      long worstMs = 0;
      for (IdleWatch watch : watches) {
        watch.join(20_000);
        if (watch.failure != null) {
          throw new AssertionError(watch.failure);
        }
        assertTrue(watch.idleAfterMs >= 0, grid.node(watch.node).address()
            + " still runs or queues parts of the dead coordinator's job 15 s after its death\n" + grid.tail(watch.node));
        System.out.printf("[FailoverIT] coordinator killed: %s idle %d ms after the kill (last busy poll sent at %d ms, "
            + "%d polls without its own stats), stops %s%n", grid.node(watch.node).address(), watch.idleAfterMs,
            watch.lastBusySentMs, watch.unanswered, watch.stats.getJsonObject("stops"));
        worstMs = Math.max(worstMs, watch.idleAfterMs);
      }
      for (IdleWatch watch : watches) {
        JsonObject stops = watch.stats.getJsonObject("stops");
        assertTrue(stops.getLong("orphaned", 0L) >= 1, grid.node(watch.node).address()
            + " counts no orphaned job: " + stops);
        assertEquals(completedBefore[watch.node], watch.stats.getLong("completed"), grid.node(watch.node).address()
            + " completed parts of the dead coordinator's job after its death");
      }
      final long worst = worstMs;
      assertTrue(worst <= 2_000, () -> "the survivors were idle only " + worst
          + " ms after the coordinator died (limit 2000 ms)\n" + watches.get(0).describe() + "\n"
          + watches.get(1).describe() + "\n" + grid.tail(1) + "\n" + grid.tail(2));

      grid.awaitPeers(1, 2, Duration.ofSeconds(10));
      String id = grid.submit(1, Grid.busySquares(8, 4, 0));
      assertSquares(grid.awaitEnd(1, id, JOB_END), 8, 4, grid);
    }
  }

  @Test
  @DisplayName("a worker frozen with SIGSTOP mid-job: the job completes elsewhere within nodeSilenceMs + 2 s; "
      + "after SIGCONT the node answers, rejoins the peer list and runs jobs again")
  void frozenWorker() throws Exception {
    try (Grid grid = Grid.start(3, "--node-silence-ms", String.valueOf(SILENCE_MS))) {
      int coordinator = 0;
      int victim = 2;
      Hit hit = faultMidJob(grid, coordinator, victim, () -> grid.node(victim).pause());
      long paused = hit.faultAt();
      long tookMs = hit.tookMs();
      System.out.printf("[FailoverIT] SIGSTOP of a worker: %d part(s) moved, job completed %d ms after the stop%n",
          hit.moved(), tookMs);
      assertTrue(tookMs <= SILENCE_MS + 2_000, "the job completed " + tookMs + " ms after the worker froze (limit "
          + (SILENCE_MS + 2_000) + " ms)\n" + grid.tail(coordinator));

      // Stay frozen until the cluster drops the node (Hazelcast: no heartbeat for 6 s), then thaw it. Issue 2
      // asks that a frozen node leave every peer list within 10 s.
      grid.awaitPeers(coordinator, 2, Duration.ofSeconds(30));
      long dropped = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - paused);
      for (int other = 0; other < 3; other++) {
        if (other != victim) {
          grid.awaitPeers(other, 2, Duration.ofSeconds(1));
        }
      }
      long droppedEverywhere = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - paused);
      assertTrue(droppedEverywhere <= 10_000, "the frozen node left every peer list " + droppedEverywhere
          + " ms after SIGSTOP (limit 10 s)\n" + grid.tails());
      grid.node(victim).resume();
      long resumed = System.nanoTime();
      grid.node(victim).awaitUp(Duration.ofSeconds(10));
      long upMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - resumed);
      grid.awaitPeers(coordinator, 3, Duration.ofSeconds(30));
      grid.awaitPeers(victim, 3, Duration.ofSeconds(30));
      long rejoinedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - resumed);
      System.out.printf("[FailoverIT] frozen worker dropped from the peer list %d ms after SIGSTOP; after SIGCONT "
          + "/health UP in %d ms, back in both peer lists in %d ms%n", dropped, upMs, rejoinedMs);

      awaitStats(grid, victim, s -> count(s, "running") == 0 && count(s, "queued") == 0,
          "drop the parts it held while frozen");
      String again = grid.submit(victim, Grid.busySquares(9, 3, 0));
      JsonObject served = grid.awaitEnd(victim, again, JOB_END);
      assertSquares(served, 9, 3, grid);
    }
  }

  /** What a fault did to a job: how many of the victim's parts moved, and when the job completed. */
  private record Hit(int moved, long tookMs, long faultAt) {
  }

  private interface Fault {
    void hit() throws Exception;
  }

  /**
   * Submits a job, strikes the victim while it holds unfinished parts of it, and checks that the job still
   * completes with the exact result and that the victim's unfinished parts ran again elsewhere.
   */
  private static Hit faultMidJob(Grid grid, int coordinator, int victim, Fault fault) throws Exception {
    String victimAddress = grid.node(victim).address();
    String id = grid.submit(coordinator, Grid.busySquares(PARTS, PARTS, 200));
    JsonObject before = awaitUnfinishedOn(grid, coordinator, id, victimAddress);
    fault.hit();
    long at = System.nanoTime();
    JsonObject done = grid.awaitEnd(coordinator, id, JOB_END);
    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - at);
    assertSquares(done, PARTS, PARTS, grid);
    return new Hit(assertMoved(before, done, victimAddress), tookMs, at);
  }

  /**
   * Polls the job until the victim has finished a part and still holds unfinished ones, so a fault now
   * hits parts in flight; returns that view.
   */
  private static JsonObject awaitUnfinishedOn(Grid grid, int coordinator, String id, String victim) throws Exception {
    return grid.awaitJob(coordinator, id, Duration.ofSeconds(30), view -> {
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
   * fault (attempts 1; at most one per worker thread) or ran again elsewhere (attempts >= 2). Returns how
   * many moved; at least one must have.
   */
  private static int assertMoved(JsonObject before, JsonObject after, String victim) {
    List<Integer> unfinished = unfinishedOn(before, victim);
    int moved = 0;
    int finishedInTheGap = 0;
    for (int index : unfinished) {
      JsonObject part = after.getJsonArray("partitions").getJsonObject(index);
      if (victim.equals(part.getString("node"))) {
        assertEquals(1, part.getInteger("attempts"), "part " + index + " shows attempts > 1 but ran on the dead node: "
            + part);
        finishedInTheGap++;
      } else {
        assertTrue(part.getInteger("attempts") >= 2, "part " + index + " was unfinished on " + victim
            + " and finished on " + part.getString("node") + " with attempts " + part.getInteger("attempts"));
        moved++;
      }
    }
    assertTrue(finishedInTheGap <= 2, finishedInTheGap + " of the victim's unfinished parts " + unfinished
        + " report finishing on it after the fault: " + after);
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

  private static JsonObject awaitStats(Grid grid, int node, java.util.function.Predicate<JsonObject> condition,
      String what) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    JsonObject stats = grid.ownStats(node);
    while (!condition.test(stats)) {
      if (System.nanoTime() > end) {
        throw new AssertionError(grid.node(node).address() + " did not " + what + " within 20 s; its stats: " + stats);
      }
      Thread.sleep(50);
      stats = grid.ownStats(node);
    }
    return stats;
  }

  /** A counter from a node's /api/peers entry; -1 when the node's stats did not answer in time (null). */
  private static int count(JsonObject stats, String name) {
    Integer value = stats.getInteger(name);
    return value == null ? -1 : value;
  }

  /**
   * Polls one survivor's own counters every 100 ms, each poll on its own (a poll that waits on a slow stats
   * answer does not hold back the next one), until a poll finds it neither running nor queueing a part.
   * Records when that answer came back, and the trace of every poll for the failure message.
   */
  private static final class IdleWatch extends Thread {
    final Grid grid;
    final int node;
    final long since;
    final List<String> trace = java.util.Collections.synchronizedList(new ArrayList<>());
    volatile long idleAfterMs = -1;
    volatile long lastBusySentMs = -1;
    volatile JsonObject stats;
    volatile Throwable failure;
    volatile int unanswered;

    IdleWatch(Grid grid, int node, long since) {
      super("idle-watch-" + node);
      this.grid = grid;
      this.node = node;
      this.since = since;
    }

    @Override
    public void run() {
      java.util.concurrent.ExecutorService polls = java.util.concurrent.Executors.newCachedThreadPool();
      try {
        long end = since + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < end && idleAfterMs < 0) {
          polls.submit(this::poll);
          Thread.sleep(100);
        }
        polls.shutdown();
        polls.awaitTermination(15, TimeUnit.SECONDS);
        Thread.sleep(300); // counters settle once the stopped parts have replied
        stats = answeredStats();
      } catch (Throwable e) {
        failure = e;
      } finally {
        polls.shutdownNow();
      }
    }

    private void poll() {
      long sent = System.nanoTime();
      try {
        JsonObject own = grid.ownStats(node);
        long sentMs = TimeUnit.NANOSECONDS.toMillis(sent - since);
        long answeredMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since);
        trace.add(sentMs + "-" + answeredMs + ":" + own.getValue("running") + "/" + own.getValue("queued"));
        if (own.getInteger("running") == null) {
          unanswered++; // the node's own stats did not answer /api/peers in time: unknown, not idle
        } else if (own.getInteger("running") == 0 && own.getInteger("queued") == 0) {
          synchronized (this) {
            if (idleAfterMs < 0 || answeredMs < idleAfterMs) {
              idleAfterMs = answeredMs;
            }
          }
        } else {
          synchronized (this) {
            lastBusySentMs = Math.max(lastBusySentMs, sentMs);
          }
        }
      } catch (Exception e) {
        trace.add(TimeUnit.NANOSECONDS.toMillis(sent - since) + ": " + e);
      }
    }

    private JsonObject answeredStats() throws Exception {
      JsonObject own = grid.ownStats(node);
      for (int i = 0; i < 20 && own.getInteger("running") == null; i++) {
        Thread.sleep(200);
        own = grid.ownStats(node);
      }
      return own;
    }

    String describe() {
      synchronized (trace) {
        return grid.node(node).address() + ": idle answer after " + idleAfterMs + " ms, last busy answer to a poll "
            + "sent at " + lastBusySentMs + " ms; polls (sent-answered ms: running/queued) " + trace;
      }
    }
  }
}
