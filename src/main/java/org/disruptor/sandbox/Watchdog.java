package org.disruptor.sandbox;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Checks the guards of every running part of an engine on one daemon thread, every {@code periodMs}, and
 * stops a part at the first limit it crosses. {@code refresh} runs before each round (the V8 runner updates
 * its heap reading there).
 */
final class Watchdog implements AutoCloseable {

  private final Map<RunHandle, PartGuards> parts = new ConcurrentHashMap<>();
  private final ScheduledExecutorService thread;
  private final Runnable refresh;

  Watchdog(String name, long periodMs, Runnable refresh) {
    this.refresh = refresh;
    this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    });
    thread.scheduleWithFixedDelay(this::poll, periodMs, periodMs, TimeUnit.MILLISECONDS);
  }

  void watch(RunHandle handle, PartGuards guards) {
    parts.put(handle, guards);
  }

  void forget(RunHandle handle) {
    parts.remove(handle);
  }

  int watched() {
    return parts.size();
  }

  private void poll() {
    if (parts.isEmpty()) {
      return;
    }
    try {
      refresh.run();
      parts.forEach((handle, guards) -> {
        if (!handle.stopped()) {
          String reason = guards.crossed();
          if (reason != null) {
            handle.stop(reason);
          }
        }
      });
    } catch (RuntimeException e) {
      java.util.logging.Logger.getLogger("org.disruptor.sandbox").fine("watchdog round failed: " + e);
    }
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }
}
