package org.disruptor.job;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import org.disruptor.Addresses;
import org.disruptor.cluster.PeerRegistry;
import org.disruptor.job.PartMessages.PartReply;
import org.disruptor.job.PartMessages.PartRequest;
import org.disruptor.sandbox.PartResult;
import org.disruptor.sandbox.RunHandle;
import org.disruptor.sandbox.JsEngine;
import org.disruptor.sandbox.PartTask;
import org.disruptor.sandbox.SandboxException;

/**
 * Runs the parts that coordinators send to this node, on a bounded worker pool (JS never runs on an event
 * loop), with a bounded queue (beyond it: 429). Stops a job's parts when its coordinator cancels it or
 * leaves the cluster, so no orphan work outlives a coordinator.
 */
public final class WorkerVerticle extends VerticleBase {

  /** The shared worker pool that every JS evaluation of the node runs on. */
  public static final String POOL = "disruptor-js";
  /** Failure codes that mean the node stopped a part (as opposed to the job's code failing). */
  private static final java.util.Set<String> STOPS = java.util.Set.of("time_limit", "memory_limit", "output_limit",
      "stack_limit", "timed_out", "cancelled");
  private static final Logger LOG = Logger.getLogger("org.disruptor.job");

  private final JsEngine sandbox;
  private final PeerRegistry registry;
  private final Map<String, Map<Integer, RunHandle>> active = new ConcurrentHashMap<>();
  private final Map<String, String> coordinators = new ConcurrentHashMap<>();
  private final AtomicInteger queued = new AtomicInteger();
  private final AtomicInteger running = new AtomicInteger();
  private final NodeCounters counters;
  private WorkerExecutor pool;
  private int capacity;

  public WorkerVerticle(JsEngine sandbox, PeerRegistry registry, NodeCounters counters) {
    this.sandbox = sandbox;
    this.registry = registry;
    this.counters = counters;
  }

  /** Worker threads: the configured number, or one per core. */
  public static int threads(JsonObject conf) {
    int configured = conf.getInteger("workerThreads", 0);
    return configured > 0 ? configured : Runtime.getRuntime().availableProcessors();
  }

  @Override
  public Future<?> start() {
    int threads = threads(config());
    capacity = threads + config().getInteger("maxQueuedParts");
    pool = vertx.createSharedWorkerExecutor(POOL, threads, 1, TimeUnit.DAYS);
    counters.gauge("disruptor.parts.running", "parts running on this node", running::get);
    counters.gauge("disruptor.parts.queued", "parts queued on this node", queued::get);
    String self = registry.self().id();
    MessageConsumer<PartRequest> parts = vertx.eventBus().consumer(Addresses.parts(self),
        message -> accept(message.body(), new Answer() {
          @Override
          public void reply(PartReply reply) {
            message.reply(reply);
          }

          @Override
          public void fail(int code, String json) {
            message.fail(code, json);
          }
        }));
    MessageConsumer<JsonObject> cancels = vertx.eventBus().consumer(Addresses.cancel(self), this::cancel);
    MessageConsumer<Object> stats = vertx.eventBus().consumer(Addresses.stats(self), m -> m.reply(stats()));
    MessageConsumer<String> left = vertx.eventBus().localConsumer(PeerRegistry.PEER_LEFT, this::stopOrphans);
    // a first part off the critical path (and outside Vert.x, so a stop during it leaves no callback behind):
    // the engine's start-up cost is not paid by the first job
    Thread.ofPlatform().daemon().name("disruptor-warm-up").start(() -> {
      try {
        sandbox.run(new PartTask("(x) => x", "[]".getBytes(StandardCharsets.UTF_8), "{}", 10_000, 10_000), new RunHandle());
      } catch (RuntimeException e) {
        LOG.fine("sandbox warm-up ended: " + e);
      }
    });
    return Future.join(parts.completion(), cancels.completion(), stats.completion(), left.completion());
  }

  /** How a part's outcome goes back to its coordinator: an event-bus reply, or a local promise. */
  private interface Answer {
    void reply(PartReply reply);

    void fail(int code, String json);
  }

