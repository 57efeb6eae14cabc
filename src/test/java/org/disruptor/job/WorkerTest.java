package org.disruptor.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.disruptor.job.PartMessages.PartDone;
import org.disruptor.job.PartMessages.PartFailed;
import org.disruptor.job.PartMessages.PartOutcome;
import org.disruptor.job.PartMessages.PartRefused;
import org.disruptor.job.PartMessages.PartRequest;
import org.disruptor.job.PartMessages.StopParts;
import org.disruptor.sandbox.RunHandle;
import org.disruptor.sandbox.SandboxException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The worker side of the part protocol with a scripted engine: parts block until the test lets them go
 * (or honour a stop, or ignore it), so admission, stops, orphans and abandoned threads are checked by
 * outcome, with latches instead of sleeps.
 */
@DisplayName("The worker")
class WorkerTest {

  private static final long WAIT_S = 30;
  private final AtomicLong clock = new AtomicLong(1);
  private final List<String> stops = new java.util.concurrent.CopyOnWriteArrayList<>();
  /** Parts the scripted engine is running, by input, released by the test. */
  private final ConcurrentHashMap<String, CountDownLatch> gates = new ConcurrentHashMap<>();
  private final CountDownLatch ignoreStops = new CountDownLatch(1);
  private JsWorkers pool;
  private final java.util.Set<String> peers = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final List<String> savedParts = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final Worker.DurableParts saved = (jobId, index, node, result) ->
      savedParts.add(jobId + "/" + index + "@" + node + "=" + new String(result, StandardCharsets.UTF_8));

  private Worker worker(int threads, int maxQueued) {
    pool = new JsWorkers("test-js", threads, 0, 1_000, clock::get, false);
    Worker.Metrics metrics = new Worker.Metrics() {
      @Override
      public void partCompleted(double elapsedMs) {
      }

      @Override
      public void partFailed() {
      }

      @Override
      public void stop(String reason) {
        stops.add(reason);
      }
    };
    return new Worker("me:1", pool, maxQueued, this::engine, metrics, peers::contains, saved);
  }

  @AfterEach
  void release() {
    ignoreStops.countDown();
    gates.values().forEach(CountDownLatch::countDown);
    if (pool != null) {
      pool.close();
    }
  }

