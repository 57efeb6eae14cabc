package org.disruptor.job;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.disruptor.Addresses;
import org.disruptor.cluster.Peer;
import org.disruptor.cluster.PeerView;

/**
 * Finds any job of the cluster from any node: this node's own jobs from its coordinator; others from the
 * directory, then from their coordinator (which holds the full state and result), else from what the store
 * kept of them (the final view of a durable job, or the directory entry of a job whose coordinator is
 * gone). Also answers the other nodes' questions about the jobs this node coordinates ({@link #answer}).
 */
final class JobLocator {

  private static final long ASK_TIMEOUT_MS = 5_000;

  private final Vertx vertx;
  private final PeerView peers;
  private final Coordinator coordinator;
  private final JobStore store;

  JobLocator(Vertx vertx, PeerView peers, Coordinator coordinator, JobStore store) {
    this.vertx = vertx;
    this.peers = peers;
    this.coordinator = coordinator;
    this.store = store;
  }

  static JobError notFound(String id) {
    return new JobError("not_found", "no job " + id + " in the cluster");
  }

  /** The live node that coordinates job {@code id} (this one included), or a not_found failure. */
  Future<String> coordinatorOf(String id) {
    if (coordinator.get(id) != null) {
      return Future.succeededFuture(peers.self().id());
    }
    return store.lookup(id).compose(entry -> {
      if (entry != null && peers.peers().stream().anyMatch(p -> p.id().equals(entry.coordinatorId()))) {
        return Future.succeededFuture(entry.coordinatorId());
      }
      return search(id);
    });
  }

  /** Asks every other live node whether it coordinates {@code id} (a job too young for the directory). */
  private Future<String> search(String id) {
    List<Future<String>> asks = new ArrayList<>();
    for (Peer peer : peers.peers()) {
      if (!peer.id().equals(peers.self().id())) {
        asks.add(ask(peer.id(), "has", id).map(reply -> ((JsonObject) reply).getBoolean("found") ? peer.id() : null)
            .otherwise((String) null));
      }
    }
    return Future.join(asks).map(all -> asks.stream().map(Future::result).filter(r -> r != null).findFirst()
        .orElseThrow(() -> notFound(id)));
  }

  private Future<Object> ask(String node, String op, String id) {
    return vertx.eventBus().request(Addresses.jobs(node), new JsonObject().put("op", op).put("id", id),
        new DeliveryOptions().setSendTimeout(ASK_TIMEOUT_MS)).map(Message::body);
  }

  /** The job's full state as JSON bytes (with its result when it has one), from wherever it is. */
  Future<Buffer> view(String id) {
    Job local = coordinator.get(id);
    if (local != null) {
      return Future.succeededFuture(local.viewBuffer());
    }
    return coordinatorOf(id).compose(node -> ask(node, "view", id).map(body -> (Buffer) body))
        .recover(e -> kept(id, e));
  }

  /**
   * What the store kept of a job no live coordinator holds: its final view, else its directory entry. The
   * entry is read first: a durable job's end writes the final view, then the entry, so an entry that says
   * the job ended is never paired with a final view read before it was written.
   */
  private Future<Buffer> kept(String id, Throwable cause) {
    return store.lookup(id).compose(entry -> store.finalView(id).compose(bytes -> {
      if (bytes != null) {
        return Future.succeededFuture(Buffer.buffer(bytes));
      }
      return entry == null
          ? Future.failedFuture(cause instanceof JobError ? cause : notFound(id))
          : Future.succeededFuture(JsonText.buffer(summaryOnly(entry.summary()).encode()));
    }));
  }

  /**
   * A directory entry given for a job's full view: marked, so a client does not take a completed job
   * without {@code result} for one that returned nothing (the coordinator is gone, or did not answer).
   */
  static JsonObject summaryOnly(JsonObject summary) {
    return publicView(summary).put("summaryOnly", true);
  }

  /** A directory entry as users see it: the coordinator's node id is internal. */
  static JsonObject publicView(JsonObject summary) {
    JsonObject view = summary.copy();
    view.remove("coordinatorId");
    return view;
  }

  /** Cancels a job wherever it runs; the job's view after the cancel. */
  Future<Buffer> cancel(String id) {
    Job local = coordinator.get(id);
    if (local != null) {
      return coordinator.cancel(id) ? Future.succeededFuture(local.viewBuffer()) : Future.failedFuture(ended(local
          .status().wire(), id));
    }
    return coordinatorOf(id).compose(
        node -> ask(node, "cancel", id).map(body -> (Buffer) body).recover(e -> Future.failedFuture(
            e instanceof ReplyException re && re.failureCode() == 409 ? new JobError("not_running", re.getMessage())
                : e instanceof ReplyException re && re.failureCode() == 404 ? notFound(id) : e)),
        gone -> kept(id, gone).compose(view -> Future.failedFuture(ended(new JsonObject(view).getString("status"), id))));
  }

  private static JobError ended(String status, String id) {
    return new JobError("not_running", "running".equals(status)
        ? "job " + id + " cannot be cancelled: the node that coordinated it is gone"
        : "job " + id + " already ended as " + status);
  }

  /**
   * Recent jobs of the whole cluster, newest first: this node's own (the youngest may not be in the
   * directory yet) and the directory's, filtered by status, {@code limit} of them after {@code offset}.
   */
  Future<JsonObject> list(int limit, int offset, String status) {
    Map<String, JsonObject> byId = new HashMap<>();
    coordinator.recent().forEach(job -> byId.put(job.id(), job.summary()));
    return store.entries().otherwise(List.of()).map(entries -> {
      entries.forEach(e -> byId.putIfAbsent(e.id(), publicView(e.summary())));
      List<JsonObject> all = byId.values().stream()
          .filter(j -> status == null || status.equals(j.getString("status")))
          .sorted(Comparator.comparingLong((JsonObject j) -> j.getLong("createdAt", 0L)).reversed()
              .thenComparing(j -> j.getString("id")))
          .toList();
      JsonArray page = new JsonArray();
      all.stream().skip(offset).limit(limit).forEach(page::add);
      return new JsonObject().put("jobs", page).put("total", all.size()).put("offset", offset).put("limit", limit);
    });
  }

  /** Answers another node's question about a job this node coordinates. */
  void answer(Message<JsonObject> message) {
    String id = message.body().getString("id");
    Job job = coordinator.get(id);
    switch (message.body().getString("op", "")) {
      case "has" -> message.reply(new JsonObject().put("found", job != null));
      case "view" -> {
        if (job == null) {
          message.fail(404, "no job " + id + " here");
        } else {
          message.reply(job.viewBuffer());
        }
      }
      case "cancel" -> {
        if (job == null) {
          message.fail(404, "no job " + id + " here");
        } else if (coordinator.cancel(id)) {
          message.reply(job.viewBuffer());
        } else {
          message.fail(409, "job " + id + " already ended as " + job.status().wire());
        }
      }
      default -> message.fail(400, "unknown job operation");
    }
  }
}
