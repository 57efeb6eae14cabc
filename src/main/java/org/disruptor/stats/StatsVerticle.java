package org.disruptor.stats;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import org.disruptor.Addresses;
import org.disruptor.cluster.PeerRegistry;
import org.disruptor.config.ConfigException;
import org.disruptor.job.WorkerVerticle;

/**
 * Pushes node stats instead of gathering them per request: every {@code statsIntervalMs} this node asks its
 * own worker for its counters (a local request), adds heap and CPU, and publishes the record cluster-wide on
 * {@link Addresses#STATS}; it keeps every peer's latest record in the {@link StatsBoard}, drops a peer that
 * left, and republishes the cluster's view locally on {@link Addresses#UI_STATS} for the page. When the peer
 * list changes it publishes at once, so a node that just joined hears everyone within a round trip.
 */
public final class StatsVerticle extends VerticleBase {

  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);
  /** A record heard this many intervals ago from a node that is not (yet) a peer is forgotten. */
  private static final int KEEP_INTERVALS = 5;

  private final PeerRegistry registry;
  private final StatsBoard board;
  private final ProcessLoad load = new ProcessLoad();
  private long interval;
  private String engine;
  private int workers;

  public StatsVerticle(PeerRegistry registry, StatsBoard board) {
    this.registry = registry;
    this.board = board;
  }

  @Override
  public Future<?> start() {
    interval = config().getLong("statsIntervalMs");
    if (interval < 100) {
      return Future.failedFuture(new ConfigException("statsIntervalMs must be at least 100, got " + interval));
    }
    engine = config().getString("engine", "graaljs");
    workers = WorkerVerticle.threads(config());
    Future<Void> stats = registry.consumer(Addresses.STATS, this::heard);
    MessageConsumer<String> left = vertx.eventBus().localConsumer(PeerRegistry.PEER_LEFT, m -> board.drop(m.body()));
    MessageConsumer<Object> peers = vertx.eventBus().localConsumer(Addresses.UI_PEERS, m -> publishOwn());
    vertx.setPeriodic(interval, id -> tick());
    return Future.join(stats, left.completion(), peers.completion()).onSuccess(v -> publishOwn());
  }

  private void heard(Message<JsonObject> message) {
    board.record(message.body(), System.currentTimeMillis());
  }

  private void tick() {
    publishOwn();
    board.retain(registry.peers(), System.currentTimeMillis() - KEEP_INTERVALS * interval);
    vertx.eventBus().publish(Addresses.UI_STATS, new JsonObject().put("self", registry.self().address())
        .put("nodes", board.view(registry.peers())).put("at", System.currentTimeMillis()), LOCAL);
  }

  /** Asks this node's worker for its counters and publishes this node's record to every node. */
  private void publishOwn() {
    vertx.eventBus().<JsonObject>request(Addresses.stats(registry.self().id()), null,
            new DeliveryOptions().setLocalOnly(true).setSendTimeout(interval))
        .map(Message::body)
        .otherwise((JsonObject) null)
        .onSuccess(worker -> {
          JsonObject record = StatsRecord.of(registry.self(), worker, engine, workers, load.heapUsed(), load.heapMax(),
              load.cpu(), System.currentTimeMillis());
          board.record(record, System.currentTimeMillis());
          vertx.eventBus().publish(Addresses.STATS, record);
        });
  }
}