  /**
   * The scripted engine: input "wait" blocks until the part is stopped (then fails with the stop's reason) or
   * released; "stubborn" ignores stops until the test ends; anything else is returned at once.
   */
  private PartDone engine(PartRequest part, String ctx, long leftMs, RunHandle handle) {
    String input = new String(part.input(), StandardCharsets.UTF_8);
    try {
      if (input.startsWith("\"wait")) {
        CountDownLatch gate = gates.computeIfAbsent(input, k -> new CountDownLatch(1));
        while (!gate.await(5, TimeUnit.MILLISECONDS)) {
          if (handle.stopped()) {
            throw new SandboxException(handle.stopReason(), "stopped");
          }
        }
      } else if (input.startsWith("\"stubborn")) {
        ignoreStops.await();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return new PartDone(part.index(), part.attempt(), "me:1", part.input(), 1, List.of(), 1, 2);
  }

  private static PartRequest part(String coordinator, String job, int index, int attempt, String input) {
    return new PartRequest(job, coordinator, index, attempt, 4, "(x) => x", input.getBytes(StandardCharsets.UTF_8),
        60_000);
  }

  private static PartOutcome next(BlockingQueue<PartOutcome> answers) throws InterruptedException {
    PartOutcome outcome = answers.poll(WAIT_S, TimeUnit.SECONDS);
    if (outcome == null) {
      throw new AssertionError("no answer within " + WAIT_S + " s");
    }
    return outcome;
  }

  private void awaitRunning(int busy) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
    while (pool.busy() < busy) {
      if (System.nanoTime() > end) {
        throw new AssertionError("the pool never had " + busy + " busy threads");
      }
      Thread.sleep(5);
    }
  }

  @Test
  @DisplayName("runs a part and answers it once with its result")
  void runs() throws Exception {
    Worker worker = worker(1, 1);
    BlockingQueue<PartOutcome> answers = new LinkedBlockingQueue<>();
    worker.accept(part("c", "j", 0, 1, "[1,2]"), answers::add);
    PartDone done = assertInstanceOf(PartDone.class, next(answers));
    assertEquals("[1,2]", new String(done.result(), StandardCharsets.UTF_8));
    assertEquals(0, worker.inFlight());
    assertEquals(1, pool.started(), "the part counts as started once it has come and gone");
    assertEquals(0, pool.busy());
  }

  @Test
  @DisplayName("refuses a part as saturated when its workers and queue are full, and takes parts again after")
  void saturation() throws Exception {
    Worker worker = worker(1, 1);
    BlockingQueue<PartOutcome> answers = new LinkedBlockingQueue<>();
    worker.accept(part("c", "j", 0, 1, "\"wait-0\""), answers::add);
    awaitRunning(1);
    worker.accept(part("c", "j", 1, 1, "\"wait-1\""), answers::add);
    worker.accept(part("c", "j", 2, 1, "3"), answers::add);
    PartRefused refused = assertInstanceOf(PartRefused.class, next(answers));
    assertEquals(2, refused.index());
    assertEquals(PartRefused.SATURATED, refused.reason());
    gates.get("\"wait-0\"").countDown();
    assertEquals(0, next(answers).index());
    gates.computeIfAbsent("\"wait-1\"", k -> new CountDownLatch(1)).countDown();
    assertEquals(1, next(answers).index());
    worker.accept(part("c", "j", 2, 2, "3"), answers::add);
    assertInstanceOf(PartDone.class, next(answers));
  }

  @Test
  @DisplayName("a stop for one attempt of a part stops that copy only, not a later copy sent here again")
  void stopsOneAttempt() throws Exception {
    Worker worker = worker(2, 2);
    BlockingQueue<PartOutcome> answers = new LinkedBlockingQueue<>();
    worker.accept(part("c", "j", 0, 1, "\"wait-a\""), answers::add);
    worker.accept(part("c", "j", 0, 2, "\"wait-b\""), answers::add);
    awaitRunning(2);
    worker.stop(new StopParts("j", 0, 1, "cancelled"));
    PartFailed stopped = assertInstanceOf(PartFailed.class, next(answers));
    assertEquals(1, stopped.attempt());
    assertEquals("cancelled", stopped.code());
    gates.get("\"wait-b\"").countDown();
    PartDone done = assertInstanceOf(PartDone.class, next(answers));
    assertEquals(2, done.attempt());
  }

  @Test
  @DisplayName("a coordinator leaving while its parts are queued: running and queued parts stop, later ones are refused")
  void coordinatorLeaves() throws Exception {
    Worker worker = worker(1, 4);
    BlockingQueue<PartOutcome> answers = new LinkedBlockingQueue<>();
    worker.accept(part("gone", "j", 0, 1, "\"wait-run\""), answers::add);
    awaitRunning(1);
    worker.accept(part("gone", "j", 1, 1, "\"wait-queued\""), answers::add);
    worker.accept(part("other", "k", 0, 1, "\"wait-other\""), answers::add);
    worker.coordinatorLeft("gone", "gone:1", System.nanoTime());
    List<PartOutcome> firstTwo = List.of(next(answers), next(answers));
    assertTrue(firstTwo.stream().allMatch(o -> o instanceof PartFailed f && f.code().equals("cancelled")),
        "both parts of the departed coordinator end as stopped: " + firstTwo);
    assertEquals(List.of("orphaned"), stops);
    worker.accept(part("gone", "j", 2, 1, "1"), answers::add);
    PartRefused refused = assertInstanceOf(PartRefused.class, next(answers));
    assertEquals(PartRefused.COORDINATOR_GONE, refused.reason());
    gates.computeIfAbsent("\"wait-other\"", k -> new CountDownLatch(1)).countDown();
    PartDone other = assertInstanceOf(PartDone.class, next(answers));
    assertEquals("\"wait-other\"", new String(other.result(), StandardCharsets.UTF_8), "another coordinator's part runs");
    peers.add("gone"); // it comes back (a frozen node thawed and rejoined): its new parts run
    worker.accept(part("gone", "j2", 0, 1, "5"), answers::add);
    assertInstanceOf(PartDone.class, next(answers));
  }

  @Test
  @DisplayName("a part that ignores its stop is abandoned: answered as stopped, its thread replaced, counted stuck")
  void abandonsStuckThread() throws Exception {
    Worker worker = worker(2, 2);
    BlockingQueue<PartOutcome> answers = new LinkedBlockingQueue<>();
    worker.accept(part("c", "j", 0, 1, "\"stubborn\""), answers::add);
    awaitRunning(1);
    worker.stop(StopParts.all("j", "time_limit"));
    pool.checkStuck(); // first sight of the ignored stop
    assertTrue(answers.isEmpty(), "not abandoned before the grace");
    clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(1_001));
    pool.checkStuck();
    PartFailed stopped = assertInstanceOf(PartFailed.class, next(answers));
    assertEquals("time_limit", stopped.code());
    assertEquals(1, pool.stuck());
    assertEquals(1L, pool.abandonedTotal());
    assertEquals(1, worker.stats().getInteger("stuck"));
    worker.accept(part("c", "k", 0, 1, "7"), answers::add);
    assertEquals("7", new String(assertInstanceOf(PartDone.class, next(answers)).result(), StandardCharsets.UTF_8),
        "a fresh thread runs the next part");
    ignoreStops.countDown();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
    while (pool.stuck() > 0 && System.nanoTime() < end) {
      Thread.sleep(5);
    }
    assertEquals(0, pool.stuck(), "a thread that returns after all is no longer stuck");
    assertTrue(answers.isEmpty(), "the abandoned part is not answered twice");
  }

