package org.disruptor.job;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.Callable;
import org.disruptor.Addresses;
import org.disruptor.cluster.PeerRegistry;

/**
 * The jobs API of a node, as the gateway uses it: wires the {@link Coordinator} to Vert.x (its event loop,
 * timers, the event bus, leaves of peers, the page's job feed) and keeps CPU-heavy submissions off that
 * loop. Create it on the context that serves the job API: the coordinator is confined to it.
 */
public final class JobService {

  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);
  private static final long LIVENESS_PERIOD_MS = 1_000;
  private static final long UI_PROGRESS_MS = 100;
  /** Job texts this long are decoded and sliced on a worker thread. */
  public static final int OFFLOAD_CHARS = 64 * 1024;

  private final Vertx vertx;
  private final PeerRegistry registry;
  private final JobSpec.Limits limits;
  private final Coordinator coordinator;

  public JobService(Vertx vertx, PeerRegistry registry, NodeCounters counters, JsonObject conf, LocalParts local) {
    this.vertx = vertx;
    this.registry = registry;
    this.limits = JobSpec.Limits.from(conf);
    // what one coordinator may keep in flight on a node: its workers and half its queue (others share the rest)
    int window = WorkerVerticle.threads(conf) + Math.max(1, conf.getInteger("maxQueuedParts") / 2);
    Coordinator.Settings settings = new Coordinator.Settings(conf.getInteger("maxAttempts"), window,
        conf.getLong("nodeSilenceMs"), UI_PROGRESS_MS);
    this.coordinator = new Coordinator(registry, new EventBusTransport(vertx, registry.self().id(), local),
        Scheduler.of(vertx), settings, counters, summary -> vertx.eventBus().publish(Addresses.UI_JOBS, summary, LOCAL),
        conf.getInteger("historySize"), conf.getLong("historyResultBytes"),
        work -> vertx.executeBlocking(work, false));
    vertx.eventBus().<String>localConsumer(PeerRegistry.PEER_LEFT, m -> coordinator.onPeerLeft(m.body()));
    vertx.setPeriodic(LIVENESS_PERIOD_MS, t -> coordinator.checkLiveness(LIVENESS_PERIOD_MS));
  }

  public JobSpec.Limits limits() {
    return limits;
  }

  public Job get(String id) {
    return coordinator.get(id);
  }

  /** The most recent jobs first. */
  public List<Job> recent() {
    return coordinator.recent();
  }

  public long running() {
    return coordinator.runningJobs();
  }

  /**
   * Parses, plans and starts a job. Decoding and slicing a large body is CPU work: from
   * {@value #OFFLOAD_CHARS} characters on it runs on a worker thread, never on the event loop. Fails with
   * {@link JobError} for bad input or when no node can take the job (no_nodes).
   */
  public Future<Job> submit(Callable<JobSpec> parse, int size, JobListener listener) {
    if (size < OFFLOAD_CHARS) {
      try {
        return Future.succeededFuture(coordinator.start(Planner.plan(parse.call(), registry.peers()), listener));
      } catch (Exception e) {
        return Future.failedFuture(e);
      }
    }
    return vertx.executeBlocking(() -> Planner.plan(parse.call(), registry.peers()), false)
        .map(plan -> coordinator.start(plan, listener));
  }

  /** Adds a listener to a running job (e.g. a second WebSocket watching it). */
  public boolean listen(String id, JobListener listener) {
    return coordinator.listen(id, listener);
  }

  /** Cancels a running job; false when it is unknown or already ended. */
  public boolean cancel(String id) {
    return coordinator.cancel(id);
  }
}
