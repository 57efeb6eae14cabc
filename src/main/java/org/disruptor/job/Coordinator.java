package org.disruptor.job;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.logging.Logger;
import org.disruptor.cluster.Peer;
import org.disruptor.cluster.PeerView;
import org.disruptor.job.PartMessages.PartDone;
import org.disruptor.job.PartMessages.PartFailed;
import org.disruptor.job.PartMessages.PartOutcome;
import org.disruptor.job.PartMessages.PartRefused;
import org.disruptor.job.PartMessages.PartRequest;
import org.disruptor.job.PartMessages.StopParts;

/**
 * The coordinator of the jobs submitted to this node, as a state machine: it places each part on a node
 * ({@link Placement}), sends it ({@link PartTransport}), counts each part's first result once, moves parts
 * off nodes that leave, fail to answer or refuse them ({@link Failover}, {@link Liveness}), runs the reduce
 * through the same part path on this node, and ends every job exactly once: completed, failed, timed out
 * or cancelled. Confined to one thread: in a node the event loop of the gateway, in unit tests the test
 * itself; every input is a method call or a future completing on that thread, and time comes from a
 * {@link Scheduler}, so a test can drive any interleaving of replies, leaves, timers and cancels.
 */
public final class Coordinator {

  private static final Logger LOG = Logger.getLogger("org.disruptor.job");

  /** {@code nodeWindow}: parts in flight per node; {@code uiProgressMs}: at most one page progress event per job per. */
  public record Settings(int maxAttempts, int nodeWindow, long silenceMs, long uiProgressMs) {
  }

  /** How long a job runs before it is written to the directory (most jobs end sooner, and are written once). */
  static final long DIRECTORY_DELAY_MS = 250;
  /** At most one progress write to the directory per job per this. */
  static final long DIRECTORY_PROGRESS_MS = 1_000;

  /**
   * How a job starts: its id (the caller may have bound it to an idempotency key already), and whether the
   * cluster keeps it durably (its spec was stored before it started; its parts store their results).
   */
  public record StartOptions(String id, boolean durable) {
    public static StartOptions fresh() {
      return new StartOptions(UUID.randomUUID().toString(), false);
    }
  }

  /** A running job's coordination state besides the {@link Job} itself. */
  private static final class Running {
    final Job job;
    final List<JobListener> listeners = new ArrayList<>();
    long deadlineTimer = -1;
    long lastUiNanos;
    /** The nodes a job limited to {@code nodes} N may use (at most N live ones); null: any with its labels. */
    java.util.Set<String> allowed;
    /** When the job was last written to the directory (0: not yet). */
    long publishedNanos;
    long directoryTimer = -1;
    /** Attempts of the reduce so far (0: not started). */
    int reduceAttempts;

    Running(Job job) {
      this.job = job;
    }
  }

  private final PeerView peers;
  private final PartTransport transport;
  private final Scheduler scheduler;
  private final Settings settings;
  private final CoordinatorMetrics metrics;
  private final Consumer<JsonObject> ui;
  private final JobHistory history;
  private final Placement placement;
  private final Liveness liveness;
  private final Failover failover;
  private final Map<String, Running> running = new HashMap<>();
  private final Offload offload;
  private final JobStore store;
  private java.util.function.ToIntFunction<String> reportedLoad = node -> 0;
  private java.util.function.ToLongFunction<String> heartbeats;
  private final Map<String, Long> lastHeartbeat = new HashMap<>();

  /** Runs CPU work off the coordinator's thread (a built-in reduce over megabytes of results). */
  @FunctionalInterface
  public interface Offload {
    Future<byte[]> run(java.util.concurrent.Callable<byte[]> work);

    /** On the calling thread: for tests. */
    Offload INLINE = work -> {
      try {
        return Future.succeededFuture(work.call());
      } catch (Exception e) {
        return Future.failedFuture(e);
      }
    };
  }