  @Test
  @DisplayName("with every worker stuck, fresh threads still run new parts")
  void allStuck() throws Exception {
    Worker worker = worker(1, 4);
    BlockingQueue<PartOutcome> answers = new LinkedBlockingQueue<>();
    worker.accept(part("c", "j", 0, 1, "\"stubborn\""), answers::add);
    awaitRunning(1);
    worker.stop(StopParts.all("j", "cancelled"));
    pool.checkStuck();
    clock.addAndGet(TimeUnit.SECONDS.toNanos(2));
    pool.checkStuck();
    next(answers);
    assertEquals(1, pool.stuck());
    worker.accept(part("c", "k", 0, 1, "1"), answers::add);
    assertInstanceOf(PartDone.class, next(answers));
  }

  @Test
  @DisplayName("on shutdown, running parts are given up as refused (their coordinators move them) and new ones refused")
  void shutdown() throws Exception {
    Worker worker = worker(1, 2);
    BlockingQueue<PartOutcome> answers = new LinkedBlockingQueue<>();
    worker.accept(part("c", "j", 0, 1, "\"wait-s\""), answers::add);
    awaitRunning(1);
    worker.shutdown();
    PartRefused given = assertInstanceOf(PartRefused.class, next(answers));
    assertEquals(PartRefused.STOPPING, given.reason());
    worker.accept(part("c", "j", 1, 1, "1"), answers::add);
    assertEquals(PartRefused.STOPPING, assertInstanceOf(PartRefused.class, next(answers)).reason());
  }

  @Test
  @DisplayName("a durable part outlives its coordinator: it is not stopped as an orphan, and stores its result")
  void durablePartOutlivesCoordinator() throws Exception {
    Worker worker = worker(2, 2);
    BlockingQueue<PartOutcome> answers = new LinkedBlockingQueue<>();
    worker.accept(new PartRequest("d", "gone", 3, 1, 4, "(x) => x", "\"wait-d\"".getBytes(StandardCharsets.UTF_8),
        60_000, true), answers::add);
    worker.accept(part("gone", "s", 0, 1, "\"wait-s2\""), answers::add);
    awaitRunning(2);
    worker.coordinatorLeft("gone", "gone:1", System.nanoTime());
    PartFailed orphan = assertInstanceOf(PartFailed.class, next(answers));
    assertEquals(0, orphan.index(), "the plain part is stopped");
    assertEquals("cancelled", orphan.code());
    gates.get("\"wait-d\"").countDown();
    PartDone durable = assertInstanceOf(PartDone.class, next(answers));
    assertEquals(3, durable.index());
    assertEquals(List.of("d/3@me:1=\"wait-d\""), savedParts);
  }
}
