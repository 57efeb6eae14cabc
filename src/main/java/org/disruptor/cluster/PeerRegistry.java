package org.disruptor.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryRemovedListener;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import org.disruptor.Addresses;

/**
 * This node's view of the live, ready peers, and the one place that maps Vert.x node ids to user-facing
 * addresses. A node counts as a peer when it is a Hazelcast member AND it has announced itself in the
 * {@value #READY_MAP} map, which it does only after its event-bus consumers are registered (so nobody sends
 * it parts while it would answer NO_HANDLERS). Changes are published locally: {@link Addresses#UI_PEERS}
 * with the whole view, {@link #PEER_LEFT} with the id of a node that left.
 */
public final class PeerRegistry implements PeerView {

  /**
   * Local-only publication: body is the Vert.x node id of a peer that left the cluster; header
   * {@value #SEEN_HEADER} is when this node first saw it go ({@link System#nanoTime()}), so the stages of
   * what follows (orphan stops, moved parts) can be timed from the detection.
   */
  public static final String PEER_LEFT = "disruptor.local.peer-left";
  public static final String SEEN_HEADER = "seen";
  static final String READY_MAP = "disruptor.peers";
  private static final Logger LOG = Logger.getLogger("org.disruptor.cluster");
  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);
  /** How often this node reads its own event-bus registrations back from the cluster. */
  static final long CONSUMER_CHECK_MS = 2_000;

  private final Vertx vertx;
  private final Context context;
  private final HazelcastInstance hazelcast;
  private final IMap<String, String> ready;
  private final Peer self;
  private final EventBusPresence consumers;
  private volatile Map<String, Peer> view = Map.of();
  /** The view in join order, sorted once per membership change (read on every request and every part). */
  private volatile List<Peer> ordered = List.of();
  private boolean refreshing;
  private boolean refreshAgain;
  private int removals;
  /** Reconcile rounds so far; every {@link #FULL_EVERY}th reads the ready map whatever the members say. */
  private long rounds;
  static final int FULL_EVERY = 5;
  private final List<Promise<Void>> waiting = new ArrayList<>();
  private long timerId = -1;
  private volatile boolean stopping;
  /** Held around re-announcing and withdrawing: a refresh in flight never re-announces a node that is leaving. */
  private final Object announcing = new Object();

  public PeerRegistry(Vertx vertx, HazelcastClusterManager cluster, String selfAddress, List<String> labels) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.hazelcast = cluster.getHazelcastInstance();
    this.ready = hazelcast.getMap(READY_MAP);
    this.self = new Peer(cluster.getNodeId(), selfAddress, System.currentTimeMillis(), labels);
    this.consumers = new EventBusPresence(vertx, cluster, cluster.getNodeId());
  }

  /**
   * A clustered consumer that stays registered in the cluster (see {@link EventBusPresence}): every consumer
   * that peers send to goes through here. Call it on the handler's context; completes once registered.
   */
  public <T> Future<Void> consumer(String address, Handler<Message<T>> handler) {
    return consumers.consumer(address, handler);
  }

  /** This node's event-bus entries as kept in the cluster, and how often the cluster had lost them. */
  public EventBusPresence consumers() {
    return consumers;
  }

  /** Announces this node as ready and starts following membership. Call once consumers are registered. */
  public Future<Void> start(long reconcileMs) {
    hazelcast.getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent event) {
        context.runOnContext(v -> refresh());
      }

      @Override
      public void memberRemoved(MembershipEvent event) {
        long seen = System.nanoTime();
        String id = event.getMember().getAttribute(HazelcastSetup.NODE_ID_ATTRIBUTE);
        if (id != null) {
          ready.removeAsync(id);
        }
        // act on the leave at once: reading the ready map may wait for the dead member's partitions to move
        context.runOnContext(v -> {
          removals++;
          if (id != null && view.containsKey(id)) {
            LOG.fine(() -> "member " + addressOf(id) + " removed; acting on it after "
                + (System.nanoTime() - seen) / 1_000 + " us");
            Map<String, Peer> next = new LinkedHashMap<>(view);
            next.remove(id);
            apply(next, seen);
          }
          refresh();
        });
      }
    });
    ready.addEntryListener(new ReadyListener(), false);
    Future<Void> announced = vertx.executeBlocking(() -> {
      ready.put(self.id(), self.toJson().encode());
      return null;
    }, false);
    return announced.compose(v -> {
      Promise<Void> first = Promise.promise();
      context.runOnContext(x -> {
        refresh(first);
        timerId = vertx.setPeriodic(reconcileMs, id -> reconcile());
        consumers.start(CONSUMER_CHECK_MS);
      });
      return first.future();
    });
  }

  /** Leaves the ready map so peers stop sending parts before the member itself goes. */
  public Future<Void> stop() {
    stopping = true;
    consumers.stop();
    if (timerId >= 0) {
      vertx.cancelTimer(timerId);
    }
    return vertx.executeBlocking(() -> {
      synchronized (announcing) {
        ready.remove(self.id());
      }
      return null;
    }, false);
  }

  @Override
  public Peer self() {
    return self;
  }

  /** The live ready peers, this node included, in join order. */
  @Override
  public List<Peer> peers() {
    return ordered;
  }

  static List<Peer> joinOrder(Collection<Peer> peers) {
    return peers.stream().sorted(Comparator.comparingLong(Peer::since).thenComparing(Peer::address)).toList();
  }

  public Peer peer(String nodeId) {
    return view.get(nodeId);
  }

  /** The user-facing address of a node id, or the id itself when the node is unknown (gone). */
  @Override
  public String addressOf(String nodeId) {
    Peer peer = view.get(nodeId);
    return peer == null ? nodeId : peer.address();
  }

  /** Whether this node's Hazelcast member is up. */
  public boolean running() {
    return hazelcast.getLifecycleService().isRunning();
  }

  public int memberCount() {
    return hazelcast.getCluster().getMembers().size();
  }

  /**
   * Whether every partition of the cluster's maps has its backups in place (Hazelcast's "cluster safe"):
   * after a node leaves, false until the survivors have copied its data again; stopping another node is
   * safe for the stored jobs and modules only once it is true. Blocks (it asks every member): not on an
   * event loop.
   */
  public boolean clusterSafe() {
    return hazelcast.getPartitionService().isClusterSafe();
  }

  public JsonObject toJson() {
    JsonArray peers = new JsonArray();
    peers().forEach(p -> peers.add(p.toJson()));
    return new JsonObject().put("self", self.address()).put("peers", peers);
  }

  /**
   * The periodic check for a missed event: the members (a local read) against the view; the ready map is read
   * again (a request to every member) only when they differ, or every {@value #FULL_EVERY}th round. A full
   * read every round cost each node one request per member per round: N^2 requests a round for the cluster.
   */
  private void reconcile() {
    if (++rounds % FULL_EVERY == 0 || !memberIds().equals(view.keySet())) {
      refresh();
    }
  }

  @Override
  public boolean member(String nodeId) {
    return self.id().equals(nodeId) || memberIds().contains(nodeId);
  }

  private Set<String> memberIds() {
    return hazelcast.getCluster().getMembers().stream()
        .map(m -> m.getAttribute(HazelcastSetup.NODE_ID_ATTRIBUTE))
        .filter(id -> id != null)
        .collect(Collectors.toSet());
  }

  /** Recomputes the view from Hazelcast (blocking calls on a worker), then publishes the difference. */
  private void refresh() {
    refresh(null);
  }

  private void refresh(Promise<Void> done) {
    if (refreshing) {
      refreshAgain = true;
      if (done != null) {
        waiting.add(done);
      }
      return;
    }
    refreshing = true;
    int removalsBefore = removals;
    vertx.executeBlocking(this::compute, false).onComplete(ar -> {
      refreshing = false;
      if (removals != removalsBefore) {
        // a member left while this view was computed: it may still list it, so compute again
        refreshAgain = true;
      } else if (ar.succeeded()) {
        apply(ar.result(), System.nanoTime());
      } else if (hazelcast.getLifecycleService().isRunning()) {
        LOG.warning("peer view refresh failed: " + ar.cause());
      }
      if (done != null) {
        done.tryComplete();
      }
      if (refreshAgain) {
        refreshAgain = false;
        Promise<Void> next = Promise.promise();
        List<Promise<Void>> pending = List.copyOf(waiting);
        waiting.clear();
        next.future().onComplete(x -> pending.forEach(Promise::tryComplete));
        refresh(next);
      }
    });
  }

  private Map<String, Peer> compute() {
    Set<String> members = memberIds();
    synchronized (announcing) {
      if (!stopping && !ready.containsKey(self.id())) {
        // After a split-brain merge the losing side's entries may be gone: announce again.
        ready.put(self.id(), self.toJson().encode());
      }
    }
    Collection<String> entries = ready.values();
    Map<String, Peer> next = new LinkedHashMap<>();
    for (String entry : entries) {
      Peer peer = Peer.fromJson(new JsonObject(entry));
      if (members.contains(peer.id())) {
        next.put(peer.id(), peer);
      }
    }
    return next;
  }

  private void apply(Map<String, Peer> next, long seenNanos) {
    if (stopping) {
      // this node is leaving: the others' "leaves" as it goes are not news, and nobody listens any more
      return;
    }
    Map<String, Peer> previous = view;
    Map<String, Peer> fresh = Map.copyOf(next);
    if (!fresh.equals(previous)) {
      // ordered before view: a reader never sees a peer in the view that the ordered list lacks for long
      ordered = joinOrder(fresh.values());
      view = fresh;
    }
    boolean changed = false;
    for (Peer peer : next.values()) {
      if (!previous.containsKey(peer.id())) {
        changed = true;
        if (!peer.id().equals(self.id())) {
          LOG.info("peer joined: " + peer.address() + " (" + next.size() + " nodes)");
        }
      }
    }
    for (Peer peer : previous.values()) {
      if (!next.containsKey(peer.id())) {
        changed = true;
        LOG.info("peer left: " + peer.address() + " (" + next.size() + " nodes)");
        vertx.eventBus().publish(PEER_LEFT, peer.id(),
            new DeliveryOptions().setLocalOnly(true).addHeader(SEEN_HEADER, Long.toString(seenNanos)));
      }
    }
    if (changed) {
      vertx.eventBus().publish(Addresses.UI_PEERS, toJson(), LOCAL);
    }
  }

  /** Whether any Hazelcast member besides this one is up (used to report a lonely start). */
  public boolean alone() {
    Set<Member> members = hazelcast.getCluster().getMembers();
    return members.size() <= 1;
  }

  private final class ReadyListener implements EntryAddedListener<String, String>,
      EntryRemovedListener<String, String> {
    @Override
    public void entryAdded(EntryEvent<String, String> event) {
      context.runOnContext(v -> refresh());
    }

    @Override
    public void entryRemoved(EntryEvent<String, String> event) {
      context.runOnContext(v -> refresh());
    }
  }
}
