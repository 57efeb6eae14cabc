package org.disruptor.sandbox;

import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * One background thread for an engine's housekeeping (closing used contexts, making the next ones) that
 * cannot be lost for good: a task that has not returned {@code wedgedAfterMs} after it started (a GraalJS
 * context whose close never ends) is left to its thread, and a fresh thread takes the tasks still waiting
 * and everything after. {@link #checkWedged()} is called from the engine's watchdog.
 */
final class Housekeeper implements AutoCloseable {

  /** One thread and the task it runs now. */
  private static final class Lane {
    final ScheduledExecutorService executor;
    /** When the running task started (clock nanos), 0 while idle. */
    volatile long busySince;

    Lane(String name) {
      executor = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
      });
    }
  }

  private final String name;
  private final long wedgedAfterNanos;
  private final LongSupplier clock;
  private volatile Lane lane;
  private final AtomicLong replaced = new AtomicLong();
  /** Tasks scheduled and not yet started: moved to the fresh thread when one is wedged. */
  private final java.util.Set<Pending> pending = java.util.concurrent.ConcurrentHashMap.newKeySet();

  /** A scheduled task, run at most once whichever thread comes to it first. */
  private final class Pending implements Runnable {
    final Runnable task;
    final java.util.concurrent.atomic.AtomicBoolean started = new java.util.concurrent.atomic.AtomicBoolean();

    Pending(Runnable task) {
      this.task = task;
    }

    @Override
    public void run() {
      if (started.compareAndSet(false, true)) {
        pending.remove(this);
        Housekeeper.this.run(task);
      }
    }
  }

  Housekeeper(String name, long wedgedAfterMs, LongSupplier clock) {
    this.name = name;
    this.wedgedAfterNanos = TimeUnit.MILLISECONDS.toNanos(wedgedAfterMs);
    this.clock = clock;
    this.lane = new Lane(name);
  }

  /** Runs {@code task} on the housekeeping thread after {@code delayMs}; here and now once closed. */
  void schedule(Runnable task, long delayMs) {
    Pending p = new Pending(task);
    pending.add(p);
    try {
      lane.executor.schedule(p, delayMs, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException closed) {
      p.run();
    }
  }

  private void run(Runnable task) {
    Lane current = lane;
    current.busySince = Math.max(1, clock.getAsLong());
    try {
      task.run();
    } finally {
      current.busySince = 0;
    }
  }

  /**
   * Replaces the thread when its task has run past the limit; true when it did. The tasks that were waiting
   * run on the new thread at once (their delays are short: they only keep work off a part's path).
   */
  synchronized boolean checkWedged() {
    Lane current = lane;
    long since = current.busySince;
    if (since == 0 || clock.getAsLong() - since < wedgedAfterNanos) {
      return false;
    }
    Lane fresh = new Lane(name);
    lane = fresh;
    replaced.incrementAndGet();
    // the old executor's own futures die with it (a scheduled task runs only in the executor it was given to)
    current.executor.shutdownNow();
    for (Pending p : List.copyOf(pending)) {
      fresh.executor.execute(p);
    }
    return true;
  }

  /** Whether a task runs now. */
  boolean busy() {
    return lane.busySince != 0;
  }

  /** Threads replaced since start. */
  long replaced() {
    return replaced.get();
  }

  @Override
  public void close() {
    lane.executor.shutdownNow();
  }
}
