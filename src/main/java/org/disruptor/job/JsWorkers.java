package org.disruptor.job;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The node's JavaScript worker threads: {@code threads} platform threads, each with the configured stack
 * (deep recursion needs more than the default), taking parts from one queue. JS never runs on an event
 * loop. A part that was told to stop but has not returned {@code stuckAfterMs} later is abandoned: its
 * thread counts as stuck, takes no more work once (if ever) it returns, and a fresh thread takes its place.
 * So no construct that job code can write takes a worker away for good; the part is answered as stopped.
 */
public final class JsWorkers implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger("org.disruptor.job");

  /** A unit of work on a worker thread. */
  public interface Task {
    /** Whether someone asked this task to stop (checked by the stuck-thread watch). */
    boolean stopRequested();

    void run();

    /** The task's thread was abandoned after a stop it did not honour: answer for it now. */
    void abandoned();
  }

  /** One worker thread and the task it runs. */
  private final class Slot implements Runnable {
    private Task current;
    private long stopSeenNanos;
    private boolean retired;

    @Override
    public void run() {
      while (!closed) {
        Task task;
        try {
          task = queue.poll(500, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          // only close() ends a worker thread: an interrupt is how an engine stops a part (GraalJS's cancel
          // interrupts the thread it cancels), and one that outlived its part must not take the thread away
          continue;
        }
        if (task == null) {
          continue;
        }
        synchronized (this) {
          current = task;
          stopSeenNanos = 0;
        }
        taken.incrementAndGet();
        try {
          task.run();
        } catch (Throwable e) {
          LOG.log(Level.WARNING, "a worker task failed", e);
        } finally {
          Thread.interrupted(); // a stop's interrupt that came as the part ended is for that part only
          boolean wasRetired;
          synchronized (this) {
            current = null;
            wasRetired = retired;
          }
          if (wasRetired) {
            stuck.decrementAndGet();
            LOG.info("an abandoned worker thread returned after all; it exits");
            return;
          }
        }
      }
    }

    /** Retires this slot if it still runs {@code task} and has ignored a stop for too long. */
    synchronized boolean retireIfStuck(long now) {
      Task task = current;
      if (task == null || retired || !task.stopRequested()) {
        return false;
      }
      if (stopSeenNanos == 0) {
        stopSeenNanos = now;
        return false;
      }
      if (now - stopSeenNanos < stuckAfterNanos) {
        return false;
      }
      retired = true;
      return true;
    }

    synchronized Task current() {
      return current;
    }
  }

  private final String name;
  private final int threads;
  private final long stackBytes;
  private final long stuckAfterNanos;
  private final LongSupplier clock;
  private final LinkedBlockingQueue<Task> queue = new LinkedBlockingQueue<>();
  private final Set<Slot> slots = ConcurrentHashMap.newKeySet();
  private final AtomicInteger stuck = new AtomicInteger();
  private final AtomicLong abandoned = new AtomicLong();
  private final AtomicLong taken = new AtomicLong();
  private final AtomicInteger started = new AtomicInteger();
  private final ScheduledExecutorService watch;
  private volatile boolean closed;

  /** {@code stackBytes} 0 keeps the JVM's default stack size. */
  public JsWorkers(String name, int threads, long stackBytes, long stuckAfterMs) {
    this(name, threads, stackBytes, stuckAfterMs, System::nanoTime, true);
  }

  /** With {@code watching} false nothing checks for stuck threads on its own: tests call {@link #checkStuck}. */
  JsWorkers(String name, int threads, long stackBytes, long stuckAfterMs, LongSupplier clock, boolean watching) {
    this.name = name;
    this.threads = threads;
    this.stackBytes = stackBytes;
    this.stuckAfterNanos = TimeUnit.MILLISECONDS.toNanos(stuckAfterMs);
    this.clock = clock;
    for (int i = 0; i < threads; i++) {
      startSlot();
    }
    if (watching) {
      watch = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon().name(name + "-watch")
          .unstarted(r));
      long period = Math.max(50, stuckAfterMs / 4);
      watch.scheduleWithFixedDelay(this::checkStuck, period, period, TimeUnit.MILLISECONDS);
    } else {
      watch = null;
    }
  }

  private void startSlot() {
    Slot slot = new Slot();
    slots.add(slot);
    Thread.Builder.OfPlatform builder = Thread.ofPlatform().daemon().name(name + "-" + started.incrementAndGet());
    if (stackBytes > 0) {
      builder.stackSize(stackBytes);
    }
    builder.start(() -> {
      try {
        slot.run();
      } finally {
        slots.remove(slot);
      }
    });
  }

  public void execute(Task task) {
    if (closed) {
      throw new IllegalStateException("the worker pool is closed");
    }
    queue.add(task);
  }

  /** Abandons the threads of tasks that ignored a stop for too long, and starts their replacements. */
  void checkStuck() {
    long now = clock.getAsLong();
    for (Slot slot : slots) {
      if (slot.retireIfStuck(now)) {
        Task task = slot.current();
        stuck.incrementAndGet();
        abandoned.incrementAndGet();
        slots.remove(slot);
        LOG.warning("a part did not stop within " + TimeUnit.NANOSECONDS.toMillis(stuckAfterNanos)
            + " ms of being told to: its worker thread is abandoned and replaced (" + stuck.get() + " stuck)");
        if (!closed) {
          startSlot();
        }
        if (task != null) {
          task.abandoned();
        }
      }
    }
  }

  public int threads() {
    return threads;
  }

  /** Tasks running on live (not abandoned) threads. */
  public int busy() {
    int busy = 0;
    for (Slot slot : slots) {
      if (slot.current() != null) {
        busy++;
      }
    }
    return busy;
  }

  /** Abandoned threads still running the task they were abandoned in. */
  public int stuck() {
    return stuck.get();
  }

  /** Threads abandoned since start. */
  public long abandonedTotal() {
    return abandoned.get();
  }

  /** Tasks a thread has taken since start (a count that only grows: a task that came and went shows here). */
  public long started() {
    return taken.get();
  }

  public int queued() {
    return queue.size();
  }

  /**
   * Stops taking work and answers the tasks still queued as abandoned; threads are daemons, so a stuck one
   * never holds the process up.
   */
  @Override
  public void close() {
    closed = true;
    if (watch != null) {
      watch.shutdownNow();
    }
    for (Task task = queue.poll(); task != null; task = queue.poll()) {
      task.abandoned();
    }
  }
}
