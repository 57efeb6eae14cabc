package org.disruptor.stats;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.disruptor.cluster.Peer;

/**
 * The latest stats record each node published, keyed by Vert.x node id, and when it was heard. Written by
 * {@link StatsVerticle} as publications arrive, read by the gateway for {@code GET /api/peers}: no peer is
 * asked anything per request. A node that left is dropped; the coordinator may read {@link #lastHeard} as a
 * heartbeat.
 */
public final class StatsBoard {

  private record Entry(JsonObject stats, long heardAt) {
  }

  private final Map<String, Entry> latest = new ConcurrentHashMap<>();

  /** Keeps {@code stats} (a node's record with its {@code id}) as that node's latest, heard at {@code now}. */
  public void record(JsonObject stats, long now) {
    String id = stats.getString("id");
    if (id != null) {
      latest.merge(id, new Entry(stats.copy(), now),
          // publications may overtake each other: keep the one the node made last
          (old, fresh) -> fresh.stats.getLong("at", 0L) >= old.stats.getLong("at", 0L) ? fresh : old);
    }
  }

  /** Forgets a node that left the cluster. */
  public void drop(String nodeId) {
    latest.remove(nodeId);
  }

  /** The latest record of a node, or null when none was heard (yet). */
  public JsonObject get(String nodeId) {
    Entry entry = latest.get(nodeId);
    return entry == null ? null : entry.stats.copy();
  }

  /**
   * The load a node last reported: parts running and queued there, plus its stuck worker threads (they
   * still take CPU); 0 when nothing was heard.
   */
  public int load(String nodeId) {
    Entry entry = latest.get(nodeId);
    if (entry == null) {
      return 0;
    }
    JsonObject s = entry.stats;
    return s.getInteger("running", 0) + s.getInteger("queued", 0) + s.getInteger("stuck", 0);
  }

  /** When this node last heard from {@code nodeId} (epoch ms of this node's clock), or -1 when never. */
  public long lastHeard(String nodeId) {
    Entry entry = latest.get(nodeId);
    return entry == null ? -1 : entry.heardAt;
  }

  /**
   * Forgets every node that is not among {@code live} and was last heard before {@code cutoff}: a leave this
   * node missed (e.g. during a merge), or a late record of a node that left. A node that just joined may
   * publish before it is a peer, hence the grace.
   */
  public void retain(List<Peer> live, long cutoff) {
    java.util.Set<String> ids = new java.util.HashSet<>();
    live.forEach(p -> ids.add(p.id()));
    latest.entrySet().removeIf(e -> !ids.contains(e.getKey()) && e.getValue().heardAt < cutoff);
  }

  /**
   * The live peers in order, each as its peer entry ({@code address, id, since}) merged with its latest
   * stats; a peer not heard yet has its peer entry only.
   */
  public JsonArray view(List<Peer> peers) {
    JsonArray list = new JsonArray();
    for (Peer peer : peers) {
      list.add(merge(peer, get(peer.id())));
    }
    return list;
  }

  /** A peer entry with the counters of {@code stats} (when not null); the peer's own fields win. */
  public static JsonObject merge(Peer peer, JsonObject stats) {
    JsonObject entry = stats == null ? new JsonObject() : stats.copy();
    return entry.mergeIn(peer.toJson());
  }
}
