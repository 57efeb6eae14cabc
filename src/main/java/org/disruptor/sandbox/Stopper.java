package org.disruptor.sandbox;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The few threads that carry out part stops for the whole process: {@link RunHandle#stop} only records a
 * reason and hands the handle here, so a stop never blocks its caller (often an event loop) and never starts
 * a thread. The same threads check, a grace period later, that each stop was honoured. More than one: an
 * interrupt waits until its part leaves the engine, and a part slow to leave (one whose allocations each need
 * a full collection, in a heap its neighbour fills) must not hold back the stop of the neighbour.
 */
final class Stopper {

  /** How many stops can wait on their parts at once; more queue behind them. */
  static final int THREADS = 4;

  private static final java.util.concurrent.atomic.AtomicInteger NAMES = new java.util.concurrent.atomic.AtomicInteger();
  private static final ScheduledExecutorService THREAD = Executors.newScheduledThreadPool(THREADS, r -> {
    Thread t = new Thread(r, "disruptor-stopper-" + NAMES.incrementAndGet());
    t.setDaemon(true);
    return t;
  });

  private Stopper() {
  }

  static void submit(Runnable action) {
    THREAD.execute(guard(action));
  }

  static void schedule(Runnable action, long delayMs) {
    THREAD.schedule(guard(action), Math.max(0, delayMs), TimeUnit.MILLISECONDS);
  }

  /**
   * One failing action must not end the thread that every stop depends on, nor fail unseen: an Error too
   * (an OutOfMemoryError while the heap is full of the very part being stopped) is logged, not swallowed by
   * the executor's future.
   */
  private static Runnable guard(Runnable action) {
    return () -> {
      try {
        action.run();
      } catch (RuntimeException | Error e) {
        java.util.logging.Logger.getLogger("org.disruptor.sandbox").fine("stop action failed: " + e);
      }
    };
  }
}
