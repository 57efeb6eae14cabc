package org.disruptor.job;

import io.vertx.core.json.JsonObject;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.logging.Logger;
import org.disruptor.job.PartMessages.PartDone;
import org.disruptor.job.PartMessages.PartFailed;
import org.disruptor.job.PartMessages.PartOutcome;
import org.disruptor.job.PartMessages.PartRefused;
import org.disruptor.job.PartMessages.PartRequest;
import org.disruptor.job.PartMessages.StopParts;
import org.disruptor.sandbox.RunHandle;
import org.disruptor.sandbox.SandboxException;

/**
 * Runs the parts that coordinators send to this node (and this node's own reduces) on the JS worker
 * threads, with a bounded queue: beyond it a part is refused as saturated (stuck threads were replaced by
 * fresh ones; they count in the load the node reports, so placement prefers other nodes). Stops a job's parts when its coordinator cancels them or leaves the cluster, and refuses
 * parts from a coordinator it saw leave, so no orphan work outlives a coordinator. Every accepted part is
 * answered exactly once. Plain Java: the verticle wires it to the event bus, unit tests call it directly.
 */
public final class Worker {

  private static final Logger LOG = Logger.getLogger("org.disruptor.job");
  /** Stop reasons that a coordinator never gave and that say the node itself gave the part up. */
  static final String STOPPING = "stopping";
  static final String ORPHANED = "orphaned";
  private static final Set<String> STOPS = Set.of("time_limit", "memory_limit", "output_limit", "stack_limit",
      "timed_out", "cancelled");
  private static final int DEPARTED_KEPT = 1_024;

  /** Runs one part in the engine; throws {@link SandboxException} when its code fails or a limit stops it. */
  @FunctionalInterface
  public interface Execution {
    PartDone execute(PartRequest request, String ctxJson, long leftMs, RunHandle handle);
  }

  /** What the worker counts. */
  public interface Metrics {
    void partCompleted(double elapsedMs);

    void partFailed();

    void stop(String reason);
  }

  /** Keeps a durable job's finished part in the cluster's store (it then survives its coordinator). */
  @FunctionalInterface
  public interface DurableParts {
    void save(String jobId, int index, String node, byte[] result);

    DurableParts NONE = (jobId, index, node, result) -> { };
  }

  /** A part accepted here, until it is answered. */
  private record Entry(int index, int attempt, String coordinator, RunHandle handle, long acceptedNanos,
      boolean durable) {
  }

