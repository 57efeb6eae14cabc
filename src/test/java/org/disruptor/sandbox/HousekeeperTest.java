package org.disruptor.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class HousekeeperTest {

  @Test
  @DisplayName("a task that never returns costs its thread only: the waiting tasks and later ones run on a fresh one")
  void wedgedTaskReplaced() throws Exception {
    AtomicLong now = new AtomicLong(1_000);
    CountDownLatch never = new CountDownLatch(1);
    CountDownLatch wedgedStarted = new CountDownLatch(1);
    CountDownLatch waitingRan = new CountDownLatch(1);
    CountDownLatch laterRan = new CountDownLatch(1);
    try (Housekeeper keeper = new Housekeeper("test-housekeeper", 10_000, now::get)) {
      keeper.schedule(() -> {
        wedgedStarted.countDown();
        try {
          never.await(); // a close that does not end
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, 0);
      assertTrue(wedgedStarted.await(30, TimeUnit.SECONDS));
      keeper.schedule(waitingRan::countDown, 0);
      assertFalse(keeper.checkWedged(), "not yet past the limit");
      now.addAndGet(TimeUnit.SECONDS.toNanos(9));
      assertFalse(keeper.checkWedged(), "9 s: still within the limit");
      assertEquals(1, waitingRan.getCount(), "the task behind the wedged one waits");
      now.addAndGet(TimeUnit.SECONDS.toNanos(2));
      assertTrue(keeper.checkWedged(), "11 s: the thread is left to its task");
      assertTrue(waitingRan.await(30, TimeUnit.SECONDS), "the waiting task ran on the fresh thread");
      keeper.schedule(laterRan::countDown, 0);
      assertTrue(laterRan.await(30, TimeUnit.SECONDS), "and so do later ones");
      assertFalse(keeper.checkWedged(), "the fresh thread is idle");
      assertEquals(1, keeper.replaced());
    } finally {
      never.countDown();
    }
  }

  @Test
  @DisplayName("tasks that return are never taken for wedged, however long ago they ran")
  void idleNeverReplaced() throws Exception {
    AtomicLong now = new AtomicLong(1_000);
    CountDownLatch ran = new CountDownLatch(1);
    try (Housekeeper keeper = new Housekeeper("test-housekeeper", 10_000, now::get)) {
      keeper.schedule(ran::countDown, 0);
      assertTrue(ran.await(30, TimeUnit.SECONDS));
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (keeper.busy() && System.nanoTime() < end) {
        Thread.onSpinWait();
      }
      assertFalse(keeper.busy(), "the task returned");
      now.addAndGet(TimeUnit.MINUTES.toNanos(5));
      assertFalse(keeper.checkWedged(), "an idle thread is not wedged");
      assertEquals(0, keeper.replaced());
    }
  }
}
