package org.disruptor.sandbox;

import org.graalvm.polyglot.Context;

/**
 * Lets another thread stop a part: whatever runs in the part's context is closed with
 * {@code close(true)}, which stops even a {@code while(true){}} within milliseconds. A part stopped before
 * it started never starts.
 */
public final class RunHandle {

  private volatile Context context;
  private volatile String stopReason;
  private volatile Thread thread;
  private volatile long allocatedAtStart;

  /** Stops the part; the first reason given is the one reported. */
  public void stop(String reason) {
    synchronized (this) {
      if (stopReason == null) {
        stopReason = reason;
      }
    }
    Context running = context;
    if (running != null) {
      try {
        running.close(true);
      } catch (RuntimeException ignored) {
        // closing a context that is being closed or already gone: nothing left to stop
      }
    }
  }

  public String stopReason() {
    return stopReason;
  }

  public boolean stopped() {
    return stopReason != null;
  }

  void attach(Context context, Thread thread, long allocatedAtStart) {
    this.thread = thread;
    this.allocatedAtStart = allocatedAtStart;
    this.context = context;
    if (stopReason != null) {
      stop(stopReason);
    }
  }

  void detach() {
    context = null;
    thread = null;
  }

  Thread thread() {
    return thread;
  }

  long allocatedAtStart() {
    return allocatedAtStart;
  }
}
