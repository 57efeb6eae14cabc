package org.disruptor.job;

import io.vertx.core.Vertx;

/**
 * Time for the coordinator: timers and clocks. In a node it is Vert.x's (timers fire on the event loop
 * that set them); unit tests drive a manual one, so races such as "the deadline fires while a retry
 * waits" happen in the order a test chooses.
 */
public interface Scheduler {

  /** Runs {@code action} once after {@code delayMs}; returns an id for {@link #cancel}. */
  long timer(long delayMs, Runnable action);

  void cancel(long timerId);

  /** A monotonic clock, for durations. */
  long nanoTime();

  /** Wall-clock time, for the timestamps users see. */
  long epochMs();

  /** Vert.x's timers, on the context that calls {@link #timer}. */
  static Scheduler of(Vertx vertx) {
    return new Scheduler() {
      @Override
      public long timer(long delayMs, Runnable action) {
        return vertx.setTimer(Math.max(1, delayMs), id -> action.run());
      }

      @Override
      public void cancel(long timerId) {
        vertx.cancelTimer(timerId);
      }

      @Override
      public long nanoTime() {
        return System.nanoTime();
      }

      @Override
      public long epochMs() {
        return System.currentTimeMillis();
      }
    };
  }
}