  private final String self;
  private final int capacity;
  private final JsWorkers pool;
  private final Execution execution;
  private final Metrics metrics;
  private final Map<String, Map<Long, Entry>> active = new ConcurrentHashMap<>();
  private final Set<String> departed = Collections.synchronizedSet(Collections.newSetFromMap(
      new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
          return size() > DEPARTED_KEPT;
        }
      }));
  private final Map<String, Long> orphanedAt = new ConcurrentHashMap<>();
  private final java.util.function.Predicate<String> isPeer;
  private final DurableParts durableParts;
  private volatile boolean stopping;

  /**
   * {@code self}: this node's address, as outcomes report it; {@code maxQueued}: parts queued beyond the
   * workers; {@code isPeer}: whether a node id is in this node's peer view (a coordinator seen leaving that
   * is back, e.g. after a freeze, is a coordinator again).
   */
  public Worker(String self, JsWorkers pool, int maxQueued, Execution execution, Metrics metrics,
      java.util.function.Predicate<String> isPeer, DurableParts durableParts) {
    this.durableParts = durableParts;
    this.self = self;
    this.isPeer = isPeer;
    this.pool = pool;
    this.capacity = pool.threads() + maxQueued;
    this.execution = execution;
    this.metrics = metrics;
  }

  /** Takes a part, or refuses it at once; {@code answer} is called exactly once, on any thread. */
  public void accept(PartRequest part, Consumer<PartOutcome> answer) {
    if (stopping) {
      answer.accept(new PartRefused(part.index(), part.attempt(), self, PartRefused.STOPPING));
      return;
    }
    if (gone(part.coordinator())) {
      answer.accept(new PartRefused(part.index(), part.attempt(), self, PartRefused.COORDINATOR_GONE));
      return;
    }
    if (pool.queued() + pool.busy() >= capacity) {
      metrics.stop("saturated");
      answer.accept(new PartRefused(part.index(), part.attempt(), self, PartRefused.SATURATED));
      return;
    }
    RunHandle handle = new RunHandle();
    Entry entry = new Entry(part.index(), part.attempt(), part.coordinator(), handle, System.nanoTime(),
        part.durable());
    long key = key(part.index(), part.attempt());
    // a job's entries change only inside compute on its key: a part accepted while the job's last other part
    // is being forgotten is never lost, so a cancel always reaches it
    active.compute(part.jobId(), (k, entries) -> {
      Map<Long, Entry> map = entries != null ? entries : new ConcurrentHashMap<>();
      map.put(key, entry);
      return map;
    });
    if (gone(part.coordinator()) && !part.durable()) {
      handle.stop(ORPHANED); // the coordinator left while this part was being registered
    }
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(part.remainingMs());
    AtomicBoolean answered = new AtomicBoolean();
    Consumer<PartOutcome> once = outcome -> {
      if (answered.compareAndSet(false, true)) {
        forget(part.jobId(), key, entry);
        answer.accept(outcome);
      }
    };
    try {
      pool.execute(new JsWorkers.Task() {
        @Override
        public boolean stopRequested() {
          return handle.stopped();
        }

        @Override
        public void run() {
          once.accept(execute(part, handle, deadline));
        }

        @Override
        public void abandoned() {
          metrics.stop("abandoned");
          once.accept(stopped(part, handle.stopped() ? handle.stopReason() : STOPPING));
        }
      });
    } catch (IllegalStateException closed) {
      once.accept(new PartRefused(part.index(), part.attempt(), self, PartRefused.STOPPING));
    }
  }

  /** A coordinator this node saw leave and does not see back. */
  private boolean gone(String coordinator) {
    return departed.contains(coordinator) && !isPeer.test(coordinator);
  }

  private PartOutcome execute(PartRequest part, RunHandle handle, long deadline) {
    if (handle.stopped()) {
      return stopped(part, handle.stopReason());
    }
    String ctx = new JsonObject().put("jobId", part.jobId()).put("node", self).put("partition", part.index())
        .put("partitions", part.partitions()).encode();
    try {
      PartDone done = execution.execute(part, ctx, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()), handle);
      metrics.partCompleted(done.elapsedMs());
      if (part.durable() && part.index() >= 0) {
        durableParts.save(part.jobId(), part.index(), self, done.result());
      }
      return done;
    } catch (SandboxException e) {
      if (handle.stopped() && e.code().equals(handle.stopReason())) {
        return stopped(part, e.code());
      }
      metrics.partFailed();
      if (STOPS.contains(e.code())) {
        metrics.stop(e.code());
      }
      return new PartFailed(part.index(), part.attempt(), self, e.code(), e.getMessage(),
          e.line() == null ? 0 : e.line(), e.column() == null ? 0 : e.column(), e.logs());
    } catch (RuntimeException | Error e) {
      // any Error too (e.g. a class of the engine that failed to initialise): the part is answered, never lost
      metrics.partFailed();
      LOG.warning("part " + part.index() + " of job " + part.jobId() + " failed unexpectedly: " + e);
      return new PartFailed(part.index(), part.attempt(), self, "job_error", "internal error while running the part",
          0, 0, java.util.List.of());
    } finally {
      Long orphaned = orphanedAt.get(part.jobId());
      if (orphaned != null) {
        LOG.fine(() -> "orphaned part " + part.index() + " of job " + part.jobId() + " freed its worker "
            + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - orphaned) + " ms after its coordinator was seen leaving");
      }
    }
  }

  /**
   * The answer for a part the node stopped: given up by the node itself (shutting down) it is refused, so
   * the coordinator runs it elsewhere; otherwise it failed with the stop's reason (a coordinator that asked
   * for the stop, or left, ignores it).
   */
  private PartOutcome stopped(PartRequest part, String reason) {
    if (reason.equals(STOPPING)) {
      return new PartRefused(part.index(), part.attempt(), self, PartRefused.STOPPING);
    }
    if (STOPS.contains(reason)) {
      metrics.stop(reason);
    }
    return new PartFailed(part.index(), part.attempt(), self, reason.equals(ORPHANED) ? "cancelled" : reason,
        "the part was stopped (" + reason.replace('_', ' ') + ")", 0, 0, java.util.List.of());
  }

  private void forget(String jobId, long key, Entry entry) {
    active.computeIfPresent(jobId, (k, entries) -> {
      entries.remove(key, entry); // not a later copy of the same part, sent here again
      if (entries.isEmpty()) {
        orphanedAt.remove(jobId);
        return null;
      }
      return entries;
    });
  }

  /** Stops the parts a stop message covers (all of a job's, or one attempt of one part). */
  public void stop(StopParts stop) {
    Map<Long, Entry> entries = active.get(stop.jobId());
    if (entries != null) {
      entries.values().forEach(e -> {
        if (stop.covers(e.index(), e.attempt())) {
          e.handle().stop(stop.reason());
        }
      });
    }
  }

  /**
   * A coordinator left the cluster ({@code seenNanos}: when this node saw it): its jobs' parts are stopped,
   * running or queued, and parts it sent later are refused. Parts of durable jobs go on: they store their
   * result, and the node that adopts the job counts it.
   */
  public void coordinatorLeft(String coordinator, String address, long seenNanos) {
    departed.add(coordinator);
    long start = System.nanoTime();
    active.forEach((jobId, entries) -> {
      int stopped = 0;
      for (Entry entry : entries.values()) {
        if (entry.coordinator().equals(coordinator) && !entry.durable()) {
          orphanedAt.putIfAbsent(jobId, seenNanos);
          entry.handle().stop(ORPHANED);
          stopped++;
        }
      }
      if (stopped > 0) {
        int count = stopped;
        metrics.stop(ORPHANED);
        LOG.info("stopping orphaned job " + jobId + ": its coordinator " + address + " left");
        LOG.fine(() -> "orphan stop of job " + jobId + ": " + count + " part(s) told to stop "
            + TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - seenNanos) + " us after the leave was seen ("
            + TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - start) + " us in this step)");
      }
    });
  }

  /** The node is stopping: new parts are refused and running ones given up (their coordinators move them). */
  public void shutdown() {
    stopping = true;
    active.values().forEach(entries -> entries.values().forEach(e -> e.handle().stop(STOPPING)));
  }

  /** Parts running or queued here. */
  public int inFlight() {
    return active.values().stream().mapToInt(Map::size).sum();
  }

  /** The load figures peers and placement read. */
  public JsonObject stats() {
    return new JsonObject().put("running", pool.busy()).put("queued", pool.queued()).put("workers", pool.threads())
        .put("busy", pool.busy()).put("stuck", pool.stuck()).put("capacity", capacity);
  }

  private static long key(int index, int attempt) {
    return ((long) index << 32) | (attempt & 0xffffffffL);
  }
}