  /**
   * {@code ui} receives a short summary of each job event for the page (throttled for progress events);
   * {@code history} bounds what is kept of finished jobs.
   */
  public Coordinator(PeerView peers, PartTransport transport, Scheduler scheduler, Settings settings,
      CoordinatorMetrics metrics, Consumer<JsonObject> ui, int historySize, long historyResultBytes, Offload offload,
      JobStore store) {
    this.offload = offload;
    this.store = store;
    this.peers = peers;
    this.transport = transport;
    this.scheduler = scheduler;
    this.settings = settings;
    this.metrics = metrics;
    this.ui = ui;
    this.history = new JobHistory(historySize, historyResultBytes, job -> store.remove(job.id()));
    this.placement = new Placement(settings.nodeWindow());
    this.liveness = new Liveness(settings.silenceMs());
    this.failover = new Failover(settings.maxAttempts());
  }

  /**
   * Where liveness learns when each node was last heard from (epoch ms; the nodes' periodic stats): a node
   * whose heartbeat is newer than the last one seen answers; no ping per node is sent then.
   */
  public void heartbeats(java.util.function.ToLongFunction<String> lastHeardEpochMs) {
    this.heartbeats = lastHeardEpochMs;
  }

  /** Where placement learns each node's load as the node itself last reported it (running + queued parts). */
  public void reportedLoad(java.util.function.ToIntFunction<String> load) {
    this.reportedLoad = load;
  }

  public Job get(String id) {
    return history.get(id);
  }

  /** The most recent jobs first. */
  public List<Job> recent() {
    return history.recent();
  }

  public int runningJobs() {
    return history.running();
  }

  /** Parts waiting for room on some node. */
  public int parkedParts() {
    return placement.parked();
  }

  /** Parts of this coordinator in flight on a node. */
  public int inFlight(String nodeId) {
    return placement.inFlight(nodeId);
  }

  /** Starts a planned job: its `accepted` event first, then its parts go out. */
  public Job start(Planner.Plan plan, JobListener listener) {
    return start(plan, listener, StartOptions.fresh());
  }

  public Job start(Planner.Plan plan, JobListener listener, StartOptions options) {
    JobSpec spec = plan.spec();
    Job job = new Job(options.id(), spec, plan.inputs(), peers.self().address(), scheduler.epochMs(),
        options.durable(), 0);
    Running state = register(job, spec.timeoutMs());
    state.listeners.add(listener);
    if (job.durable()) {
      publish(state);
    } else {
      state.directoryTimer = scheduler.timer(DIRECTORY_DELAY_MS, () -> {
        if (!job.status().isFinal() && state.publishedNanos == 0) {
          publish(state);
        }
      });
    }
    // decide where every part goes before anything is sent: `accepted` (with the placement) is the first event
    List<Peer> targets = new ArrayList<>();
    List<Peer> broadcast = plan.placement().isEmpty() ? List.of() : leastLoaded(plan.placement().stream()
        .filter(p -> state.allowed == null || state.allowed.contains(p.id())).toList(), plan.inputs().size());
    for (int i = 0; i < plan.inputs().size(); i++) {
      Peer target = broadcast.isEmpty() ? pickFor(job, null) : broadcast.get(i);
      if (target == null) {
        job.pending(i);
        placement.park(new Placement.Waiting(job, i, null, null));
      } else {
        job.assign(i, target.id(), target.address());
        sent(target.id());
      }
      targets.add(target);
    }
    emit(job, "accepted", () -> accepted(job));
    for (int i = 0; i < targets.size(); i++) {
      if (targets.get(i) != null && !job.status().isFinal()) {
        send(job, i, targets.get(i));
      }
    }
    return job;
  }

  /** A job becomes this coordinator's: in the history, with its deadline ({@code leftMs} from now). */
  private Running register(Job job, long leftMs) {
    Running state = new Running(job);
    running.put(job.id(), state);
    history.add(job);
    if (job.spec().nodes() != null) {
      state.allowed = new java.util.LinkedHashSet<>();
      widen(state);
    }
    state.deadlineTimer = scheduler.timer(Math.max(1, leftMs), () -> {
      finish(job, JobStatus.TIMED_OUT, null, deadlineError(job), waitingFor(job, state.reduceAttempts));
    });
    return state;
  }

