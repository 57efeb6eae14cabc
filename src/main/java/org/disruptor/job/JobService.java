package org.disruptor.job;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.logging.Logger;
import org.disruptor.Addresses;
import org.disruptor.cluster.PeerRegistry;

/**
 * The jobs API of a node, as the gateway uses it: wires the {@link Coordinator} to Vert.x (its event loop,
 * timers, the event bus, leaves of peers, the page's job feed), keeps CPU-heavy submissions off that loop,
 * and answers for every job of the cluster ({@link JobLocator}, {@link Watches}), keeping durable jobs
 * alive past their coordinator ({@link Durability}). Create it on the context that serves the job API: the
 * coordinator is confined to it.
 */
public final class JobService {

  private static final Logger LOG = Logger.getLogger("org.disruptor.job");
  private static final long LIVENESS_PERIOD_MS = 1_000;
  /** How often a node looks for durable jobs whose owner is no longer a member (leave events can be missed). */
  private static final long ORPHAN_SWEEP_MS = 5_000;
  /**
   * How often a node looks for running jobs that were not durable whose coordinator is no longer a member; a
   * job is closed on its second sighting, so between one and two periods after its coordinator went.
   */
  private static final long LOST_SWEEP_MS = 30_000;
  private static final long UI_PROGRESS_MS = 100;
  /** Job texts this long are decoded and sliced on a worker thread. */
  public static final int OFFLOAD_CHARS = 64 * 1024;

  /** How a job was submitted: {@code async} answers at once; either kind may carry an idempotency key. */
  public record Options(boolean async, String key) {
    public static final Options SYNC = new Options(false, null);
  }

  /**
   * A submission's outcome: the job started here, or - its idempotency key already bound - the id of the
   * job that has the key, which may run on any node.
   */
  public record Submitted(Job job, String existingId) {
    public String id() {
      return job != null ? job.id() : existingId;
    }
  }

  private final Vertx vertx;
  private final PeerRegistry registry;
  private final JobSpec.Limits limits;
  private final Coordinator coordinator;
  private final JobStore store;
  private final JobLocator locator;
  private final Watches watches;
  private final Durability durability;
  private final CodeChecks checks;

  private final org.disruptor.module.Modules modules;

  public JobService(Vertx vertx, PeerRegistry registry, NodeCounters counters, JsonObject conf, LocalParts local,
      JobStore store, org.disruptor.stats.StatsBoard board, org.disruptor.module.Modules modules) {
    this.vertx = vertx;
    this.modules = modules;
    this.registry = registry;
    this.store = store;
    this.limits = JobSpec.Limits.from(conf);
    // what one coordinator may keep in flight on a node: its workers and half its queue (others share the rest)
    int window = WorkerVerticle.threads(conf) + Math.max(1, conf.getInteger("maxQueuedParts") / 2);
    Coordinator.Settings settings = new Coordinator.Settings(conf.getInteger("maxAttempts"), window,
        conf.getLong("nodeSilenceMs"), UI_PROGRESS_MS);
    JobFeed feed = new JobFeed(vertx, registry);
    this.coordinator = new Coordinator(registry, new EventBusTransport(vertx, registry.self().id(), local),
        Scheduler.of(vertx), settings, counters, feed::accept,
        conf.getInteger("historySize"), conf.getLong("historyResultBytes"),
        work -> vertx.executeBlocking(work, false), store);
    // the nodes' periodic stats are the load placement reads, and the heartbeat (no ping per node) when they come
    // often enough to tell a silent node in time
    coordinator.reportedLoad(board::load);
    if (conf.getLong("statsIntervalMs") * 2 < conf.getLong("nodeSilenceMs")) {
      coordinator.heartbeats(board::lastHeard);
    }
    this.locator = new JobLocator(vertx, registry, coordinator, store);
    this.watches = new Watches(vertx, registry, coordinator, locator);
    this.durability = new Durability(registry, coordinator, store);
    this.checks = new CodeChecks(local::check);
    String self = registry.self().id();
    registry.<JsonObject>consumer(Addresses.jobs(self), m -> {
      String op = m.body().getString("op", "");
      if (op.equals("watch") || op.equals("unwatch") || (op.equals("view") && m.body().containsKey("watcher"))) {
        watches.answer(m);
      } else {
        locator.answer(m);
      }
    });
    registry.<String>consumer(Addresses.jobEvents(self), watches::onEvent);
    vertx.eventBus().<String>localConsumer(PeerRegistry.PEER_LEFT, m -> onPeerLeft(m.body()));
    vertx.setPeriodic(LIVENESS_PERIOD_MS, t -> coordinator.checkLiveness(LIVENESS_PERIOD_MS));
    vertx.setPeriodic(ORPHAN_SWEEP_MS, t -> durability.sweep()
        .onFailure(e -> LOG.fine("looking for jobs of nodes that left failed: " + e)));
    vertx.setPeriodic(LOST_SWEEP_MS, t -> durability.sweepLost()
        .onFailure(e -> LOG.fine("looking for running jobs of nodes that left failed: " + e)));
  }

