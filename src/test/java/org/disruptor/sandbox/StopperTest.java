package org.disruptor.sandbox;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.disruptor.e2e.Eventually;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class StopperTest {

  @Test
  @DisplayName("a stop whose interrupt waits on its part does not hold back the stop of another part")
  void slowStopDoesNotHoldBackAnother() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch quickInterrupted = new CountDownLatch(1);
    RunHandle slow = new RunHandle();
    slow.attach(() -> {
      try {
        release.await(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, () -> true, 120_000);
    RunHandle quick = new RunHandle();
    quick.attach(quickInterrupted::countDown, () -> true, 120_000);
    try {
      slow.stop("memory_limit");
      quick.stop("memory_limit");
      assertTrue(quickInterrupted.await(30, TimeUnit.SECONDS), "the second part was interrupted while the first "
          + "stop still waited");
    } finally {
      release.countDown();
    }
  }

  @Test
  @DisplayName("an interrupt that fails with an Error is still followed by the grace check")
  void failedInterruptStillChecked() throws Exception {
    RunHandle handle = new RunHandle();
    handle.attach(() -> {
      throw new OutOfMemoryError("no heap left to interrupt with");
    }, () -> false, 50);
    handle.stop("memory_limit");
    Eventually.until("the part is reported stuck", handle::stuck, stuck -> stuck);
  }
}