  /**
   * What a job past its deadline was still waiting for, for the operator's log line: its reduce here, or its
   * unfinished parts and where they were last sent (the client gets the deadline error alone).
   */
  static String waitingFor(Job job, int reduceAttempts) {
    if (reduceAttempts > 0) {
      return "waiting for its reduce on this node (attempt " + reduceAttempts + ")";
    }
    List<String> open = new ArrayList<>();
    for (int i = 0; i < job.parts().size(); i++) {
      Job.Part part = job.part(i);
      if (!part.done()) {
        open.add(i + (part.attempts() == 0 ? " (not sent)" : " on " + part.node() + " (attempt " + part.attempts() + ")"));
      }
    }
    int shown = Math.min(open.size(), 8);
    return "waiting for part(s) " + String.join(", ", open.subList(0, shown))
        + (open.size() > shown ? " and " + (open.size() - shown) + " more" : "");
  }

  /**
   * The one error of a job past its deadline, however the deadline was noticed: by this coordinator's timer,
   * or by a part's own deadline guard whose report arrives a moment before the timer fires.
   */
  private static JobError deadlineError(Job job) {
    return new JobError("timed_out", "the job did not finish within its deadline of " + job.spec().timeoutMs()
        + " ms (the job's timeoutMs; jobTimeoutMs by default, at most maxJobTimeoutMs)");
  }

  /**
   * How a part's (or the reduce's) failure ends the job. A part stopped for the job's deadline did not fail
   * by its own code: the job times out exactly as the deadline timer would end it (its error, every part
   * {@code stopped}), so the race between a part's deadline guard and the timer has one outcome.
   */
  private void failedBy(Job job, int index, PartFailed failed) {
    if ("timed_out".equals(failed.code())) {
      finish(job, JobStatus.TIMED_OUT, null, deadlineError(job));
      return;
    }
    if (index != PartMessages.REDUCE) {
      job.failed(index);
    }
    finish(job, Failover.statusOf(failed.code()), null, Failover.errorOf(failed));
  }

  /**
   * Takes over a durable job whose coordinator died: same id, age and deadline; the parts whose results the
   * store holds count as done (each once), the others run again, then the reduce. The caller has claimed the
   * job in the store, so exactly one node adopts it.
   */
  public Job adopt(JobStore.Durable durable, Map<Integer, JobStore.StoredPart> done) {
    long age = Math.max(0, scheduler.epochMs() - durable.createdAt());
    Job job = new Job(durable.id(), durable.spec(), durable.inputs(), peers.self().address(), durable.createdAt(), true,
        age);
    done.forEach((index, part) -> job.complete(index, part.node(), part.result(), 0, List.of()));
    Running state = register(job, durable.spec().timeoutMs() - age);
    publish(state);
    LOG.info("adopted job " + job.id() + ": " + done.size() + " of " + job.parts().size()
        + " part(s) already done, the rest run again");
    emit(job, "adopted", () -> new JsonObject().put("type", "adopted").put("id", job.id())
        .put("coordinator", peers.self().address()).put("done", job.doneCount()).encode());
    if (job.allDone()) {
      collect(job);
      return job;
    }
    for (Job.Part part : job.parts()) {
      if (!part.done() && !job.status().isFinal()) {
        place(job, part.index(), null, null);
      }
    }
    return job;
  }

  /** The job's directory entry: its summary, who coordinates it, and how it ended. */
  private JobStore.Entry entry(Job job) {
    JsonObject summary = job.summary().put("coordinatorId", peers.self().id());
    if (job.error() != null) {
      summary.put("error", job.error().code()).put("message", job.error().getMessage());
    }
    return new JobStore.Entry(summary);
  }