  private void onPeerLeft(String node) {
    coordinator.onPeerLeft(node);
    watches.onPeerLeft(node);
    durability.onPeerLeft(node).onFailure(e -> LOG.warning("taking over the jobs of a node that left failed: " + e));
  }

  public JobSpec.Limits limits() {
    return limits;
  }

  /** A job this node coordinates (running or in its history), or null. */
  public Job local(String id) {
    return coordinator.get(id);
  }

  public long running() {
    return coordinator.runningJobs();
  }

  /**
   * Parses, plans and starts a job. Decoding and slicing a large body is CPU work: from
   * {@value #OFFLOAD_CHARS} characters on it runs on a worker thread, never on the event loop. A job with an
   * idempotency key whose key is already bound starts nothing: the answer names the existing job. An async
   * or keyed job is durable: its spec is stored in the cluster before it starts. Fails with {@link JobError}
   * for bad input, when no node can take the job (no_nodes), or when the durable store is full.
   */
  public Future<Submitted> submit(Callable<JobSpec> parse, int size, JobListener listener, Options options) {
    Callable<Planner.Plan> plan = () -> {
      JobSpec spec = parse.call();
      return Planner.plan(options.key() != null ? spec.withKey(options.key()) : spec, registry.peers());
    };
    Future<Planner.Plan> planned;
    if (size < OFFLOAD_CHARS) {
      try {
        planned = Future.succeededFuture(plan.call());
      } catch (Exception e) {
        return Future.failedFuture(e);
      }
    } else {
      planned = vertx.executeBlocking(plan, false);
    }
    return planned.compose(p -> checks.check(p.spec()).map(v -> p)).compose(this::resolveModules)
        .compose(p -> start(p, listener, options.async()));
  }

  /**
   * Pins the job's store modules to their hashes (a store round trip, off the event loop); an unknown one
   * fails the job once with 422. A job without modules or ES-module code does not touch the store.
   */
  private Future<Planner.Plan> resolveModules(Planner.Plan plan) {
    if (!org.disruptor.module.Modules.uses(plan.spec())) {
      return Future.succeededFuture(plan);
    }
    return vertx.executeBlocking(() -> plan.withSpec(plan.spec().withModules(modules.resolve(plan.spec()))), false);
  }

  private Future<Submitted> start(Planner.Plan plan, JobListener listener, boolean async) {
    JobSpec spec = plan.spec();
    if (!spec.durable(async)) {
      return Future.succeededFuture(new Submitted(coordinator.start(plan, listener), null));
    }
    String id = UUID.randomUUID().toString();
    Future<String> bound = spec.key() == null ? Future.succeededFuture(null) : durability.bindKey(spec.key(), id);
    return bound.compose(existing -> {
      if (existing != null) {
        return Future.succeededFuture(new Submitted(null, existing));
      }
      JobStore.Durable durable = new JobStore.Durable(id, spec, plan.inputs(), System.currentTimeMillis(), spec.key());
      return store.saveDurable(durable, registry.self().id())
          .onFailure(e -> {
            if (spec.key() != null) {
              store.unbindKey(spec.key(), id, registry.self().id());
            }
          })
          .map(v -> new Submitted(coordinator.start(plan, listener, new Coordinator.StartOptions(id, true)), null));
    });
  }

  /** Any job of the cluster: its full state as JSON bytes (not_found when nobody knows it). */
  public Future<Buffer> view(String id) {
    return locator.view(id);
  }

  /** Cancels any job of the cluster; its state after the cancel (not_found, or not_running when it has ended). */
  public Future<Buffer> cancel(String id) {
    return locator.cancel(id);
  }

  /** Recent jobs of the whole cluster, newest first, optionally of one status. */
  public Future<JsonObject> list(int limit, int offset, String status) {
    return locator.list(limit, offset, status);
  }

  /** A watcher of a job's events (as the job WebSocket sends them). */
  public interface Watcher extends Watches.Watcher {
  }

  /** Follows any job of the cluster: a snapshot first, then its events; not_found when nobody knows it. */
  public Future<Void> watch(String id, Watcher watcher) {
    return watches.watch(id, watcher);
  }

  public void unwatch(String id, Watcher watcher) {
    watches.unwatch(id, watcher);
  }

  /** Adds a listener to a running job of this node (e.g. a second WebSocket watching it). */
  public boolean listen(String id, JobListener listener) {
    return coordinator.listen(id, listener);
  }
}
