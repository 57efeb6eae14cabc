package org.disruptor.sandbox;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Checks the guards of every running part of an engine on one daemon thread, every {@code periodMs}, and
 * stops a part at the first limit it crosses. {@code refresh} runs before each round (the V8 runner updates
 * its heap reading there). The rounds run only while some part is watched: an idle node's watchdog sleeps
 * (at a 2 ms period, 24 idle nodes would otherwise wake 12,000 times a second between them).
 */
final class Watchdog implements AutoCloseable {

  private final Map<RunHandle, PartGuards> parts = new ConcurrentHashMap<>();
  private final ScheduledExecutorService thread;
  private final Runnable refresh;
  private final long periodMs;
  /** The scheduled rounds while parts are watched, else null; guarded by {@code this}. */
  private ScheduledFuture<?> rounds;

  Watchdog(String name, long periodMs, Runnable refresh) {
    this.refresh = refresh;
    this.periodMs = periodMs;
    this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    });
  }

  void watch(RunHandle handle, PartGuards guards) {
    parts.put(handle, guards);
    synchronized (this) {
      // after the put: a round that finds no part stops the rounds under this lock, so it either sees this
      // part or stopped before this check and they are started again here
      if (rounds == null && !thread.isShutdown()) {
        rounds = thread.scheduleWithFixedDelay(this::poll, periodMs, periodMs, TimeUnit.MILLISECONDS);
      }
    }
  }

  /** Whether rounds are scheduled (some part was watched since the last round that found none). */
  synchronized boolean awake() {
    return rounds != null;
  }

  void forget(RunHandle handle) {
    parts.remove(handle);
  }

  int watched() {
    return parts.size();
  }

  private void poll() {
    if (parts.isEmpty()) {
      synchronized (this) {
        if (parts.isEmpty() && rounds != null) {
          rounds.cancel(false);
          rounds = null;
        }
      }
      return;
    }
    try {
      refresh.run();
      parts.forEach((handle, guards) -> {
        if (!handle.stopped()) {
          String reason = guards.crossed();
          if (reason != null) {
            handle.stop(reason);
          }
        }
      });
    } catch (RuntimeException | Error e) {
      // an Error too (an OutOfMemoryError while parts fill the heap): a periodic task that throws is never
      // run again, and every later part would then run unwatched
      java.util.logging.Logger.getLogger("org.disruptor.sandbox").fine("watchdog round failed: " + e);
    }
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }
}