  private void publish(Running state) {
    state.publishedNanos = scheduler.nanoTime();
    if (state.job.durable()) {
      store.publishDurable(entry(state.job), peers.self().id());
    } else {
      store.publish(entry(state.job));
    }
  }

  private String accepted(Job job) {
    Set<String> nodes = new LinkedHashSet<>();
    JsonArray placed = new JsonArray();
    for (Job.Part part : job.parts()) {
      String address = part.nodeId() == null || part.pending() ? null : part.node();
      if (address != null) {
        nodes.add(address);
      }
      placed.add(address);
    }
    return new JsonObject().put("type", "accepted").put("id", job.id())
        .put("mode", job.spec().mode().name().toLowerCase(Locale.ROOT)).put("partitions", job.parts().size())
        .put("nodes", new JsonArray(new ArrayList<>(nodes))).put("placement", placed)
        .put("createdAt", job.createdAt()).put("coordinator", peers.self().address()).encode();
  }

  /** Adds a listener to a running job (e.g. a second WebSocket watching it); false when it is not running. */
  public boolean listen(String id, JobListener listener) {
    Running state = running.get(id);
    if (state == null) {
      return false;
    }
    state.listeners.add(listener);
    return true;
  }

  /** Removes a listener added with {@link #listen}. */
  public void unlisten(String id, JobListener listener) {
    Running state = running.get(id);
    if (state != null) {
      state.listeners.remove(listener);
    }
  }

  /** Cancels a running job; false when it is unknown or already ended. */
  public boolean cancel(String id) {
    Job job = history.get(id);
    return job != null && finish(job, JobStatus.CANCELLED, null, new JobError("cancelled", "the job was cancelled"));
  }

  /** The live nodes a job may run on: those with its labels, and of those its chosen ones when it is limited. */
  private List<Peer> eligible(Job job) {
    Running state = running.get(job.id());
    java.util.Set<String> allowed = state == null ? null : state.allowed;
    List<String> labels = job.spec().labels();
    return peers.peers().stream().filter(p -> p.has(labels) && (allowed == null || allowed.contains(p.id()))).toList();
  }

  /** The {@code count} least loaded of {@code candidates} (by this coordinator's parts in flight and reported load). */
  private List<Peer> leastLoaded(List<Peer> candidates, int count) {
    return placement.leastLoaded(candidates, count, this::load);
  }

  private int load(String nodeId) {
    return Math.max(placement.inFlight(nodeId), reportedLoad.applyAsInt(nodeId));
  }

  /**
   * A job limited to N nodes keeps using the live ones it chose; when some are gone it takes the least
   * loaded others with its labels, so it never spans more than N live nodes at once.
   */
  private void widen(Running state) {
    java.util.Set<String> live = new java.util.HashSet<>();
    peers.peers().forEach(p -> live.add(p.id()));
    state.allowed.retainAll(live);
    int wanted = state.job.spec().nodes() - state.allowed.size();
    if (wanted > 0) {
      List<Peer> others = peers.peers().stream().filter(p -> p.has(state.job.spec().labels())
          && !state.allowed.contains(p.id())).toList();
      leastLoaded(others, wanted).forEach(p -> state.allowed.add(p.id()));
    }
  }

  private Peer pickFor(Job job, String avoid) {
    Running state = running.get(job.id());
    if (state != null && state.allowed != null) {
      widen(state);
    }
    return placement.pick(eligible(job), avoid, liveness::suspect, reportedLoad);
  }

  /** Sends a part to the least loaded node with room, or parks it until one has. */
  private void place(Job job, int index, String avoid, String reason) {
    Peer target = pickFor(job, avoid);
    if (target == null) {
      job.pending(index);
      placement.park(new Placement.Waiting(job, index, avoid, reason));
    } else {
      dispatch(job, index, target, reason);
    }
  }

