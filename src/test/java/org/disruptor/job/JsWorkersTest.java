package org.disruptor.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The worker pool keeps its threads whatever a task leaves behind: an interrupt, an Error. */
class JsWorkersTest {

  private static JsWorkers.Task task(Runnable body) {
    return new JsWorkers.Task() {
      @Override
      public boolean stopRequested() {
        return false;
      }

      @Override
      public void run() {
        body.run();
      }

      @Override
      public void abandoned() {
      }
    };
  }

  @Test
  @DisplayName("a task that leaves its thread interrupted (as an engine's stop does) does not take the thread away")
  void interruptLeftBehind() throws Exception {
    try (JsWorkers pool = new JsWorkers("test-js", 1, 0, 60_000, System::nanoTime, false)) {
      for (int i = 0; i < 3; i++) {
        pool.execute(task(() -> Thread.currentThread().interrupt()));
      }
      CountDownLatch next = new CountDownLatch(1);
      pool.execute(task(next::countDown));
      assertTrue(next.await(30, TimeUnit.SECONDS), "the one thread still takes work after tasks that interrupted it");
      assertEquals(4, pool.started());
    }
  }

  @Test
  @DisplayName("a task that throws an Error (e.g. a class that failed to initialise) does not take the thread away")
  void errorThrown() throws Exception {
    try (JsWorkers pool = new JsWorkers("test-js", 1, 0, 60_000, System::nanoTime, false)) {
      pool.execute(task(() -> {
        Thread.currentThread().interrupt();
        throw new NoClassDefFoundError("Could not initialize class Example");
      }));
      CountDownLatch next = new CountDownLatch(1);
      pool.execute(task(next::countDown));
      assertTrue(next.await(30, TimeUnit.SECONDS), "the one thread still takes work after a task threw an Error");
    }
  }
}
