package org.disruptor.job;

import io.vertx.core.Future;
import java.util.logging.Logger;
import org.disruptor.cluster.PeerView;

/**
 * What happens to a dead coordinator's jobs. Every node hears of the death and tries; the store's atomic
 * claims make exactly one node act on each job: a durable job (async, or keyed) is adopted and finished
 * there, keeping its id; a job that was not durable is recorded as failed ({@code coordinator_lost}), so
 * that it too ends and says how.
 */
final class Durability {

  private static final Logger LOG = Logger.getLogger("org.disruptor.job");

  private final PeerView peers;
  private final Coordinator coordinator;
  private final JobStore store;

  Durability(PeerView peers, Coordinator coordinator, JobStore store) {
    this.peers = peers;
    this.coordinator = coordinator;
    this.store = store;
  }

  /** A node left: adopt what it owned that nobody else claims first, and close its lost jobs. */
  Future<Void> onPeerLeft(String dead) {
    String self = peers.self().id();
    Future<Void> adopted = store.ownedBy(dead).compose(ids -> Future.join(ids.stream()
        .map(id -> store.claim(id, dead, self).compose(won -> won ? adopt(id) : Future.succeededFuture()))
        .toList())).mapEmpty();
    Future<Void> lost = store.entries().compose(entries -> Future.join(entries.stream()
        .filter(e -> dead.equals(e.coordinatorId()) && !e.ended() && !e.durable())
        .map(e -> store.replace(e, lostEntry(e)).onSuccess(won -> {
          if (won) {
            LOG.info("job " + e.id() + " failed: its coordinator " + e.summary().getString("coordinator")
                + " left, and it was not kept elsewhere (neither async nor keyed)");
          }
        })).toList())).mapEmpty();
    return Future.join(adopted, lost).mapEmpty();
  }

  private Future<Void> adopt(String id) {
    return store.durable(id).compose(durable -> {
      if (durable == null) {
        return Future.succeededFuture();
      }
      return store.parts(id, durable.inputs().size()).map(parts -> {
        if (coordinator.get(id) == null) {
          coordinator.adopt(durable, parts);
        }
        return (Void) null;
      });
    });
  }

  private static JobStore.Entry lostEntry(JobStore.Entry entry) {
    return new JobStore.Entry(entry.summary().copy().put("status", "failed").put("error", "coordinator_lost")
        .put("message", "the node that coordinated this job left before it ended; submit it with async=true or an "
            + "Idempotency-Key to have the cluster keep it"));
  }
}