  /** Sends parked parts while nodes have room. */
  private void drain() {
    for (Placement.Waiting next = placement.peekWanted(); next != null; next = placement.peekWanted()) {
      Peer target = pickFor(next.job(), next.avoid());
      if (target == null) {
        return;
      }
      placement.pollParked();
      dispatch(next.job(), next.index(), target, next.reason());
    }
  }

  /** A new attempt of a part on {@code target}; {@code reason} is why it moved (null on its first attempt). */
  private void dispatch(Job job, int index, Peer target, String reason) {
    Job.Part part = job.part(index);
    String from = part.nodeId();
    int previous = part.attempts();
    job.assign(index, target.id(), target.address());
    sent(target.id());
    if (reason != null) {
      metrics.retry(reason);
      if (from != null && previous > 0) {
        // the previous holder may still be running it (frozen, then thawed): stop that copy only
        transport.stop(from, new StopParts(job.id(), index, previous, "cancelled"));
      }
      int attempt = part.attempts();
      emit(job, "retry", () -> new JsonObject().put("type", "retry").put("id", job.id()).put("index", index)
          .put("from", from == null ? null : peers.addressOf(from)).put("to", target.address()).put("reason", reason)
          .put("attempt", attempt).put("at", scheduler.epochMs()).encode());
    }
    send(job, index, target);
  }

  /** Sends the part's current attempt (already assigned to {@code target}) and handles its outcome. */
  private void send(Job job, int index, Peer target) {
    Job.Part part = job.part(index);
    int attempt = part.attempts();
    long remaining = Math.max(1, job.spec().timeoutMs() - job.elapsedMs());
    PartRequest request = new PartRequest(job.id(), peers.self().id(), index, attempt, job.parts().size(),
        job.spec().code(), part.input(), remaining, job.durable(), job.spec().modules());
    transport.run(target.id(), request, remaining + 2_000).onComplete(ar -> {
      placement.answered(target.id());
      if (ar.succeeded()) {
        heard(target.id());
        onOutcome(job, index, attempt, ar.result());
      } else {
        String reason = ar.cause() instanceof PartTransport.Unreachable u ? u.reason() : "node_error";
        retry(job, index, attempt, reason, target.id());
      }
      drain();
    });
  }

  /** Counts a part sent to a node; a node's silence is counted from its first part in flight. */
  private void sent(String nodeId) {
    if (placement.sent(nodeId)) {
      liveness.expecting(nodeId, scheduler.nanoTime());
    }
  }

  private void heard(String nodeId) {
    if (liveness.heard(nodeId, scheduler.nanoTime())) {
      LOG.info("node " + peers.addressOf(nodeId) + " answers again");
    }
  }

  private void onOutcome(Job job, int index, int attempt, PartOutcome outcome) {
    switch (outcome) {
      case PartDone done -> {
        if (job.complete(index, done.node(), done.result(), done.elapsedMs(), done.logs(), done.startedAt(),
            done.endedAt())) {
          emit(job, "partition", () -> job.partEvent(job.part(index)));
          Running state = running.get(job.id());
          if (state != null && state.publishedNanos != 0
              && scheduler.nanoTime() - state.publishedNanos >= DIRECTORY_PROGRESS_MS * 1_000_000) {
            publish(state);
          }
          if (job.allDone()) {
            collect(job);
          }
        }
      }
      case PartFailed failed -> {
        if (!stale(job, index, attempt)) {
          failedBy(job, index, failed);
        }
      }
      case PartRefused refused -> retry(job, index, attempt, Failover.reasonOf(refused), null);
    }
  }

  /** Whether an answer about attempt {@code attempt} of a part comes too late to matter. */
  private static boolean stale(Job job, int index, int attempt) {
    Job.Part part = job.part(index);
    return job.status().isFinal() || part.done() || part.attempts() != attempt;
  }

