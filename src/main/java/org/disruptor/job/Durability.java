package org.disruptor.job;

import io.vertx.core.Future;
import java.util.logging.Logger;
import org.disruptor.cluster.PeerView;

/**
 * What happens to a dead coordinator's jobs. Every node hears of the death and tries; the store's atomic
 * claims make exactly one node act on each job: a durable job (async, or keyed) is adopted and finished
 * there, keeping its id; a job that was not durable is recorded as failed ({@code coordinator_lost}), so
 * that it too ends and says how. A periodic sweep catches owners whose leave this node never heard, and an
 * idempotency key bound by a node that died before storing its job goes to the client's retry.
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
        .map(id -> store.claim(id, dead, self).compose(won -> won ? adopt(id, dead) : Future.succeededFuture()))
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

  /**
   * Durable jobs owned by nodes that are no longer members, whatever leave events this node heard: an
   * ownership written while its node died can land after every peer handled the leave. Run every few
   * seconds; the claims keep it to one adopter per job.
   */
  Future<Void> sweep() {
    String self = peers.self().id();
    return store.owners().compose(owners -> Future.join(owners.stream()
        .filter(owner -> !owner.equals(self) && !peers.member(owner))
        .map(this::onPeerLeft).toList())).mapEmpty();
  }

  private Future<Void> adopt(String id, String dead) {
    String self = peers.self().id();
    return store.durable(id).compose(durable -> {
      if (durable == null) {
        // the owner died between writing its ownership and the spec: nobody was told of the job, and the
        // client's retry (same key) starts it again
        store.disown(id, self);
        return Future.succeededFuture();
      }
      return store.parts(id, durable.inputs().size()).map(parts -> {
        if (coordinator.get(id) == null) {
          LOG.info("job " + id + " adopted: its coordinator " + peers.addressOf(dead) + " left; " + parts.size()
              + " of " + durable.inputs().size() + " part(s) already done");
          coordinator.adopt(durable, parts);
        }
        return (Void) null;
      });
    });
  }

  /**
   * Binds an idempotency key to a new job: null when it is this job's, else the job already bound. A binding
   * whose node left before storing its job (it died between the two writes, so nobody has the job and the
   * client's retry is what remains) is taken over; one whose node lives is still being stored, or was.
   */
  Future<String> bindKey(String key, String id) {
    String self = peers.self().id();
    return store.bindKey(key, id, self).compose(existing -> {
      if (existing == null) {
        return Future.succeededFuture(null);
      }
      if (existing.node() == null || peers.member(existing.node())) {
        return Future.succeededFuture(existing.jobId());
      }
      return stored(existing.jobId()).compose(known -> known ? Future.succeededFuture(existing.jobId())
          : store.rebindKey(key, existing, id, self).compose(won -> {
            if (won) {
              LOG.info("idempotency key of job " + existing.jobId() + " taken over by job " + id + ": the node that "
                  + "bound it left before storing the job");
              return Future.succeededFuture((String) null);
            }
            return bindKey(key, id);
          }));
    });
  }

  /** Whether the store knows a job at all: its spec, its directory entry or its final view. */
  private Future<Boolean> stored(String id) {
    return Future.all(store.durable(id), store.lookup(id), store.finalView(id))
        .map(all -> all.list().stream().anyMatch(java.util.Objects::nonNull));
  }

  private static JobStore.Entry lostEntry(JobStore.Entry entry) {
    return new JobStore.Entry(entry.summary().copy().put("status", "failed").put("error", "coordinator_lost")
        .put("message", "the node that coordinated this job left before it ended; submit it with async=true or an "
            + "Idempotency-Key to have the cluster keep it"));
  }
}
