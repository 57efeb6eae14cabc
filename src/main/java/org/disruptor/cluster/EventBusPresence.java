package org.disruptor.cluster;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.core.spi.cluster.NodeInfo;
import io.vertx.core.spi.cluster.RegistrationInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * This node's entries in the cluster's event-bus tables, kept there: its clustered consumers and its node
 * info (where peers connect to it). The cluster's copy of either can be lost while the node lives on: a
 * split-brain merge, or a peer's clean-up of a member that left and came back under the same node id,
 * drops them, and Vert.x writes them again only on some of those paths. Peers then get "no handlers" (or
 * "not a member") for a node they list as live, and every part sent there fails. So every few seconds the
 * node reads its entries back from the cluster and writes again what is missing: the node info as it is,
 * a consumer by registering a fresh one first and then letting the old one go, so that the address is
 * never without a consumer here.
 */
public final class EventBusPresence {

  private static final Logger LOG = Logger.getLogger("org.disruptor.cluster");

  private final Vertx vertx;
  private final ClusterManager cluster;
  private final String self;
  private final List<Kept<?>> kept = new CopyOnWriteArrayList<>();
  private final AtomicBoolean checking = new AtomicBoolean();
  private final AtomicLong renewed = new AtomicLong();
  private final AtomicLong republished = new AtomicLong();
  private long timerId = -1;
  private volatile boolean stopped;

  public EventBusPresence(Vertx vertx, ClusterManager cluster, String self) {
    this.vertx = vertx;
    this.cluster = cluster;
    this.self = self;
  }

  /**
   * A clustered consumer of {@code address}, as {@code vertx.eventBus().consumer(address, handler)}, that is
   * registered again if the cluster loses it. Call it on the context the handler should run on (a
   * verticle's start): a renewed consumer runs there too. The future completes once it is registered.
   */
  public <T> Future<Void> consumer(String address, Handler<Message<T>> handler) {
    Kept<T> entry = new Kept<>(address, handler, vertx.getOrCreateContext());
    entry.current = vertx.eventBus().consumer(address, handler);
    kept.add(entry);
    return entry.current.completion();
  }

  /** Checks the cluster's copy every {@code everyMs} milliseconds until {@link #stop()}. */
  public void start(long everyMs) {
    timerId = vertx.setPeriodic(everyMs, id -> check());
  }

  public void stop() {
    stopped = true;
    if (timerId >= 0) {
      vertx.cancelTimer(timerId);
    }
  }

  /** Consumers registered again because the cluster had lost them, since start. */
  public long renewed() {
    return renewed.get();
  }

  /** Times the node info was written again because the cluster had lost it, since start. */
  public long republished() {
    return republished.get();
  }

  /** Reads the node info and each kept address back from the cluster; writes again what is missing. */
  void check() {
    if (stopped || !checking.compareAndSet(false, true)) {
      return;
    }
    Promise<NodeInfo> info = Promise.promise();
    cluster.getNodeInfo(self, info);
    Future<Void> node = info.future().<Void>mapEmpty().recover(e -> {
      // "not a member of the cluster" is what a lost entry reads as; rewriting our own info is harmless
      LOG.warning("the cluster lost this node's event-bus address (" + e.getMessage() + "): writing it again");
      Promise<Void> written = Promise.promise();
      cluster.setNodeInfo(cluster.getNodeInfo(), written);
      return written.future().onSuccess(v -> republished.incrementAndGet()).otherwiseEmpty();
    });
    List<Kept<?>> all = List.copyOf(kept);
    List<Future<Boolean>> looks = new ArrayList<>();
    for (Kept<?> entry : all) {
      Promise<List<RegistrationInfo>> read = Promise.promise();
      cluster.getRegistrations(entry.address, read);
      // a read that fails (a partition migrating) says nothing: the next round looks again
      looks.add(read.future().map(found -> listsNode(found, self)).otherwise(true));
    }
    Future.all(looks).eventually(() -> node).onComplete(ar -> {
      List<Kept<?>> lost = new ArrayList<>();
      for (int i = 0; i < looks.size(); i++) {
        if (!looks.get(i).result()) {
          lost.add(all.get(i));
        }
      }
      if (!lost.isEmpty() && !stopped) {
        LOG.warning("the cluster lost " + lost.size() + " event-bus registration(s) of this node ("
            + String.join(", ", lost.stream().map(k -> k.address).toList()) + "): registering them again");
        lost.forEach(this::renew);
      }
      checking.set(false);
    });
  }

  /** Whether the registrations the cluster holds for an address include one of {@code node}. */
  static boolean listsNode(List<RegistrationInfo> registrations, String node) {
    return registrations.stream().anyMatch(r -> node.equals(r.nodeId()) && !r.localOnly());
  }

  private <T> void renew(Kept<T> entry) {
    entry.context.runOnContext(v -> {
      if (stopped) {
        return;
      }
      MessageConsumer<T> fresh = vertx.eventBus().consumer(entry.address, entry.handler);
      fresh.completion().onSuccess(x -> {
        MessageConsumer<T> old = entry.current;
        entry.current = fresh;
        renewed.incrementAndGet();
        old.unregister();
      }).onFailure(e -> {
        LOG.warning("registering " + entry.address + " again failed (" + e.getMessage() + "); retrying later");
        fresh.unregister();
      });
    });
  }

  /** One consumer: what it listens on, what handles it, where it runs, and the live registration. */
  private static final class Kept<T> {
    final String address;
    final Handler<Message<T>> handler;
    final Context context;
    volatile MessageConsumer<T> current;

    Kept(String address, Handler<Message<T>> handler, Context context) {
      this.address = address;
      this.handler = handler;
      this.context = context;
    }
  }
}
