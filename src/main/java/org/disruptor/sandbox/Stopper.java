package org.disruptor.sandbox;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The one thread that carries out part stops for the whole process: {@link RunHandle#stop} only records a
 * reason and hands the handle here, so a stop never blocks its caller (often an event loop) and never starts
 * a thread. The same thread checks, a grace period later, that the stop was honoured.
 */
final class Stopper {

  private static final ScheduledExecutorService THREAD = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "disruptor-stopper");
    t.setDaemon(true);
    return t;
  });

  private Stopper() {
  }

  static void submit(Runnable action) {
    THREAD.execute(guard(action));
  }

  static void schedule(Runnable action, long delayMs) {
    THREAD.schedule(guard(action), Math.max(0, delayMs), TimeUnit.MILLISECONDS);
  }

  /** One failing action must not end the thread that every stop depends on. */
  private static Runnable guard(Runnable action) {
    return () -> {
      try {
        action.run();
      } catch (RuntimeException e) {
        java.util.logging.Logger.getLogger("org.disruptor.sandbox").fine("stop action failed: " + e);
      }
    };
  }
}
