package org.disruptor.job;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.logging.Logger;
import org.disruptor.Addresses;
import org.disruptor.cluster.PeerRegistry;
import org.disruptor.job.PartMessages.PartDone;
import org.disruptor.job.PartMessages.PartOutcome;
import org.disruptor.job.PartMessages.PartRequest;
import org.disruptor.job.PartMessages.StopParts;
import org.disruptor.sandbox.PartResult;
import org.disruptor.sandbox.RunHandle;
import org.disruptor.sandbox.JsEngine;
import org.disruptor.sandbox.PartTask;

/**
 * Wires this node's {@link Worker} to the event bus: parts and stops addressed to this node, the load
 * stats its peers ask for, and the leaves of coordinators (their parts are stopped here). Also the direct
 * path for the parts and reduces this node coordinates itself ({@link LocalParts}).
 */
public final class WorkerVerticle extends VerticleBase implements LocalParts {

  private static final Logger LOG = Logger.getLogger("org.disruptor.job");

  private final JsEngine sandbox;
  private final PeerRegistry registry;
  private final NodeCounters counters;
  private JsWorkers pool;
  private Worker worker;

  private final JobStore store;
  private final org.disruptor.module.Modules modules;

  public WorkerVerticle(JsEngine sandbox, PeerRegistry registry, NodeCounters counters, JobStore store,
      org.disruptor.module.Modules modules) {
    this.store = store;
    this.modules = modules;
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
    pool = new JsWorkers("disruptor-js", threads(config()), config().getLong("workerStackKb", 0L) * 1024,
        config().getLong("stuckAfterMs"));
    worker = new Worker(registry.self().address(), pool, config().getInteger("maxQueuedParts"), this::execute,
        counters, id -> registry.peer(id) != null, store::savePart);
    counters.gauge("disruptor.parts.running", "parts running on this node", pool::busy);
    counters.gauge("disruptor.parts.queued", "parts queued on this node", pool::queued);
    counters.gauge("disruptor.workers.stuck", "worker threads abandoned by a part that ignored a stop", pool::stuck);
    String self = registry.self().id();
    Future<Void> parts = registry.<PartRequest>consumer(Addresses.parts(self),
        message -> worker.accept(message.body(), message::reply));
    Future<Void> stops = registry.<StopParts>consumer(Addresses.cancel(self), m -> worker.stop(m.body()));
    Future<Void> stats = registry.consumer(Addresses.stats(self), m -> m.reply(stats()));
    MessageConsumer<String> left = vertx.eventBus().localConsumer(PeerRegistry.PEER_LEFT, this::coordinatorLeft);
    // a first part off the critical path (and outside Vert.x, so a stop during it leaves no callback behind):
    // the engine's start-up cost is not paid by the first job
    Thread.ofPlatform().daemon().name("disruptor-warm-up").start(() -> {
      try {
        sandbox.run(new PartTask("(x) => x", "[]".getBytes(StandardCharsets.UTF_8), "{}", 10_000, 10_000), new RunHandle());
        DataWarmup.run(sandbox);
      } catch (RuntimeException e) {
        LOG.fine("sandbox warm-up ended: " + e);
      }
    });
    return Future.join(parts, stops, stats, left.completion());
  }

  /** Runs one part in the sandbox (on a worker thread). */
  private PartDone execute(PartRequest part, String ctx, long leftMs, RunHandle handle) {
    long startedAt = System.currentTimeMillis();
    // a module's source comes from the store the first time this node needs it, then from its cache
    PartResult result = sandbox.run(new PartTask(part.code(), part.input(), ctx, leftMs,
        sandbox.limits().partTimeLimitMs(), modules.forPart(part.modules())), handle);
    return new PartDone(part.index(), part.attempt(), registry.self().address(),
        result.json(), result.elapsedMs(), result.logs(), startedAt,
        System.currentTimeMillis());
  }

  /**
   * A part this node coordinates, without the event bus: the same queue, limits and stops as a part sent by
   * message, minus a message and an event-loop hop each way. The future completes on the caller's context.
   */
  @Override
  public Future<PartOutcome> run(PartRequest part) {
    Context caller = vertx.getOrCreateContext();
    Promise<PartOutcome> promise = Promise.promise();
    worker.accept(part, outcome -> caller.runOnContext(v -> promise.complete(outcome)));
    return promise.future();
  }

  @Override
  public Future<Void> check(String code) {
    return vertx.executeBlocking(() -> {
      sandbox.check(code);
      return null;
    }, false);
  }

  @Override
  public void stop(StopParts stop) {
    worker.stop(stop);
  }

  private void coordinatorLeft(Message<String> message) {
    String seen = message.headers().get(PeerRegistry.SEEN_HEADER);
    worker.coordinatorLeft(message.body(), registry.addressOf(message.body()),
        seen == null ? System.nanoTime() : Long.parseLong(seen));
  }

  /**
   * The JS workers: how many, busy and stuck (abandoned by a part that ignored its stop), parts queued, and
   * parts started since the node started.
   */
  public JsonObject workers() {
    return new JsonObject().put("threads", pool.threads()).put("busy", pool.busy()).put("stuck", pool.stuck())
        .put("queued", pool.queued()).put("started", pool.started());
  }

  /** This node's load and counters, for its peers and the page. */
  public JsonObject stats() {
    return counters.toJson().mergeIn(worker.stats()).put("node", registry.self().address())
        .put("id", registry.self().id()).put("engine", sandbox.name()).put("js", sandbox.stats());
  }

  @Override
  public Future<?> stop() {
    worker.shutdown();
    pool.close();
    return Future.succeededFuture();
  }
}
