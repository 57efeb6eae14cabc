package org.disruptor.job;

import java.util.PriorityQueue;

/** Virtual time for coordinator tests: timers fire only when the test advances the clock, in due order. */
final class ManualScheduler implements Scheduler {

  private record Timer(long id, long due, Runnable action) {
  }

  private final PriorityQueue<Timer> timers = new PriorityQueue<>((a, b) -> a.due != b.due
      ? Long.compare(a.due, b.due) : Long.compare(a.id, b.id));
  private long nowMs = 1_000_000;
  private long nextId = 1;

  @Override
  public long timer(long delayMs, Runnable action) {
    long id = nextId++;
    timers.add(new Timer(id, nowMs + Math.max(1, delayMs), action));
    return id;
  }

  @Override
  public void cancel(long timerId) {
    timers.removeIf(t -> t.id == timerId);
  }

  @Override
  public long nanoTime() {
    return nowMs * 1_000_000;
  }

  @Override
  public long epochMs() {
    return nowMs;
  }

  /** Moves the clock on by {@code ms}, firing every timer that falls due on the way. */
  void advance(long ms) {
    long target = nowMs + ms;
    while (!timers.isEmpty() && timers.peek().due <= target) {
      Timer next = timers.poll();
      nowMs = next.due;
      next.action.run();
    }
    nowMs = target;
  }

  int pendingTimers() {
    return timers.size();
  }
}
