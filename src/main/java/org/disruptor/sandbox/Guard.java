package org.disruptor.sandbox;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * One limit of a running part: a meter (a clock, a CPU clock, a memory reading) read when the part starts,
 * and the budget the part may advance it by. The meter is injected, so a guard is tested with a fake clock
 * or a fake heap.
 */
public final class Guard {

  private final String reason;
  private final LongSupplier meter;
  private final long start;
  private final long budget;

  private Guard(String reason, LongSupplier meter, long budget) {
    this.reason = reason;
    this.meter = meter;
    this.start = meter.getAsLong();
    this.budget = budget;
  }

  /** {@code timed_out} once {@code nanoClock} has advanced {@code deadlineMs} (the job's deadline). */
  public static Guard deadline(LongSupplier nanoClock, long deadlineMs) {
    return new Guard("timed_out", nanoClock, TimeUnit.MILLISECONDS.toNanos(Math.max(0, deadlineMs)));
  }

  /** {@code time_limit} once the part's thread has used {@code limitMs} of CPU time. */
  public static Guard cpu(LongSupplier cpuNanos, long limitMs) {
    return new Guard("time_limit", cpuNanos, TimeUnit.MILLISECONDS.toNanos(Math.max(0, limitMs)));
  }

  /** {@code memory_limit} once the reading has grown by more than {@code budgetBytes} since the part began. */
  public static Guard memory(LongSupplier bytes, long budgetBytes) {
    return new Guard("memory_limit", bytes, budgetBytes);
  }

  public String reason() {
    return reason;
  }

  /** How far the meter has advanced since the part began. */
  public long used() {
    return meter.getAsLong() - start;
  }

  public boolean crossed() {
    return used() > budget;
  }
}
