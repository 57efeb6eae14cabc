package org.disruptor.sandbox;

import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/**
 * The V8 runner's one outstanding heap reading. The runner asks its isolate for heap figures from the
 * watchdog and from GC callbacks; V8 answers at its next interrupt check. A question that reaches the
 * isolate while its JS thread is outside JS (in a console callback, or between the part's function
 * returning and the reply) is never answered: Javet leaves its future pending for good. So a reading
 * pending for longer than {@code staleNanos} no longer holds back the next question, an answer to a
 * question that was replaced or given up is not taken as the current heap, and the runner gives up the
 * pending question when a part ends instead of waiting for it (nothing can answer it while no JS runs).
 */
final class HeapReading<T> {

  private final LongSupplier clock;
  private final long staleNanos;
  private CompletableFuture<T> pending;
  private long askedAt;
  private long lost;

  HeapReading(LongSupplier clock, long staleNanos) {
    this.clock = clock;
    this.staleNanos = staleNanos;
  }

  /** Whether a new question may be asked now: none pending, the last one answered, or it went stale. */
  synchronized boolean mayAsk() {
    return pending == null || pending.isDone() || clock.getAsLong() - askedAt >= staleNanos;
  }

  /** Records {@code question} as the outstanding one (a stale one it replaces counts as lost). */
  synchronized void asked(CompletableFuture<T> question) {
    if (pending != null && !pending.isDone()) {
      lost++;
    }
    pending = question;
    askedAt = clock.getAsLong();
  }

  /** Whether {@code answered} is the question still outstanding, so its answer is the current heap. */
  synchronized boolean current(CompletableFuture<T> answered) {
    return pending == answered;
  }

  /** Whether a question is asked and not answered. */
  synchronized boolean outstanding() {
    return pending != null && !pending.isDone();
  }

  /** Gives up the outstanding question (a part ended): a late answer to it is ignored. */
  synchronized void abandon() {
    if (pending != null && !pending.isDone()) {
      lost++;
    }
    pending = null;
  }

  /** Questions given up or replaced unanswered since the runner started. */
  synchronized long lost() {
    return lost;
  }
}