  /**
   * Attempt {@code attempt} of a part could not run: place it again (elsewhere when possible), or fail the
   * job when its tries are used up. {@code from}: the node it is moving off, to avoid.
   */
  private void retry(Job job, int index, int attempt, String reason, String from) {
    if (stale(job, index, attempt)) {
      return;
    }
    Job.Part part = job.part(index);
    Failover.Next next = failover.retry(index, part.attempts(), reason);
    if (next instanceof Failover.GiveUp giveUp) {
      finish(job, JobStatus.FAILED, null, giveUp.error());
      return;
    }
    if (peers.peers().isEmpty()) {
      finish(job, JobStatus.FAILED, null, new JobError("no_nodes", "no live node can take part " + index));
      return;
    }
    long delay = ((Failover.Again) next).delayMs();
    String avoid = from != null ? from : part.nodeId();
    job.pending(index);
    if (delay == 0) {
      place(job, index, avoid, reason);
    } else {
      scheduler.timer(delay, () -> {
        if (!job.status().isFinal() && !part.done()) {
          place(job, index, avoid, reason);
        }
      });
    }
  }

  /** A node left the cluster: its unfinished parts run elsewhere. */
  public void onPeerLeft(String nodeId) {
    liveness.forget(nodeId);
    moveParts(nodeId, Failover.NODE_LEFT);
  }

  private void moveParts(String nodeId, String reason) {
    for (Running state : List.copyOf(running.values())) {
      Job job = state.job;
      for (Job.Part part : job.parts()) {
        if (!job.status().isFinal() && !part.done() && !part.pending() && nodeId.equals(part.nodeId())) {
          retry(job, part.index(), part.attempts(), reason, nodeId);
        }
      }
    }
  }

  /**
   * The liveness round, every second or so: nodes holding parts are pinged, and one silent for
   * {@code silenceMs} has its parts moved and is avoided until it answers again.
   */
  public void checkLiveness(long pingTimeoutMs) {
    long now = scheduler.nanoTime();
    String self = peers.self().id();
    List<String> holders = placement.holders().stream().filter(n -> !n.equals(self)).toList();
    for (String node : holders) {
      if (heartbeats == null) {
        transport.ping(node, pingTimeoutMs).onSuccess(v -> heard(node));
        continue;
      }
      long beat = heartbeats.applyAsLong(node);
      Long previous = lastHeartbeat.put(node, beat);
      if (previous != null && beat > previous) {
        heard(node);
      }
    }
    lastHeartbeat.keySet().retainAll(holders);
    for (String node : liveness.newlySilent(holders, now)) {
      LOG.info("node " + peers.addressOf(node) + " silent for " + liveness.silentMs(node, now)
          + " ms: moving its parts");
      moveParts(node, Failover.NODE_UNRESPONSIVE);
    }
  }

  /** All parts are in: the reduce, when the job has one, runs on this node through the part path. */
  private void collect(Job job) {
    String reduce = job.spec().reduce();
    if (reduce == null) {
      finish(job, JobStatus.COMPLETED, job.resultsArray(), null);
    } else if (BuiltinReduce.isBuiltin(reduce)) {
      List<byte[]> results = job.results();
      offload.run(() -> BuiltinReduce.apply(reduce, results)).onComplete(ar -> {
        if (ar.succeeded()) {
          finish(job, JobStatus.COMPLETED, ar.result(), null);
        } else {
          finish(job, JobStatus.FAILED, null, ar.cause() instanceof JobError e ? e
              : new JobError("job_error", "reduce \"" + reduce + "\" failed: " + ar.cause().getMessage()));
        }
      });
    } else {
      reduce(job, job.resultsArray());
    }
  }

