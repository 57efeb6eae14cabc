package org.disruptor.job;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;
import org.disruptor.Addresses;
import org.disruptor.cluster.PeerView;

/**
 * Clients of this node watching jobs that may run anywhere: a snapshot first, then each event from now
 * on. A job this node coordinates is followed directly; for another node's job this node asks that
 * coordinator once (however many clients here watch it) to send the job's events here, and hands them to
 * each watcher. When a watched job's coordinator leaves, the watch follows the job to whoever adopted it,
 * or delivers how it ended. Confined to the coordinator's event loop.
 */
final class Watches {

  private static final Logger LOG = Logger.getLogger("org.disruptor.job");
  private static final long FOLLOW_PERIOD_MS = 500;
  private static final int FOLLOW_TRIES = 60;
  private static final Set<String> FINALS = Set.of("completed", "failed", "timed_out", "cancelled");

  /** Someone watching a job: receives each event's type and JSON text. */
  @FunctionalInterface
  interface Watcher {
    void event(String type, String json);
  }

  /** A job of another node watched from here. */
  private static final class Remote {
    String coordinator;
    final Set<Watcher> watchers = new LinkedHashSet<>();

    Remote(String coordinator) {
      this.coordinator = coordinator;
    }
  }

  private final Vertx vertx;
  private final PeerView peers;
  private final Coordinator coordinator;
  private final JobLocator locator;
  private final Map<String, Remote> remote = new HashMap<>();
  private final Map<Watcher, JobListener> local = new HashMap<>();
  /** Coordinator side: the nodes this node sends a job's events to, by job id. */
  private final Map<String, Map<String, JobListener>> forwarding = new HashMap<>();

  Watches(Vertx vertx, PeerView peers, Coordinator coordinator, JobLocator locator) {
    this.vertx = vertx;
    this.peers = peers;
    this.coordinator = coordinator;
    this.locator = locator;
  }

  /** Starts watching: the snapshot (and the end, for a job that has ended) go to the watcher at once. */
  Future<Void> watch(String id, Watcher watcher) {
    Job job = coordinator.get(id);
    if (job != null) {
      watchLocal(job, watcher);
      return Future.succeededFuture();
    }
    return locator.coordinatorOf(id).compose(node -> node.equals(peers.self().id())
        ? watch(id, watcher) : watchRemote(id, node, watcher))
        .recover(e -> locator.view(id).map(view -> {
          String text = view.toString(java.nio.charset.StandardCharsets.UTF_8);
          watcher.event("snapshot", typed("snapshot", text));
          String status = new JsonObject(text).getString("status");
          if (FINALS.contains(status)) {
            watcher.event(status, typed(status, text));
          }
          return null;
        }));
  }

  private void watchLocal(Job job, Watcher watcher) {
    watcher.event("snapshot", typed("snapshot", job.view()));
    if (job.status().isFinal()) {
      watcher.event(job.status().wire(), typed(job.status().wire(), job.view()));
      return;
    }
    JobListener listener = (j, type, json) -> watcher.event(type, json.get());
    local.put(watcher, listener);
    coordinator.listen(job.id(), listener);
  }

  private Future<Void> watchRemote(String id, String node, Watcher watcher) {
    Remote watch = remote.get(id);
    boolean first = watch == null;
    if (first) {
      watch = new Remote(node);
      remote.put(id, watch);
    }
    watch.watchers.add(watcher);
    Remote registered = watch;
    return request(node, first ? "watch" : "view", id).map(reply -> {
      String snapshot = reply.getString("snapshot");
      watcher.event("snapshot", typed("snapshot", snapshot));
      if (reply.getBoolean("ended", false)) {
        String status = new JsonObject(snapshot).getString("status");
        deliver(id, status, typed(status, snapshot));
      }
      return (Void) null;
    }).onFailure(e -> {
      registered.watchers.remove(watcher);
      if (registered.watchers.isEmpty()) {
        remote.remove(id);
      }
    });
  }

  private Future<JsonObject> request(String node, String op, String id) {
    return vertx.eventBus().<JsonObject>request(Addresses.jobs(node), new JsonObject().put("op", op).put("id", id)
        .put("watcher", peers.self().id()), new DeliveryOptions().setSendTimeout(5_000)).map(Message::body);
  }

  /** Stops sending a job's events to {@code watcher}. */
  void unwatch(String id, Watcher watcher) {
    JobListener listener = local.remove(watcher);
    if (listener != null) {
      coordinator.unlisten(id, listener);
      return;
    }
    Remote watch = remote.get(id);
    if (watch != null && watch.watchers.remove(watcher) && watch.watchers.isEmpty()) {
      remote.remove(id);
      vertx.eventBus().send(Addresses.jobs(watch.coordinator), new JsonObject().put("op", "unwatch").put("id", id)
          .put("watcher", peers.self().id()));
    }
  }

