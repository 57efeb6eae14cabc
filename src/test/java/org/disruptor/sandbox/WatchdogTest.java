package org.disruptor.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class WatchdogTest {

  /** Polls {@code done} for up to 10 s (the watchdog's thread acts on its own time). */
  private static void await(String what, java.util.function.BooleanSupplier done) throws InterruptedException {
    long end = System.nanoTime() + 10_000_000_000L;
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("not within 10 s: " + what);
      }
      Thread.sleep(5);
    }
  }

  @Test
  @DisplayName("an idle watchdog sleeps; a watched part wakes it, is stopped at its limit, and it sleeps again")
  void roundsOnlyWhileWatching() throws Exception {
    AtomicLong clock = new AtomicLong();
    AtomicLong rounds = new AtomicLong();
    try (Watchdog watchdog = new Watchdog("test-watchdog", 1, rounds::incrementAndGet)) {
      assertFalse(watchdog.awake(), "no rounds before any part");
      for (int run = 0; run < 2; run++) {
        RunHandle handle = new RunHandle();
        watchdog.watch(handle, new PartGuards(Guard.deadline(clock::get, 10)));
        assertTrue(watchdog.awake());
        clock.addAndGet(20_000_000);
        await("the part past its deadline is stopped", handle::stopped);
        assertEquals("timed_out", handle.stopReason());
        watchdog.forget(handle);
        await("the watchdog stops its rounds once no part is watched", () -> !watchdog.awake());
        long after = rounds.get();
        Thread.sleep(20);
        assertEquals(after, rounds.get(), "no round while idle");
      }
    }
  }
}