  private void reduce(Job job, byte[] results) {
    Running state = running.get(job.id());
    if (state == null) {
      return;
    }
    int attempt = ++state.reduceAttempts;
    Peer self = peers.self();
    long remaining = Math.max(1, job.spec().timeoutMs() - job.elapsedMs());
    PartRequest request = new PartRequest(job.id(), self.id(), PartMessages.REDUCE, attempt, job.parts().size(),
        job.spec().reduce(), results, remaining, false, job.spec().modules());
    transport.run(self.id(), request, remaining + 2_000).onComplete(ar -> {
      if (job.status().isFinal()) {
        return;
      }
      PartOutcome outcome = ar.succeeded() ? ar.result()
          : new PartRefused(PartMessages.REDUCE, attempt, self.address(), "unreachable");
      switch (outcome) {
        case PartDone done -> finish(job, JobStatus.COMPLETED, done.result(), null);
        case PartFailed failed -> failedBy(job, PartMessages.REDUCE, failed);
        case PartRefused refused -> {
          Failover.Next next = failover.retry(PartMessages.REDUCE, attempt, Failover.reasonOf(refused));
          if (next instanceof Failover.GiveUp giveUp) {
            finish(job, JobStatus.FAILED, null, giveUp.error());
          } else {
            scheduler.timer(((Failover.Again) next).delayMs(), () -> reduce(job, results));
          }
        }
      }
    });
  }

  private boolean finish(Job job, JobStatus status, byte[] result, JobError error) {
    return finish(job, status, result, error, null);
  }

  /** {@code logDetail}: said after the error in the log line of a job that did not complete (null: nothing). */
  private boolean finish(Job job, JobStatus status, byte[] result, JobError error, String logDetail) {
    if (!job.finish(status, result, error)) {
      return false;
    }
    Running state = running.remove(job.id());
    if (state != null) {
      scheduler.cancel(state.deadlineTimer);
      scheduler.cancel(state.directoryTimer);
    }
    if (status != JobStatus.COMPLETED) {
      stopEverywhere(job, state, status == JobStatus.TIMED_OUT ? "timed_out" : "cancelled");
    }
    if (job.durable()) {
      store.finishDurable(entry(job), job.viewBuffer().getBytes(), peers.self().id(), job.parts().size());
    } else {
      store.publish(entry(job));
    }
    history.ended(job);
    metrics.jobEnded(status, job.elapsedMs());
    if (status != JobStatus.COMPLETED) {
      LOG.info("job " + job.id() + " " + status.wire() + ": " + error.getMessage()
          + (logDetail == null ? "" : "; " + logDetail));
    }
    emit(job, status.wire(), () -> "{\"type\":\"" + status.wire() + "\"," + job.view().substring(1), state);
    return true;
  }

  /** Stops the job's unfinished parts on every node holding one (and its reduce here). */
  private void stopEverywhere(Job job, Running state, String reason) {
    Set<String> holders = new LinkedHashSet<>();
    for (Job.Part part : job.parts()) {
      if (!part.done() && part.nodeId() != null && part.attempts() > 0) {
        holders.add(part.nodeId());
      }
    }
    if (state != null && state.reduceAttempts > 0) {
      holders.add(peers.self().id());
    }
    StopParts stop = StopParts.all(job.id(), reason);
    holders.forEach(node -> transport.stop(node, stop));
  }

  private void emit(Job job, String type, Supplier<String> json) {
    emit(job, type, json, running.get(job.id()));
  }

  /**
   * Tells the job's listeners (the JSON is built at most once, and only if one asks) and the page. The
   * page gets at most one progress event per job every {@code uiProgressMs}: it shows counts, and a
   * 1,000-part job need not cost 1,000 publications.
   */
  private void emit(Job job, String type, Supplier<String> json, Running state) {
    if (state == null) {
      return;
    }
    Supplier<String> once = new Supplier<>() {
      private String text;

      @Override
      public String get() {
        return text != null ? text : (text = json.get());
      }
    };
    for (JobListener listener : List.copyOf(state.listeners)) {
      listener.onEvent(job, type, once);
    }
    long now = scheduler.nanoTime();
    if (type.equals("partition") && !job.allDone()
        && now - state.lastUiNanos < settings.uiProgressMs() * 1_000_000 && state.lastUiNanos != 0) {
      return;
    }
    state.lastUiNanos = now;
    ui.accept(job.summary().put("event", type));
  }
}
