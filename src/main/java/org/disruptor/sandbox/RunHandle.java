package org.disruptor.sandbox;

import java.util.function.BooleanSupplier;

/**
 * Lets other threads stop one part, whichever engine runs it. {@link #stop} records the first reason given
 * (the one reported) and returns at once; the shared stopper thread then interrupts the part the engine's
 * way (V8: {@code terminateExecution} in the runner; GraalJS: a context interrupt). If the part has not
 * ended a grace period later, the engine reclaims what it can: a V8 runner is killed and replaced, and
 * the part ends with the stop's reason; a GraalJS part that ignored its interrupt is interrupted again, and
 * if even that has not ended it the handle turns {@link #stuck()} (the worker pool then retires that thread). A part stopped before it started never starts.
 */
public final class RunHandle {

  private volatile String stopReason;
  private volatile boolean stuck;
  /** The engine's way to stop what runs now; null while nothing runs for this handle. */
  private Runnable interrupt;
  private BooleanSupplier reclaim;
  private long graceMs;
  /** Counts attachments, so a grace check never judges a later run of the same handle (a V8 re-run). */
  private long generation;

  /** Stops the part; the first reason given is the one reported. Never blocks. */
  public void stop(String reason) {
    synchronized (this) {
      if (stopReason != null) {
        return;
      }
      stopReason = reason;
    }
    Stopper.submit(this::interruptNow);
  }

  public String stopReason() {
    return stopReason;
  }

  public boolean stopped() {
    return stopReason != null;
  }

  /**
   * True once a stop was requested and the part was still running a grace period later, with nothing the
   * engine could do about it (GraalJS only, once repeated interrupts have not ended the part either). The thread that runs
   * the part is lost to the pool.
   */
  public boolean stuck() {
    return stuck;
  }

  /**
   * Called by an engine when the part starts to run: {@code interrupt} stops it (it may block up to the
   * grace), {@code reclaim} is called when it did not stop within {@code graceMs} and answers whether the
   * part's thread is free again.
   */
  synchronized void attach(Runnable interrupt, BooleanSupplier reclaim, long graceMs) {
    this.interrupt = interrupt;
    this.reclaim = reclaim;
    this.graceMs = graceMs;
    generation++;
    if (stopReason != null) {
      Stopper.submit(this::interruptNow);
    }
  }

  synchronized void detach() {
    interrupt = null;
    reclaim = null;
  }

  private void interruptNow() {
    Runnable action;
    long seen;
    long grace;
    synchronized (this) {
      action = interrupt;
      seen = generation;
      grace = graceMs;
    }
    if (action == null) {
      return; // not running (yet): attach() will interrupt it as it starts
    }
    long start = System.nanoTime();
    try {
      action.run();
    } finally {
      // even when the interrupt itself failed (an Error thrown inside it): the grace check still comes
      long spent = (System.nanoTime() - start) / 1_000_000;
      Stopper.schedule(() -> checkHonoured(seen), grace - spent);
    }
  }

  private void checkHonoured(long seen) {
    BooleanSupplier action;
    synchronized (this) {
      if (interrupt == null || generation != seen) {
        return; // the part ended
      }
      action = reclaim;
    }
    if (!action.getAsBoolean()) {
      stuck = true;
    }
  }
}
