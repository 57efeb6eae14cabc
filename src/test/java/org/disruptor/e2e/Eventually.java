package org.disruptor.e2e;

import java.time.Duration;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The one way tests wait: poll a probe until its value says the outcome was reached, within a generous
 * deadline, and fail with the last value seen (never a sleep standing in for an event, never a stopwatch).
 * A probe that throws an exception is read as "not yet" (a node not answering yet); an AssertionError it
 * throws ends the wait at once.
 */
public final class Eventually {

  /** The default deadline for an outcome: generous, so a loaded 2-core machine only makes a test slower. */
  public static final Duration OUTCOME = Duration.ofSeconds(60);
  private static final long POLL_MS = 50;

  private Eventually() {
  }

  /** A value to poll: a node's answer, a count, a view of a job. */
  @FunctionalInterface
  public interface Probe<T> {
    T get() throws Exception;
  }

  /** Polls until {@code done} holds on the probe's value and returns that value; {@link #OUTCOME} at most. */
  public static <T> T until(String what, Probe<T> probe, Predicate<? super T> done) throws InterruptedException {
    return until(what, OUTCOME, probe, done, () -> "");
  }

  /** Polls until the probe says true. */
  public static void until(String what, Probe<Boolean> probe) throws InterruptedException {
    until(what, OUTCOME, probe, Boolean.TRUE::equals, () -> "");
  }

  /**
   * Polls until {@code done} holds on the probe's value and returns that value; after {@code timeout} fails
   * with {@code what}, the last value (or exception) and {@code context} (e.g. a node's log).
   */
  public static <T> T until(String what, Duration timeout, Probe<T> probe, Predicate<? super T> done,
      Supplier<String> context) throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    Object last = "no answer yet";
    while (true) {
      try {
        T value = probe.get();
        if (done.test(value)) {
          return value;
        }
        last = value;
      } catch (InterruptedException e) {
        throw e;
      } catch (Exception e) {
        last = e;
      }
      if (System.nanoTime() > end) {
        String more = context.get();
        throw new AssertionError("not within " + timeout + ": " + what + "; last seen: " + last
            + (more.isEmpty() ? "" : "\n" + more));
      }
      Thread.sleep(POLL_MS);
    }
  }

  /**
   * Checks that {@code ok} holds on every poll for all of {@code window} (a property such as "never lists the
   * stopped node again", which no outcome can prove): fails at the first poll where it does not.
   */
  public static <T> void holds(String what, Duration window, Probe<T> probe, Predicate<? super T> ok,
      Supplier<String> context) throws Exception {
    long end = System.nanoTime() + window.toNanos();
    do {
      T value = probe.get();
      if (!ok.test(value)) {
        throw new AssertionError("not for all of " + window + ": " + what + "; seen: " + value + "\n" + context.get());
      }
      Thread.sleep(POLL_MS);
    } while (System.nanoTime() < end);
  }
}