  /** An event of a job watched from here, sent by its coordinator. */
  void onEvent(Message<String> message) {
    deliver(message.headers().get("id"), message.headers().get("type"), message.body());
  }

  private void deliver(String id, String type, String json) {
    Remote watch = remote.get(id);
    if (watch == null) {
      return;
    }
    if (FINALS.contains(type)) {
      remote.remove(id);
    }
    for (Watcher watcher : List.copyOf(watch.watchers)) {
      watcher.event(type, json);
    }
  }

  /**
   * Coordinator side: another node's clients watch a job of this node ("watch" registers that node for its
   * events, "unwatch" ends it; "view" is a snapshot only).
   */
  void answer(Message<JsonObject> message) {
    JsonObject body = message.body();
    String id = body.getString("id");
    String watcherNode = body.getString("watcher");
    Job job = coordinator.get(id);
    switch (body.getString("op")) {
      case "watch", "view" -> {
        if (job == null) {
          message.fail(404, "no job " + id + " here");
          return;
        }
        if (body.getString("op").equals("watch") && !job.status().isFinal()) {
          JobListener forward = (j, type, json) -> {
            vertx.eventBus().send(Addresses.jobEvents(watcherNode), json.get(),
                new DeliveryOptions().addHeader("id", id).addHeader("type", type));
            if (FINALS.contains(type)) {
              Map<String, JobListener> nodes = forwarding.get(id);
              if (nodes != null) {
                nodes.remove(watcherNode);
              }
            }
          };
          Map<String, JobListener> nodes = forwarding.computeIfAbsent(id, k -> new HashMap<>());
          if (nodes.putIfAbsent(watcherNode, forward) == null) {
            coordinator.listen(id, forward);
          }
        }
        message.reply(new JsonObject().put("snapshot", job.view()).put("ended", job.status().isFinal()));
      }
      case "unwatch" -> {
        Map<String, JobListener> nodes = forwarding.get(id);
        JobListener forward = nodes == null ? null : nodes.remove(watcherNode);
        if (forward != null) {
          coordinator.unlisten(id, forward);
        }
        if (nodes != null && nodes.isEmpty()) {
          forwarding.remove(id);
        }
      }
      default -> message.fail(400, "unknown watch operation");
    }
  }

  /**
   * A node left: jobs it coordinated that clients here watch follow the job to its adopter (they get a new
   * snapshot), or get the end the store recorded; a node that watched this node's jobs gets nothing more.
   */
  void onPeerLeft(String node) {
    forwarding.forEach((id, nodes) -> {
      JobListener forward = nodes.remove(node);
      if (forward != null) {
        coordinator.unlisten(id, forward);
      }
    });
    forwarding.values().removeIf(Map::isEmpty);
    for (Map.Entry<String, Remote> entry : new ArrayList<>(remote.entrySet())) {
      if (entry.getValue().coordinator.equals(node)) {
        follow(entry.getKey(), entry.getValue(), FOLLOW_TRIES);
      }
    }
  }

  /** Looks for the watched job's new coordinator (or its end) every {@value #FOLLOW_PERIOD_MS} ms for a while. */
  private void follow(String id, Remote watch, int triesLeft) {
    vertx.setTimer(FOLLOW_PERIOD_MS, t -> {
      if (remote.get(id) != watch) {
        return;
      }
      locator.coordinatorOf(id).onSuccess(node -> {
        remote.remove(id);
        for (Watcher watcher : List.copyOf(watch.watchers)) {
          watch(id, watcher);
        }
      }).onFailure(e -> locator.view(id).onComplete(ar -> {
        String status = ar.succeeded() ? new JsonObject(ar.result().toString()).getString("status") : null;
        if (status != null && FINALS.contains(status)) {
          deliver(id, status, typed(status, ar.result().toString()));
        } else if (triesLeft > 1) {
          follow(id, watch, triesLeft - 1);
        } else {
          LOG.info("job " + id + " is no longer followed: its coordinator left and nobody took it over");
          remote.remove(id);
          String lost = new JsonObject().put("type", "failed").put("id", id).put("status", "failed")
              .put("error", "coordinator_lost").put("message", "the node that coordinated this job left").encode();
          watch.watchers.forEach(w -> w.event("failed", lost));
        }
      }));
    });
  }

  /** A job view (which has no type of its own) as an event of {@code type}, spliced without a parse. */
  static String typed(String type, String view) {
    String body = view.strip();
    return "{\"type\":\"" + type + "\"" + (body.length() > 2 ? "," + body.substring(1) : "}");
  }
}
