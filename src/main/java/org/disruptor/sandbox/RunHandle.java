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
  private volatile long cpuAtStart;
  private volatile long cpuLimitNanos = Long.MAX_VALUE;

  /** Stops the part; the first reason given is the one reported. */
  public void stop(String reason) {
    synchronized (this) {
      if (stopReason == null) {
        stopReason = reason;
      }
    }
    Context running = context;
    if (running != null) {
      // close(true) waits for the guest to stop: never on the caller's thread, which may be an event loop
      Thread.ofVirtual().name("disruptor-stop").start(() -> {
        try {
          running.close(true);
        } catch (RuntimeException ignored) {
          // closing a context that is being closed or already gone: nothing left to stop
        }
      });
    }
  }

  public String stopReason() {
    return stopReason;
  }

  public boolean stopped() {
    return stopReason != null;
  }

  void attach(Context context, Thread thread, long allocatedAtStart, long cpuAtStart, long cpuLimitNanos) {
    this.allocatedAtStart = allocatedAtStart;
    this.cpuAtStart = cpuAtStart;
    this.cpuLimitNanos = cpuLimitNanos;
    // published last: the watchdog reads the baselines only once it sees the thread
    this.thread = thread;
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

  long cpuAtStart() {
    return cpuAtStart;
  }

  long cpuLimitNanos() {
    return cpuLimitNanos;
  }

  long allocatedAtStart() {
    return allocatedAtStart;
  }
}
