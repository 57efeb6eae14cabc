package org.disruptor.job;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Logger;
import org.disruptor.Addresses;
import org.disruptor.cluster.Peer;
import org.disruptor.cluster.PeerRegistry;
import org.disruptor.job.PartMessages.PartReply;
import org.disruptor.job.PartMessages.PartRequest;
import org.disruptor.sandbox.RunHandle;
import org.disruptor.sandbox.JsEngine;
import org.disruptor.sandbox.PartTask;
import org.disruptor.sandbox.SandboxException;

/**
 * Coordinates the jobs submitted to this node: plans parts, sends each to a node's own address, collects
 * the replies into the job's {@link Job} state, moves parts off nodes that leave or fail, runs the reduce
 * and ends every job exactly once (completed, failed, timed out or cancelled). Confined to the event loop
 * of the verticle that created it.
 */
public final class JobService {

  private static final Logger LOG = Logger.getLogger("org.disruptor.job");
  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);
  private static final long LIVENESS_PERIOD_MS = 1_000;
  private static final long UI_PROGRESS_MS = 100;
  /** Job texts this long are decoded and sliced on a worker thread. */
  public static final int OFFLOAD_CHARS = 64 * 1024;

  private final Vertx vertx;
  private final java.util.function.Function<PartRequest, Future<PartReply>> local;
  private final PeerRegistry registry;
  private final JsEngine sandbox;
  private final NodeCounters counters;
  private final JobSpec.Limits limits;
  private final int historySize;
  private final long historyResultBytes;
  private long resultBytes;
  private final int maxAttempts;
  private final WorkerExecutor pool;
  private final Map<String, Job> jobs = new LinkedHashMap<>();
  private final Map<String, List<JobListener>> listeners = new HashMap<>();
  private final Map<String, Long> deadlines = new HashMap<>();
  private final Map<String, Long> uiProgress = new HashMap<>();
  private final Map<String, Integer> inFlight = new HashMap<>();
  private final java.util.ArrayDeque<Waiting> waiting = new java.util.ArrayDeque<>();
  private final int nodeWindow;
  private final Map<String, Long> lastHeard = new HashMap<>();
  private final Set<String> suspects = new java.util.HashSet<>();
  private final long silenceMs;
  private int nextNode;

  /**
   * {@code local} runs a part on this node without the event bus (the coordinator's own share of a job);
   * parts for other nodes go to their address.
   */
  public JobService(Vertx vertx, PeerRegistry registry, JsEngine sandbox, NodeCounters counters, JsonObject conf,
      java.util.function.Function<PartRequest, Future<PartReply>> local) {
    this.local = local;
    this.vertx = vertx;
    this.registry = registry;
    this.sandbox = sandbox;
    this.counters = counters;
    this.limits = JobSpec.Limits.from(conf);
    this.historySize = conf.getInteger("historySize");
    this.historyResultBytes = conf.getLong("historyResultBytes");
    this.maxAttempts = conf.getInteger("maxAttempts");
    this.pool = vertx.createSharedWorkerExecutor(WorkerVerticle.POOL, WorkerVerticle.threads(conf), 1, TimeUnit.DAYS);
    this.silenceMs = conf.getLong("nodeSilenceMs");
    // what one coordinator may keep in flight on a node: its workers and half its queue (other coordinators
    // share the rest)
    this.nodeWindow = WorkerVerticle.threads(conf) + Math.max(1, conf.getInteger("maxQueuedParts") / 2);
    vertx.eventBus().<String>localConsumer(PeerRegistry.PEER_LEFT, this::onPeerLeft);
    vertx.setPeriodic(LIVENESS_PERIOD_MS, t -> checkLiveness());
  }

  /** A part waiting for room on some node. */
  private record Waiting(Job job, int index, String avoid, String reason) {
  }

  public JobSpec.Limits limits() {
    return limits;
  }

  public Job get(String id) {
    return jobs.get(id);
  }

  /** The most recent jobs first. */
  public List<Job> recent() {
    List<Job> list = new ArrayList<>(jobs.values());
    java.util.Collections.reverse(list);
    return list;
  }

  public long running() {
    return jobs.values().stream().filter(j -> !j.status().isFinal()).count();
  }

  /** A job parsed and sliced, ready to start: the CPU-heavy half of a submission, safe on any thread. */
  private record Plan(JobSpec spec, List<byte[]> inputs, List<Peer> placement) {
  }

  /**
   * Parses, plans and starts a job. Decoding and slicing a large body is CPU work: from
   * {@value #OFFLOAD_CHARS} characters on it runs on a worker thread, never on the event loop. Fails with
   * {@link JobError} for bad input or when no node can take the job (no_nodes).
   */
  public Future<Job> submit(Callable<JobSpec> parse, int size, JobListener listener) {
    if (size < OFFLOAD_CHARS) {
      try {
        return Future.succeededFuture(start(plan(parse.call()), listener));
      } catch (Exception e) {
        return Future.failedFuture(e);
      }
    }
    return vertx.executeBlocking(() -> plan(parse.call()), false).map(plan -> start(plan, listener));
  }

  private Plan plan(JobSpec spec) {
    List<Peer> peers = registry.peers();
    if (peers.isEmpty()) {
      throw new JobError("no_nodes", "no live node can take the job");
    }
    List<byte[]> inputs = new ArrayList<>();
    List<Peer> placement = new ArrayList<>();
    if (spec.mode() == JobSpec.Mode.BROADCAST) {
      byte[] whole = spec.data().text();
      for (Peer peer : peers) {
        inputs.add(whole);
        placement.add(peer);
      }
    } else {
      JobSpec.Data data = spec.data();
      int parts = spec.partitions() != null ? spec.partitions() : peers.size();
      for (Slicer.Slice slice : Slicer.slices(data.size(), parts)) {
        inputs.add(data.slice(slice.from(), slice.to()));
      }
    }
    return new Plan(spec.withoutData(), inputs, placement);
  }

  private Job start(Plan plan, JobListener listener) {
    JobSpec spec = plan.spec();
    List<byte[]> inputs = plan.inputs();
    List<Peer> placement = plan.placement();
    Job job = new Job(UUID.randomUUID().toString(), spec, inputs);
    jobs.put(job.id(), job);
    trimHistory();
    List<JobListener> jobListeners = new ArrayList<>();
    jobListeners.add(listener);
    listeners.put(job.id(), jobListeners);
    deadlines.put(job.id(), vertx.setTimer(spec.timeoutMs(), t -> finish(job, JobStatus.TIMED_OUT, null,
        new JobError("timed_out", "the job did not finish within its deadline of " + spec.timeoutMs() + " ms"))));
    for (int i = 0; i < inputs.size(); i++) {
      if (placement.isEmpty()) {
        place(job, i, null, null);
      } else {
        dispatch(job, i, placement.get(i), null);
      }
    }
    Set<String> nodes = new LinkedHashSet<>();
    JsonArray placed = new JsonArray();
    job.parts().forEach(p -> {
      String address = p.nodeId() == null ? null : registry.addressOf(p.nodeId());
      if (address != null) {
        nodes.add(address);
      }
      placed.add(address);
    });
    emit(job, "accepted", () -> new JsonObject().put("type", "accepted").put("id", job.id())
        .put("mode", spec.mode().name().toLowerCase(java.util.Locale.ROOT))
        .put("partitions", inputs.size()).put("nodes", new JsonArray(new ArrayList<>(nodes)))
        .put("placement", placed).encode());
    return job;
  }

  /** Adds a listener to a running job (e.g. a second WebSocket watching it). */
  public void listen(String id, JobListener listener) {
    List<JobListener> list = listeners.get(id);
    if (list != null) {
      list.add(listener);
    }
  }

  /** Cancels a running job; false when it is unknown or already ended. */
  public boolean cancel(String id) {
    Job job = jobs.get(id);
    return job != null && finish(job, JobStatus.CANCELLED, null, new JobError("cancelled", "the job was cancelled"));
  }

  private Peer pick(List<Peer> peers, String avoid) {
    Peer best = null;
    int bestLoad = Integer.MAX_VALUE;
    int n = peers.size();
    for (int k = 0; k < n; k++) {
      Peer peer = peers.get((nextNode + k) % n);
      int load = inFlight.getOrDefault(peer.id(), 0) + (peer.id().equals(avoid) ? 1_000_000 : 0)
          + (suspects.contains(peer.id()) ? 2_000_000 : 0);
      if (load < bestLoad) {
        best = peer;
        bestLoad = load;
      }
    }
    nextNode = (nextNode + 1) % Math.max(1, n);
    return best;
  }

  /**
   * Sends a part to the least loaded node that has room in its window, or queues it here until one has:
   * a job of 1,024 parts on one node must not overrun that node's bounded queue and come back as 429.
   */
  private void place(Job job, int index, String avoid, String reason) {
    Peer target = pick(registry.peers(), avoid);
    if (target == null || inFlight.getOrDefault(target.id(), 0) >= nodeWindow) {
      waiting.add(new Waiting(job, index, avoid, reason));
    } else {
      dispatch(job, index, target, reason);
    }
  }

  /** Sends queued parts while nodes have room; parts of ended jobs are dropped. */
  private void drain() {
    while (!waiting.isEmpty()) {
      Waiting next = waiting.peek();
      if (next.job().status().isFinal() || next.job().part(next.index()).done()) {
        waiting.poll();
        continue;
      }
      Peer target = pick(registry.peers(), next.avoid());
      if (target == null || inFlight.getOrDefault(target.id(), 0) >= nodeWindow) {
        return;
      }
      waiting.poll();
      dispatch(next.job(), next.index(), target, next.reason());
    }
  }

  private void dispatch(Job job, int index, Peer target, String reason) {
    Job.Part part = job.part(index);
    String from = part.nodeId();
    int attempt = job.assign(index, target.id(), target.address());
    if (reason != null) {
      counters.retry(reason);
      if (from != null && !from.equals(target.id())) {
        // the previous holder may still be running it (frozen, then thawed): stop that copy
        vertx.eventBus().send(Addresses.cancel(from), new JsonObject().put("jobId", job.id()).put("index", index)
            .put("reason", "cancelled"));
      }
      emit(job, "retry", () -> new JsonObject().put("type", "retry").put("id", job.id()).put("index", index)
          .put("from", registry.addressOf(from)).put("to", target.address()).put("reason", reason)
          .put("attempt", attempt).encode());
    }
    long remaining = job.spec().timeoutMs() - job.elapsedMs();
    PartRequest message = new PartRequest(job.id(), registry.self().id(), index, job.parts().size(),
        job.spec().code(), part.input(), Math.max(1, remaining));
    if (inFlight.merge(target.id(), 1, Integer::sum) == 1) {
      lastHeard.put(target.id(), System.nanoTime());
    }
    Future<PartReply> reply = target.id().equals(registry.self().id()) ? local.apply(message)
        : vertx.eventBus().<PartReply>request(Addresses.parts(target.id()), message,
            new DeliveryOptions().setSendTimeout(Math.max(1, remaining) + 2_000)).map(Message::body);
    reply.onComplete(ar -> {
      inFlight.merge(target.id(), -1, Integer::sum);
      if (ar.succeeded()) {
        onPartResult(job, ar.result());
      } else {
        onPartFailure(job, index, attempt, target, ar.cause());
      }
      drain();
    });
  }

  private void onPartResult(Job job, PartReply body) {
    int index = body.index();
    if (!job.complete(index, body.node(), body.result(), body.elapsedMs(), body.logs())) {
      return;
    }
    emit(job, "partition", () -> job.partEvent(job.part(index)));
    if (job.allDone()) {
      collect(job);
    }
  }

  private void onPartFailure(Job job, int index, int attempt, Peer target, Throwable cause) {
    Job.Part part = job.part(index);
    if (job.status().isFinal() || part.done() || part.attempts() != attempt) {
      return;
    }
    if (cause instanceof ReplyException re && re.failureType() == ReplyFailure.RECIPIENT_FAILURE
        && re.failureCode() != 429) {
      JobError error = JobError.fromJson(new JsonObject(re.getMessage()));
      finish(job, error.code().equals("timed_out") ? JobStatus.TIMED_OUT
          : error.code().equals("cancelled") ? JobStatus.CANCELLED : JobStatus.FAILED, null, error);
      return;
    }
    String reason = cause instanceof ReplyException re
        ? switch (re.failureType()) {
          case NO_HANDLERS -> "node_unavailable";
          case TIMEOUT -> "node_timeout";
          case RECIPIENT_FAILURE -> "saturated";
          default -> "node_error";
        }
        : "node_error";
    retry(job, index, reason, target.id());
  }

  private void retry(Job job, int index, String reason, String from) {
    Job.Part part = job.part(index);
    if (job.status().isFinal() || part.done()) {
      return;
    }
    if (part.attempts() >= maxAttempts) {
      String code = reason.equals("saturated") ? "saturated" : "no_nodes";
      finish(job, JobStatus.FAILED, null, new JobError(code, "part " + index + " could not run after "
          + part.attempts() + " attempts (last: " + reason + ")", new JsonObject().put("partition", index)));
      return;
    }
    List<Peer> peers = registry.peers();
    if (peers.isEmpty()) {
      finish(job, JobStatus.FAILED, null, new JobError("no_nodes", "no live node can take part " + index));
      return;
    }
    long delay = reason.equals("saturated") ? 50L * part.attempts() : 0;
    if (delay == 0) {
      place(job, index, from, reason);
    } else {
      vertx.setTimer(delay, t -> {
        if (!job.status().isFinal()) {
          place(job, index, from, reason);
        }
      });
    }
  }

  private void onPeerLeft(Message<String> message) {
    suspects.remove(message.body());
    lastHeard.remove(message.body());
    moveParts(message.body(), "node_left");
  }

  private void moveParts(String node, String reason) {
    for (Job job : List.copyOf(jobs.values())) {
      if (job.status().isFinal()) {
        continue;
      }
      for (Job.Part part : job.parts()) {
        if (!part.done() && node.equals(part.nodeId())) {
          retry(job, part.index(), reason, node);
        }
      }
    }
  }

  /**
   * A node that stops answering without leaving (frozen, overloaded) must not hang jobs until Hazelcast
   * declares it dead: nodes holding parts are pinged, and one silent for {@code nodeSilenceMs} has its
   * parts moved and is avoided until it answers again.
   */
  private void checkLiveness() {
    long now = System.nanoTime();
    for (Map.Entry<String, Integer> entry : List.copyOf(inFlight.entrySet())) {
      String node = entry.getKey();
      if (entry.getValue() <= 0 || node.equals(registry.self().id())) {
        continue;
      }
      vertx.eventBus().request(Addresses.stats(node), null, new DeliveryOptions().setSendTimeout(LIVENESS_PERIOD_MS))
          .onSuccess(m -> {
            lastHeard.put(node, System.nanoTime());
            if (suspects.remove(node)) {
              LOG.info("node " + registry.addressOf(node) + " answers again");
            }
          });
      long silent = TimeUnit.NANOSECONDS.toMillis(now - lastHeard.getOrDefault(node, now));
      if (silent > silenceMs && suspects.add(node)) {
        LOG.info("node " + registry.addressOf(node) + " silent for " + silent + " ms: moving its parts");
        moveParts(node, "node_unresponsive");
      }
    }
  }

  /** All parts are in: reduce on this node when asked, then complete. */
  private void collect(Job job) {
    byte[] results = job.resultsArray();
    String reduce = job.spec().reduce();
    if (reduce == null) {
      finish(job, JobStatus.COMPLETED, results, null);
      return;
    }
    String ctx = new JsonObject().put("jobId", job.id()).put("node", registry.self().address())
        .put("partition", -1).put("partitions", job.parts().size()).encode();
    RunHandle handle = new RunHandle();
    listen(job.id(), (j, type, json) -> handle.stop(type.equals("timed_out") ? "timed_out" : "cancelled"));
    long remaining = Math.max(1, job.spec().timeoutMs() - job.elapsedMs());
    pool.executeBlocking(() -> sandbox.run(new PartTask(reduce, results, ctx, remaining,
        sandbox.limits().partTimeLimitMs()), handle), false)
        .onComplete(ar -> {
          if (ar.succeeded()) {
            finish(job, JobStatus.COMPLETED, ar.result().json(), null);
          } else if (ar.cause() instanceof SandboxException e) {
            JsonObject details = new JsonObject().put("stage", "reduce").put("node", registry.self().address());
            if (e.line() != null) {
              details.put("line", e.line()).put("column", e.column());
            }
            finish(job, JobStatus.FAILED, null, new JobError(e.code(), "reduce: " + e.getMessage(), details));
          } else {
            finish(job, JobStatus.FAILED, null, new JobError("job_error", "reduce: " + ar.cause().getMessage()));
          }
        });
  }

  private boolean finish(Job job, JobStatus status, byte[] result, JobError error) {
    if (!job.finish(status, result, error)) {
      return false;
    }
    Long timer = deadlines.remove(job.id());
    if (timer != null) {
      vertx.cancelTimer(timer);
    }
    if (status != JobStatus.COMPLETED) {
      Set<String> holders = new LinkedHashSet<>();
      job.parts().stream().filter(p -> !p.done() && p.nodeId() != null).forEach(p -> holders.add(p.nodeId()));
      JsonObject stop = new JsonObject().put("jobId", job.id()).put("reason", status == JobStatus.TIMED_OUT
          ? "timed_out" : "cancelled");
      holders.forEach(node -> vertx.eventBus().send(Addresses.cancel(node), stop));
    }
    resultBytes += job.resultBytes();
    counters.jobEnded(status, job.elapsedMs());
    if (status != JobStatus.COMPLETED) {
      LOG.info("job " + job.id() + " " + status.wire() + ": " + error.getMessage());
    }
    emit(job, status.wire(), () -> "{\"type\":\"" + status.wire() + "\"," + job.view().substring(1));
    listeners.remove(job.id());
    trimHistory();
    return true;
  }

  /**
   * Tells the job's listeners (the JSON is built at most once, and only if one asks) and the page. The
   * page gets at most one progress event per job every {@value #UI_PROGRESS_MS} ms: it shows counts, and a
   * 1,000-part job need not cost 1,000 publications.
   */
  private void emit(Job job, String type, Supplier<String> json) {
    List<JobListener> list = listeners.get(job.id());
    if (list != null) {
      Supplier<String> once = new Supplier<>() {
        private String text;

        @Override
        public String get() {
          return text != null ? text : (text = json.get());
        }
      };
      for (JobListener listener : List.copyOf(list)) {
        listener.onEvent(job, type, once);
      }
    }
    long now = System.nanoTime();
    if (type.equals("partition") && !job.allDone()) {
      Long last = uiProgress.get(job.id());
      if (last != null && now - last < TimeUnit.MILLISECONDS.toNanos(UI_PROGRESS_MS)) {
        return;
      }
    }
    uiProgress.put(job.id(), now);
    if (job.status().isFinal()) {
      uiProgress.remove(job.id());
    }
    vertx.eventBus().publish(Addresses.UI_JOBS, job.summary().put("event", type), LOCAL);
  }

  /**
   * Keeps at most {@code historySize} finished jobs, and at most {@code historyResultBytes} of their results:
   * past that budget the oldest finished jobs let go of their result (their state stays listed).
   */
  private void trimHistory() {
    Iterator<Job> it = jobs.values().iterator();
    int excess = jobs.size() - historySize;
    while (excess > 0 && it.hasNext()) {
      Job job = it.next();
      if (job.status().isFinal()) {
        resultBytes -= job.resultBytes();
        it.remove();
        excess--;
      }
    }
    for (Iterator<Job> older = jobs.values().iterator(); resultBytes > historyResultBytes && older.hasNext(); ) {
      Job job = older.next();
      if (job.status().isFinal() && job.resultBytes() > 0) {
        resultBytes -= job.resultBytes();
        job.dropResult();
      }
    }
  }
}
