package org.disruptor.job;

import io.vertx.core.Future;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.logging.Logger;
import org.disruptor.cluster.PeerView;

/**
 * What happens to a dead coordinator's jobs. Every node hears of the death and tries; the store's atomic
 * claims make exactly one node act on each job: a durable job (async, or keyed) is adopted and finished
 * there, keeping its id; a job that was not durable is recorded as failed ({@code coordinator_lost}), so
 * that it too ends and says how. A periodic sweep catches owners whose leave this node never heard, and an
 * idempotency key bound by a node that died before storing its job goes to the client's retry. A slower sweep
 * closes running jobs that were not durable and whose coordinator is no longer a member.
 */
final class Durability {

  private static final Logger LOG = Logger.getLogger("org.disruptor.job");

  private final PeerView peers;
  private final Coordinator coordinator;
  private final JobStore store;
  /** Running jobs that were not durable whose coordinator the last {@link #sweepLost()} found gone. */
  private Set<String> lostSuspects = Set.of();

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
    return Future.join(adopted, closeLost(dead::equals)).mapEmpty();
  }

  /**
   * Records as failed ({@code coordinator_lost}) every running job that was not durable and whose coordinator
   * {@code gone} says is gone; the directory's compare-and-set keeps it to one line per job in the logs.
   */
  private Future<Void> closeLost(Predicate<String> gone) {
    return store.entries().compose(entries -> closeLost(entries.stream()
        .filter(e -> !e.ended() && !e.durable() && e.coordinatorId() != null && gone.test(e.coordinatorId()))
        .toList()));
  }

  private Future<Void> closeLost(List<JobStore.Entry> lost) {
    return Future.join(lost.stream()
        .map(e -> store.replace(e, lostEntry(e)).onSuccess(won -> {
          if (won) {
            LOG.info("job " + e.id() + " failed: its coordinator " + e.summary().getString("coordinator")
                + " left, and it was not kept elsewhere (neither async nor keyed)");
          }
        })).toList()).mapEmpty();
  }

  /**
   * Running jobs that were not durable whose coordinator is no longer a member, whatever leave events this
   * node heard (a leave lost in a network split and merge, or an entry written while its node died): they
   * are recorded as failed, so no job is listed as running forever. Reads the whole directory, so it runs
   * less often than {@link #sweep()}.
   */
  Future<Void> sweepLost() {
    String self = peers.self().id();
    return store.entries().compose(entries -> {
      Set<String> seen = new HashSet<>();
      Set<String> again = new HashSet<>();
      for (JobStore.Entry e : entries) {
        if (!e.ended() && !e.durable() && e.coordinatorId() != null && !e.coordinatorId().equals(self)
            && !peers.member(e.coordinatorId())) {
          seen.add(e.id());
          if (lostSuspects.contains(e.id())) {
            again.add(e.id());
          }
        }
      }
      // a job is closed on its second sighting: never on a look taken while its coordinator was still joining
      seen.removeAll(again);
      lostSuspects = seen;
      return closeLost(entries.stream().filter(e -> again.contains(e.id())).toList());
    });
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