  /**
   * Runs a part that this node coordinates, without the event bus: the same queue, limits and stops as a
   * part sent by message, minus a message and an event-loop hop each way. The future completes on the
   * caller's context, and fails as an event-bus request would ({@link ReplyException} with 429 or 422).
   */
  public Future<PartReply> runLocal(PartRequest part) {
    Context caller = vertx.getOrCreateContext();
    Promise<PartReply> promise = Promise.promise();
    accept(part, new Answer() {
      @Override
      public void reply(PartReply reply) {
        caller.runOnContext(v -> promise.complete(reply));
      }

      @Override
      public void fail(int code, String json) {
        caller.runOnContext(v -> promise.fail(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, code, json)));
      }
    });
    return promise.future();
  }

  private void accept(PartRequest part, Answer message) {
    String jobId = part.jobId();
    int index = part.index();
    if (queued.get() + running.get() >= capacity) {
      counters.stop("saturated");
      message.fail(429, error("saturated", "node " + registry.self().address() + " is saturated", index).encode());
      return;
    }
    RunHandle handle = new RunHandle();
    // parts are accepted on event loops and forgotten on worker threads: a job's entries change only inside
    // compute on its key, so a part accepted while the job's last other part ends is never lost
    active.compute(jobId, (k, handles) -> {
      Map<Integer, RunHandle> map = handles != null ? handles : new ConcurrentHashMap<>();
      map.put(index, handle);
      coordinators.put(jobId, part.coordinator());
      return map;
    });
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(part.remainingMs());
    String ctx = new JsonObject().put("jobId", jobId).put("node", registry.self().address()).put("partition", index)
        .put("partitions", part.partitions()).encode();
    queued.incrementAndGet();
    // the worker thread answers the coordinator itself: no hop back through this verticle's event loop
    pool.executeBlocking(() -> {
      queued.decrementAndGet();
      running.incrementAndGet();
      try {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        PartResult result = sandbox.run(new PartTask(part.code(), part.input(), ctx, left,
            sandbox.limits().partTimeLimitMs()), handle);
        forget(jobId, index, handle);
        counters.partCompleted(result.elapsedMs());
        message.reply(new PartReply(index, registry.self().address(), result.json(),
            result.elapsedMs(), result.logs()));
      } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
        forget(jobId, index, handle);
        counters.partFailed();
        message.fail(422, failure(e, index).encode());
      } finally {
        running.decrementAndGet();
      }
      return null;
    }, false);
  }

  private JsonObject failure(Throwable cause, int index) {
    if (cause instanceof SandboxException e) {
      if (STOPS.contains(e.code())) {
        counters.stop(e.code());
      }
      JsonObject json = error(e.code(), e.getMessage(), index).put("logs", new JsonArray(e.logs()));
      if (e.line() != null) {
        json.put("line", e.line()).put("column", e.column());
      }
      return json;
    }
    LOG.warning("part " + index + " failed unexpectedly: " + cause);
    return error("job_error", "internal error: " + cause.getMessage(), index);
  }

  private JsonObject error(String code, String text, int index) {
    return new JsonObject().put("error", code).put("message", text).put("partition", index)
        .put("node", registry.self().address());
  }

  private void forget(String jobId, int index, RunHandle handle) {
    active.computeIfPresent(jobId, (k, handles) -> {
      handles.remove(index, handle); // not a later copy of the same part, sent here again
      if (handles.isEmpty()) {
        coordinators.remove(jobId);
        return null;
      }
      return handles;
    });
  }

  /** Stops a job's parts here, or one part of it when the message names an index (a part moved away). */
  private void cancel(Message<JsonObject> message) {
    JsonObject body = message.body();
    Integer index = body.getInteger("index");
    if (index == null) {
      stopJob(body.getString("jobId"), body.getString("reason", "cancelled"));
      return;
    }
    Map<Integer, RunHandle> handles = active.get(body.getString("jobId"));
    RunHandle handle = handles == null ? null : handles.get(index);
    if (handle != null) {
      handle.stop(body.getString("reason", "cancelled"));
    }
  }

  private void stopJob(String jobId, String reason) {
    Map<Integer, RunHandle> handles = active.get(jobId);
    if (handles != null) {
      handles.values().forEach(h -> h.stop(reason));
    }
  }

  private void stopOrphans(Message<String> message) {
    String gone = message.body();
    coordinators.forEach((jobId, coordinator) -> {
      if (coordinator.equals(gone)) {
        LOG.info("stopping orphaned job " + jobId + ": its coordinator " + registry.addressOf(gone) + " left");
        counters.stop("orphaned");
        stopJob(jobId, "cancelled");
      }
    });
  }

  private JsonObject stats() {
    return counters.toJson().put("running", running.get()).put("queued", queued.get())
        .put("node", registry.self().address()).put("id", registry.self().id())
        .put("engine", sandbox.name()).put("js", sandbox.stats());
  }

  @Override
  public Future<?> stop() {
    active.values().forEach(m -> m.values().forEach(h -> h.stop("cancelled")));
    return pool.close();
  }
}
