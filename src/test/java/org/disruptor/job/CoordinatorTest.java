package org.disruptor.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.disruptor.job.InMemoryCluster.Sent;
import org.disruptor.job.PartMessages.PartRefused;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The coordinator against an in-memory cluster and virtual time: every race is played in the order the
 * test chooses, without Hazelcast, threads or sleeps.
 */
@DisplayName("The coordinator")
class CoordinatorTest {

  private static final int MAX_ATTEMPTS = 3;
  private static final long SILENCE_MS = 3_000;

  private final ManualScheduler clock = new ManualScheduler();
  private final List<JsonObject> ui = new ArrayList<>();
  private final List<String> retries = new ArrayList<>();
  private final List<JobStatus> ended = new ArrayList<>();
  private final InMemoryJobStore store = new InMemoryJobStore();

  /** The events of one job, as its listener saw them. */
  private static final class Events implements JobListener {
    final List<String> types = new ArrayList<>();
    final List<JsonObject> json = new ArrayList<>();

    @Override
    public void onEvent(Job job, String type, java.util.function.Supplier<String> text) {
      types.add(type);
      json.add(new JsonObject(text.get()));
    }

    long finals() {
      return types.stream().filter(t -> List.of("completed", "failed", "timed_out", "cancelled").contains(t)).count();
    }

    JsonObject last() {
      return json.getLast();
    }

    List<JsonObject> of(String type) {
      return IntStream.range(0, types.size()).filter(i -> types.get(i).equals(type)).mapToObj(json::get).toList();
    }
  }

  private Coordinator coordinator(InMemoryCluster cluster, int window) {
    CoordinatorMetrics metrics = new CoordinatorMetrics() {
      @Override
      public void retry(String reason) {
        retries.add(reason);
      }

      @Override
      public void jobEnded(JobStatus status, long elapsedMs) {
        ended.add(status);
      }
    };
    return new Coordinator(cluster, cluster, clock, new Coordinator.Settings(MAX_ATTEMPTS, window, SILENCE_MS, 100),
        metrics, ui::add, 100, 1 << 20, Coordinator.Offload.INLINE, store);
  }

  private Coordinator coordinator(InMemoryCluster cluster) {
    return coordinator(cluster, 8);
  }

  private static JobSpec spec(String data, Integer partitions, String reduce, long timeoutMs) {
    return spec(data, partitions, reduce, timeoutMs, new JsonObject());
  }

  private static JobSpec spec(String data, Integer partitions, String reduce, long timeoutMs, JsonObject more) {
    String job = new JsonObject().put("code", "(xs) => xs").put("partitions", partitions).put("reduce", reduce)
        .put("timeoutMs", timeoutMs).mergeIn(more).encode();
    job = job.substring(0, job.length() - 1) + ",\"data\":" + data + "}";
    return JobSpec.parse(job.getBytes(StandardCharsets.UTF_8), new JobSpec.Limits(65536, 1024, 30_000, 600_000));
  }

  private static Job start(Coordinator coordinator, InMemoryCluster cluster, JobSpec spec, Events events) {
    return coordinator.start(Planner.plan(spec, cluster.peers()), events);
  }

  @Test
  @DisplayName("sends every part, collects the results in part order and completes once")
  void completes() {
    InMemoryCluster cluster = new InMemoryCluster("a", "b", "c");
    Coordinator coordinator = coordinator(cluster);
    Events events = new Events();
    Job job = start(coordinator, cluster, spec("[1,2,3,4,5,6]", 3, null, 10_000), events);
    assertEquals("accepted", events.types.getFirst());
    assertEquals(3, events.json.getFirst().getJsonArray("placement").size());
    assertEquals(3, cluster.sent.size());
    cluster.openFor(2).done("[5,6]");
    cluster.openFor(0).done("[1,2]");
    cluster.openFor(1).done("[3,4]");
    assertEquals(JobStatus.COMPLETED, job.status());
    assertEquals("[[1,2],[3,4],[5,6]]", new JsonObject(job.view()).getJsonArray("result").encode());
    assertEquals(1, events.finals());
    assertEquals(List.of(JobStatus.COMPLETED), ended);
    assertEquals(0, clock.pendingTimers(), "the deadline timer is cancelled");
  }

  @Test
  @DisplayName("a node that leaves mid-part: its part runs again elsewhere, counted once, with a retry event")
  void nodeLeavesMidPart() {
    InMemoryCluster cluster = new InMemoryCluster("a", "b", "c");
    Coordinator coordinator = coordinator(cluster);
    Events events = new Events();
    Job job = start(coordinator, cluster, spec("[1,2,3]", 3, null, 10_000), events);
    Sent onB = cluster.sentTo("b").getFirst();
    cluster.leave("b");
    coordinator.onPeerLeft("b");
    List<Sent> copies = cluster.sent.stream().filter(s -> s.index() == onB.index()).toList();
    assertEquals(2, copies.size(), cluster.describe());
    Sent second = cluster.latest(onB.index());
    assertFalse(second.node.equals("b"), "the part moved off the node that left");
    assertEquals(2, second.attempt());
    assertEquals(List.of("node_left"), retries);
    assertEquals("node_left", events.of("retry").getFirst().getString("reason"));
    onB.unreachable("node_timeout"); // the old request finally times out: ignored
    for (Sent s : cluster.open()) {
      s.done("[" + s.input().substring(1, s.input().length() - 1) + "]");
    }
    assertEquals(JobStatus.COMPLETED, job.status());
    assertEquals("[[1],[2],[3]]", new JsonObject(job.view()).getJsonArray("result").encode());
    assertEquals(2, job.part(onB.index()).attempts());
    assertEquals(1, events.finals());
  }

  @Test
  @DisplayName("a late duplicate reply: the first result of a part counts, the copy that answers later is ignored")
  void lateDuplicate() {
    InMemoryCluster cluster = new InMemoryCluster("a", "b");
    Coordinator coordinator = coordinator(cluster);
    Events events = new Events();
    Job job = start(coordinator, cluster, spec("[1,2]", 2, null, 10_000), events);
    Sent first = cluster.sentTo("b").getFirst();
    cluster.leave("b");
    coordinator.onPeerLeft("b");
    Sent second = cluster.latest(first.index());
    assertFalse(second == first, "the part was sent again");
    second.done("\"second\"");
    first.done("\"first, late\"");
    cluster.openFor(1 - first.index()).done("\"other\"");
    assertEquals(JobStatus.COMPLETED, job.status());
    JsonArray result = new JsonObject(job.view()).getJsonArray("result");
    assertEquals("second", result.getString(first.index()));
    assertEquals(2, job.doneCount());
    assertEquals(2, events.of("partition").size(), "one partition event per part");
  }

  @Test
  @DisplayName("a stale failure after a retry is ignored: only the current attempt can fail a part")
  void staleFailureAfterRetry() {
    InMemoryCluster cluster = new InMemoryCluster("a", "b");
    Coordinator coordinator = coordinator(cluster);
    Events events = new Events();
    Job job = start(coordinator, cluster, spec("[1,2]", 2, null, 10_000), events);
    Sent old = cluster.sentTo("b").getFirst();
    old.refused(PartRefused.SATURATED);
    clock.advance(100); // the saturation backoff
    Sent retried = cluster.openFor(old.index());
    assertEquals(2, retried.attempt());
    retried.done("\"ok\"");
    cluster.openFor(1 - old.index()).done("\"ok\"");
    assertEquals(JobStatus.COMPLETED, job.status());
    assertEquals(1, events.finals());
  }

  @Test
  @DisplayName("a failure of an attempt that is no longer current does not fail the job")
  void staleFailureIgnored() {
    InMemoryCluster cluster = new InMemoryCluster("a", "b", "c");
    Coordinator coordinator = coordinator(cluster);
    Events events = new Events();
    Job job = start(coordinator, cluster, spec("[1,2,3]", 3, null, 10_000), events);
    Sent onC = cluster.sentTo("c").getFirst();
    cluster.leave("c");
    coordinator.onPeerLeft("c");
    onC.failed("cancelled", "the part was stopped"); // the moved part's old copy, stopped by the move
    assertEquals(JobStatus.RUNNING, job.status());
    assertTrue(cluster.stops.stream().anyMatch(s -> s.index() == onC.index() && s.attempt() == 1),
        "the old copy is told to stop, that attempt only");
    cluster.open().forEach(s -> s.done("0"));
    assertEquals(JobStatus.COMPLETED, job.status());
  }

  @Test
  @DisplayName("cancel racing the last reply: cancelled wins when it comes first, and ends the job once")
  void cancelBeforeLastReply() {
    InMemoryCluster cluster = new InMemoryCluster("a", "b");
    Coordinator coordinator = coordinator(cluster);
    Events events = new Events();
    Job job = start(coordinator, cluster, spec("[1,2]", 2, null, 10_000), events);
    cluster.openFor(0).done("1");
    Sent last = cluster.openFor(1);
    assertTrue(coordinator.cancel(job.id()));
    last.done("2");
    assertEquals(JobStatus.CANCELLED, job.status());
    assertEquals(1, events.finals());
    assertEquals("cancelled", events.last().getString("type"));
    assertEquals("stopped", events.last().getJsonArray("partitions").getJsonObject(1).getString("status"));
    assertTrue(cluster.stopTargets.contains(last.node), "the holder of the unfinished part is told to stop");
    assertFalse(coordinator.cancel(job.id()), "a second cancel finds the job ended");
  }

  @Test
  @DisplayName("cancel racing the last reply: completed wins when the reply comes first")
  void lastReplyBeforeCancel() {
    InMemoryCluster cluster = new InMemoryCluster("a");
    Coordinator coordinator = coordinator(cluster);
    Events events = new Events();
    Job job = start(coordinator, cluster, spec("[1]", 1, null, 10_000), events);
    cluster.openFor(0).done("1");
    assertFalse(coordinator.cancel(job.id()));
    assertEquals(JobStatus.COMPLETED, job.status());
    assertEquals(1, events.finals());
    assertTrue(cluster.stops.isEmpty(), "nothing to stop after a completed job");
  }

  @Test
  @DisplayName("deadline racing a retry: the deadline ends the job, and the waiting retry is never sent")
  void deadlineBeforeRetry() {
    InMemoryCluster cluster = new InMemoryCluster("a");
    Coordinator coordinator = coordinator(cluster);
    Events events = new Events();
    Job job = start(coordinator, cluster, spec("[1]", 1, null, 30), events);
    cluster.openFor(0).refused(PartRefused.SATURATED); // backoff 50 ms > the 30 ms left
    clock.advance(30);
    assertEquals(JobStatus.TIMED_OUT, job.status());
    clock.advance(1_000);
    assertEquals(1, cluster.sent.size(), "no attempt after the deadline");
    assertEquals(1, events.finals());
    assertEquals(504, job.error().status());
  }

  /** The job logger's lines while {@code action} runs. */
  private static List<String> logged(Runnable action) {
    java.util.logging.Logger logger = java.util.logging.Logger.getLogger("org.disruptor.job");
    List<String> lines = new ArrayList<>();
    java.util.logging.Handler handler = new java.util.logging.Handler() {
      @Override
      public void publish(java.util.logging.LogRecord r) {
        lines.add(r.getMessage());
      }

      @Override
      public void flush() {
      }

      @Override
      public void close() {
      }
    };
    logger.addHandler(handler);
    try {
      action.run();
    } finally {
      logger.removeHandler(handler);
    }
    return lines;
  }

  @Test
  @DisplayName("a job past its deadline says in the operator's log what it was waiting for: parts and where, or its reduce")
  void timedOutSaysWhat() {
    InMemoryCluster cluster = new InMemoryCluster("a", "b", "c");
    Coordinator coordinator = coordinator(cluster);
    Job parts = start(coordinator, cluster, spec("[1,2,3]", 3, null, 1_000), new Events());
    cluster.openFor(1).done("[2]");
    List<String> lines = logged(() -> clock.advance(1_000));
    assertEquals(JobStatus.TIMED_OUT, parts.status());
    String line = lines.stream().filter(l -> l.contains(parts.id())).findFirst().orElseThrow();
    assertTrue(line.contains("waiting for part(s) 0 on " + parts.part(0).node() + " (attempt 1), 2 on "
        + parts.part(2).node() + " (attempt 1)"), line);
    assertFalse(new JsonObject(parts.view()).getString("message").contains("waiting"), "the client gets the deadline alone");
    InMemoryCluster other = new InMemoryCluster("a", "b");
    Coordinator reducing = coordinator(other);
    Job reduce = start(reducing, other, spec("[1,2]", 2, "(xs) => xs.flat()", 1_000), new Events());
    other.openFor(0).done("[1]");
    other.openFor(1).done("[2]");
    List<String> reduceLines = logged(() -> clock.advance(1_000));
    assertEquals(JobStatus.TIMED_OUT, reduce.status());
    assertTrue(reduceLines.stream().anyMatch(l -> l.contains(reduce.id()) && l.endsWith("waiting for its reduce on this "
        + "node (attempt 1)")), reduceLines.toString());
  }

  @Test
  @DisplayName("the timed-out race: a part's own deadline report, late results and the deadline timer give one end, "
      + "the same in every view, no part left running or failed")
  void timedOutRace() {
    InMemoryCluster cluster = new InMemoryCluster("a", "b", "c");
    Coordinator coordinator = coordinator(cluster);
    Events events = new Events();
    Events watcher = new Events();
    Job job = start(coordinator, cluster, spec("[1,2,3]", 3, "(parts) => parts.flat()", 1_000), events);
    assertTrue(coordinator.listen(job.id(), watcher), "a second watcher, as a WebSocket watch would be");
    cluster.openFor(0).done("[1]");
    clock.advance(999);
    // part 1's deadline guard fired on its node a moment before the coordinator's timer: its report comes first
    cluster.openFor(1).failed("timed_out", "the part was stopped: the job's deadline passed");
    // part 2 finished just in time on its node, but its answer arrives after the job ended
    cluster.openFor(2).done("[3]");
    clock.advance(1);
    clock.advance(10_000);
    assertEquals(JobStatus.TIMED_OUT, job.status());
    assertEquals(List.of(JobStatus.TIMED_OUT), ended, "ended once");
    JsonObject view = new JsonObject(job.view());
    assertEquals("timed_out", view.getString("status"));
    assertEquals("timed_out", view.getString("error"));
    assertTrue(view.getString("message").contains("deadline of 1000 ms"), view.encode());
    assertNull(view.getValue("partition"), "a deadline is the job's, not one part's: " + view);
    List<String> parts = view.getJsonArray("partitions").stream().map(p -> ((JsonObject) p).getString("status")).toList();
    assertEquals(List.of("done", "stopped", "stopped"), parts, view.encode());
    for (Events seen : List.of(events, watcher)) {
      assertEquals(1, seen.finals(), "one final event: " + seen.types);
      assertEquals("timed_out", seen.types.getLast(), "nothing after the final event: " + seen.types);
      JsonObject event = seen.last().copy();
      event.remove("type");
      assertEquals(view, event, "the final event is the job's view");
    }
    JobStore.Entry entry = store.lookup(job.id()).result();
    assertEquals("timed_out", entry.summary().getString("status"), "the cluster's directory: " + entry.summary());
    assertEquals("timed_out", entry.summary().getString("error"));
    JsonObject last = ui.getLast();
    assertEquals("timed_out", last.getString("status"), "the page's last word on the job: " + last);
    assertFalse(ui.stream().skip(ui.indexOf(ui.stream().filter(u -> "timed_out".equals(u.getString("event"))).findFirst()
        .orElseThrow()) + 1).findAny().isPresent(), "no page event after the end: " + ui);
    assertEquals(0, clock.pendingTimers(), "no timer left behind");
  }

  @Test
  @DisplayName("the timed-out race in the reduce: the reduce's own deadline report ends the job as the timer would")
  void timedOutRaceInReduce() {
    InMemoryCluster cluster = new InMemoryCluster("a", "b");
    Coordinator coordinator = coordinator(cluster);
    Events events = new Events();
    Job job = start(coordinator, cluster, spec("[1,2]", 2, "(parts) => parts.flat()", 1_000), events);
    cluster.openFor(0).done("[1]");
    cluster.openFor(1).done("[2]");
    Sent reduce = cluster.openFor(PartMessages.REDUCE);
    clock.advance(999);
    reduce.failed("timed_out", "the part was stopped: the job's deadline passed");
    clock.advance(10_000);
    assertEquals(JobStatus.TIMED_OUT, job.status());
    JsonObject view = new JsonObject(job.view());
    assertTrue(view.getString("message").contains("deadline of 1000 ms"), view.encode());
    assertNull(view.getValue("stage"), view.encode());
    assertEquals(1, events.finals());
    assertEquals(List.of(JobStatus.TIMED_OUT), ended);
  }

  @Test
  @DisplayName("deadline racing a retry: a retry sent just before the deadline is stopped with the job")
  void retryThenDeadline() {
    InMemoryCluster cluster = new InMemoryCluster("a", "b");
    Coordinator coordinator = coordinator(cluster);
    Events events = new Events();
    Job job = start(coordinator, cluster, spec("[1]", 1, null, 1_000), events);
    Sent first = cluster.openFor(0);
    first.unreachable("node_unavailable");
    Sent retried = cluster.openFor(0);
    assertEquals(2, retried.attempt());
    clock.advance(1_000);
    assertEquals(JobStatus.TIMED_OUT, job.status());
    assertTrue(cluster.stopTargets.contains(retried.node));
    assertEquals("timed_out", cluster.stops.getLast().reason());
    retried.done("1");
    assertEquals(JobStatus.TIMED_OUT, job.status());
    assertEquals(1, events.finals());
  }

  @Test
  @DisplayName("the per-node window: a node never holds more of this coordinator's parts than the window")
  void window() {
    InMemoryCluster cluster = new InMemoryCluster("a");
    Coordinator coordinator = coordinator(cluster, 2);
    Events events = new Events();
    Job job = start(coordinator, cluster, spec("[1,2,3,4,5]", 5, null, 10_000), events);
    assertEquals(2, cluster.open().size());
    assertEquals(3, coordinator.parkedParts());
    JsonArray placement = events.json.getFirst().getJsonArray("placement");
    assertEquals(3, placement.stream().filter(p -> p == null).count(), "parked parts have no node yet");
    int answered = 0;
    while (!cluster.open().isEmpty()) {
      assertTrue(cluster.open().size() <= 2, "at most the window in flight");
      cluster.open().getFirst().done(String.valueOf(answered++));
    }
    assertEquals(5, answered);
    assertEquals(JobStatus.COMPLETED, job.status());
    assertEquals(0, coordinator.parkedParts());
  }

  @Test
  @DisplayName("saturation: a refused part is retried after a backoff, and the job fails with 429 after maxAttempts")
  void saturation() {
    InMemoryCluster cluster = new InMemoryCluster("a");
    Coordinator coordinator = coordinator(cluster);
    Events events = new Events();
    Job job = start(coordinator, cluster, spec("[1]", 1, null, 10_000), events);
    for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      Sent s = cluster.openFor(0);
      assertEquals(attempt, s.attempt());
      s.refused(PartRefused.SATURATED);
      clock.advance(50L * attempt);
    }
    assertEquals(JobStatus.FAILED, job.status());
    assertEquals("saturated", job.error().code());
    assertEquals(429, job.error().status());
    assertEquals(MAX_ATTEMPTS, cluster.sent.size());
  }

  @Test
  @DisplayName("a coordinator leaving while parts are queued: the parked parts of its jobs go nowhere afterwards")
  void parkedPartsOfEndedJob() {
    InMemoryCluster cluster = new InMemoryCluster("a");
    Coordinator coordinator = coordinator(cluster, 1);
    Events events = new Events();
    Job job = start(coordinator, cluster, spec("[1,2,3]", 3, null, 10_000), events);
    assertEquals(2, coordinator.parkedParts());
    assertTrue(coordinator.cancel(job.id()));
    cluster.openFor(0).failed("cancelled", "stopped");
    assertEquals(1, cluster.sent.size(), "parked parts of a cancelled job are never sent");
    assertEquals(0, coordinator.parkedParts());
  }

  @Test
  @DisplayName("a node that stops answering: its parts move after nodeSilenceMs, and it is avoided until it answers")
  void silentNode() {
    InMemoryCluster cluster = new InMemoryCluster("a", "b");
    Coordinator coordinator = coordinator(cluster);
    Events events = new Events();
    Job job = start(coordinator, cluster, spec("[1,2]", 2, null, 30_000), events);
    Sent onB = cluster.sentTo("b").getFirst();
    cluster.silent.add("b");
    for (int s = 0; s < 3; s++) {
      clock.advance(1_000);
      coordinator.checkLiveness(1_000);
      assertEquals(1, cluster.sentTo("b").size(), "not moved before the silence limit");
    }
    clock.advance(1_000);
    coordinator.checkLiveness(1_000);
    assertEquals(List.of("node_unresponsive"), retries);
    Sent moved = cluster.latest(onB.index());
    assertEquals("a", moved.node, "moved off the silent node");
    moved.done("\"moved\"");
    cluster.openFor(1 - onB.index()).done("\"a\"");
    assertEquals(JobStatus.COMPLETED, job.status());
    onB.done("\"thawed, late\"");
    assertEquals("moved", new JsonObject(job.view()).getJsonArray("result").getString(onB.index()));
  }

  @Test
  @DisplayName("a part whose code fails ends the job as failed, once, and that part alone shows failed")
  void partFails() {
    InMemoryCluster cluster = new InMemoryCluster("a", "b", "c");
    Coordinator coordinator = coordinator(cluster);
    Events events = new Events();
    Job job = start(coordinator, cluster, spec("[1,2,3]", 3, null, 10_000), events);
    cluster.openFor(1).failed("job_error", "boom");
    cluster.openFor(0).failed("job_error", "boom too"); // still running when the job ended: ignored
    assertEquals(JobStatus.FAILED, job.status());
    assertEquals(1, events.finals());
    JsonObject end = events.last();
    assertEquals("job_error", end.getString("error"));
    assertEquals(1, end.getInteger("partition"));
    assertEquals(1, end.getInteger("line"));
    JsonArray parts = end.getJsonArray("partitions");
    assertEquals("failed", parts.getJsonObject(1).getString("status"));
    assertEquals("stopped", parts.getJsonObject(0).getString("status"));
    assertEquals("stopped", parts.getJsonObject(2).getString("status"));
    assertEquals(List.of(JobStatus.FAILED), ended);
    assertTrue(retries.isEmpty(), "a failing part is not retried");
  }

  @Test
  @DisplayName("the reduce goes through the part path on this node, and its result is the job's")
  void reduce() {
    InMemoryCluster cluster = new InMemoryCluster("a", "b");
    Coordinator coordinator = coordinator(cluster);
    Events events = new Events();
    Job job = start(coordinator, cluster, spec("[1,2]", 2, "(parts) => parts.flat()", 10_000), events);
    cluster.openFor(0).done("[1]");
    cluster.openFor(1).done("[2]");
    Sent reduce = cluster.openFor(PartMessages.REDUCE);
    assertEquals("a", reduce.node, "on the coordinator");
    assertEquals("[[1],[2]]", reduce.input());
    assertEquals("(parts) => parts.flat()", reduce.request.code());
    reduce.done("[1,2]");
    assertEquals(JobStatus.COMPLETED, job.status());
    assertEquals("[1,2]", new JsonObject(job.view()).getJsonArray("result").encode());
  }

  @Test
  @DisplayName("a reduce that fails fails the job with stage reduce; one refused for saturation is tried again")
  void reduceFails() {
    InMemoryCluster cluster = new InMemoryCluster("a");
    Coordinator coordinator = coordinator(cluster);
    Events events = new Events();
    Job job = start(coordinator, cluster, spec("[1]", 1, "(p) => { throw new Error('no') }", 10_000), events);
    cluster.openFor(0).done("[1]");
    cluster.openFor(PartMessages.REDUCE).refused(PartRefused.SATURATED);
    clock.advance(50);
    Sent again = cluster.openFor(PartMessages.REDUCE);
    assertEquals(2, again.attempt());
    again.failed("job_error", "Error: no");
    assertEquals(JobStatus.FAILED, job.status());
    assertEquals("reduce", job.error().toJson().getString("stage"));
    assertTrue(job.error().getMessage().startsWith("reduce: "));
    assertNull(job.error().toJson().getValue("partition"));
  }

  @Test
  @DisplayName("cancel during the reduce stops the reduce on this node")
  void cancelDuringReduce() {
    InMemoryCluster cluster = new InMemoryCluster("a");
    Coordinator coordinator = coordinator(cluster);
    Events events = new Events();
    Job job = start(coordinator, cluster, spec("[1]", 1, "(p) => p", 10_000), events);
    cluster.openFor(0).done("[1]");
    Sent reduce = cluster.openFor(PartMessages.REDUCE);
    assertTrue(coordinator.cancel(job.id()));
    assertEquals(List.of("a"), cluster.stopTargets);
    reduce.done("[1]");
    assertEquals(JobStatus.CANCELLED, job.status());
    assertEquals(1, events.finals());
  }

  @Test
  @DisplayName("parts that cannot run anywhere after maxAttempts fail the job with no_nodes")
  void noNodes() {
    InMemoryCluster cluster = new InMemoryCluster("a", "b");
    Coordinator coordinator = coordinator(cluster);
    Events events = new Events();
    Job job = start(coordinator, cluster, spec("[1]", 1, null, 10_000), events);
    for (int i = 0; i < MAX_ATTEMPTS; i++) {
      cluster.openFor(0).unreachable("node_unavailable");
    }
    assertEquals(JobStatus.FAILED, job.status());
    assertEquals("no_nodes", job.error().code());
    assertEquals(503, job.error().status());
  }

  @Test
  @DisplayName("a node's leave does not move a part that is waiting for its retry backoff a second time")
  void leaveDuringBackoff() {
    InMemoryCluster cluster = new InMemoryCluster("a", "b");
    Coordinator coordinator = coordinator(cluster);
    Events events = new Events();
    Job job = start(coordinator, cluster, spec("[1]", 1, null, 10_000), events);
    Sent first = cluster.openFor(0);
    first.refused(PartRefused.SATURATED);
    cluster.leave(first.node);
    coordinator.onPeerLeft(first.node);
    clock.advance(100);
    assertEquals(2, cluster.sent.size(), "exactly one new attempt: " + cluster.describe());
    cluster.openFor(0).done("1");
    assertEquals(JobStatus.COMPLETED, job.status());
  }

  @Test
  @DisplayName("the page gets a summary per event, progress at most every uiProgressMs, the end always")
  void pageFeedThrottled() {
    InMemoryCluster cluster = new InMemoryCluster("a");
    Coordinator coordinator = coordinator(cluster, 100);
    Events events = new Events();
    start(coordinator, cluster, spec("[1,2,3,4]", 4, null, 10_000), events);
    cluster.openFor(0).done("1");
    cluster.openFor(1).done("2");
    cluster.openFor(2).done("3");
    clock.advance(150);
    cluster.openFor(3).done("4");
    List<String> kinds = ui.stream().map(j -> j.getString("event")).toList();
    assertEquals(List.of("accepted", "partition", "completed"), kinds);
    assertEquals(4, events.of("partition").size(), "the job's own listeners get every event");
  }

  @Test
  @DisplayName("a built-in reduce runs natively on the coordinator: no reduce part is sent, and its errors name the part")
  void builtinReduce() {
    InMemoryCluster cluster = new InMemoryCluster("a", "b");
    Coordinator coordinator = coordinator(cluster);
    Events events = new Events();
    Job job = start(coordinator, cluster, spec("[1,2,3]", 2, "flat", 10_000), events);
    cluster.openFor(0).done("[1,4]");
    cluster.openFor(1).done("[9]");
    assertEquals(2, cluster.sent.size(), "no reduce part");
    assertEquals(JobStatus.COMPLETED, job.status());
    assertEquals("[1,4,9]", new JsonObject(job.view()).getJsonArray("result").encode());

    Job bad = start(coordinator, cluster, spec("[1,2]", 2, "sum", 10_000), new Events());
    cluster.openFor(0).done("[1]");
    cluster.openFor(1).done("[\"x\"]");
    assertEquals(JobStatus.FAILED, bad.status());
    assertEquals(422, bad.error().status());
    assertEquals(1, bad.error().toJson().getInteger("partition"));
  }

  @Test
  @DisplayName("the directory: a job that ends soon is written once, at its end; a longer one when it has run a while")
  void directory() {
    InMemoryCluster cluster = new InMemoryCluster("a", "b");
    Coordinator coordinator = coordinator(cluster);
    Job quick = start(coordinator, cluster, spec("[1]", 1, null, 10_000), new Events());
    cluster.openFor(0).done("1");
    clock.advance(Coordinator.DIRECTORY_DELAY_MS);
    assertEquals(List.of(quick.id() + ":completed"), store.published);
    JsonObject entry = new JsonObject(store.directory.get(quick.id()));
    assertEquals("a", entry.getString("coordinatorId"));
    assertEquals("a:80", entry.getString("coordinator"));

    store.published.clear();
    Job slow = start(coordinator, cluster, spec("[1,2]", 2, null, 10_000), new Events());
    clock.advance(Coordinator.DIRECTORY_DELAY_MS);
    assertEquals(List.of(slow.id() + ":running"), store.published);
    cluster.openFor(0).failed("job_error", "boom");
    entry = new JsonObject(store.directory.get(slow.id()));
    assertEquals("failed", entry.getString("status"));
    assertEquals("job_error", entry.getString("error"));
    assertEquals("boom", entry.getString("message"));
  }

  @Test
  @DisplayName("the directory forgets the jobs the history lets go of")
  void directoryBounded() {
    InMemoryCluster cluster = new InMemoryCluster("a");
    Coordinator coordinator = new Coordinator(cluster, cluster, clock, new Coordinator.Settings(3, 8, SILENCE_MS, 100),
        CoordinatorMetrics.NONE, ui::add, 2, 1 << 20, Coordinator.Offload.INLINE, store);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      ids.add(start(coordinator, cluster, spec("[1]", 1, null, 10_000), new Events()).id());
      cluster.openFor(0).done("1");
    }
    assertEquals(List.of(ids.get(3), ids.get(4)), List.copyOf(store.directory.keySet()));
  }

  @Test
  @DisplayName("adopting a durable job: stored parts count once, only the others run, and the job ends once")
  void adopt() {
    InMemoryCluster cluster = new InMemoryCluster("b", "c");
    Coordinator coordinator = coordinator(cluster);
    JobSpec spec = spec("[1,2,3,4]", 4, "flat", 60_000);
    Planner.Plan plan = Planner.plan(spec, cluster.peers());
    JobStore.Durable durable = new JobStore.Durable("job-1", plan.spec(), plan.inputs(), clock.epochMs() - 5_000, null);
    store.saveDurable(durable, "a");
    store.savePart("job-1", 0, "a:80", "[1]".getBytes(StandardCharsets.UTF_8));
    store.savePart("job-1", 2, "c:80", "[9]".getBytes(StandardCharsets.UTF_8));
    assertTrue(store.claim("job-1", "a", "b").result(), "b claims the dead node's job");
    Job job = coordinator.adopt(durable, store.parts("job-1", 4).result());
    assertEquals(2, cluster.sent.size(), "only the parts without a stored result run: " + cluster.describe());
    assertTrue(cluster.sent.stream().allMatch(s -> s.request.durable()), "adopted parts stay durable");
    assertTrue(job.elapsedMs() >= 5_000, "the job keeps its age");
    cluster.openFor(1).done("[4]");
    cluster.openFor(3).done("[16]");
    assertEquals(JobStatus.COMPLETED, job.status());
    assertEquals("[1,4,9,16]", new JsonObject(job.view()).getJsonArray("result").encode());
    assertEquals("c:80", job.part(2).node());
    assertTrue(store.durables.isEmpty() && store.owners.isEmpty(), "an ended durable job's spec is let go");
    assertEquals("completed", new JsonObject(new String(store.finals.get("job-1"), StandardCharsets.UTF_8))
        .getString("status"));
    assertEquals("b", new JsonObject(store.directory.get("job-1")).getString("coordinatorId"));
  }

  private JobStore.Durable stored(InMemoryCluster cluster, String id, String owner) {
    Planner.Plan plan = Planner.plan(spec("[1,2,3,4]", 4, "flat", 60_000), cluster.peers());
    JobStore.Durable durable = new JobStore.Durable(id, plan.spec(), plan.inputs(), clock.epochMs(), null);
    store.saveDurable(durable, owner);
    return durable;
  }

  @Test
  @DisplayName("the sweep adopts a durable job whose owner is no member, with no leave event heard")
  void sweepAdoptsOrphans() {
    InMemoryCluster cluster = new InMemoryCluster("b", "c");
    Durability durability = new Durability(cluster, coordinator(cluster), store);
    stored(cluster, "job-1", "a");
    stored(cluster, "job-2", "c");
    durability.sweep();
    assertEquals("b", store.owners.get("job-1"), "the orphan is adopted here");
    assertEquals("c", store.owners.get("job-2"), "a live member keeps its job");
    assertEquals(4, cluster.sent.size(), "only the orphan's parts run here: " + cluster.describe());
    assertTrue(cluster.sent.stream().allMatch(s -> s.request.jobId().equals("job-1")), cluster.describe());
  }

  private static JobStore.Entry running(String id, String coordinatorId, boolean durable) {
    return new JobStore.Entry(new JsonObject().put("id", id).put("status", "running").put("coordinatorId", coordinatorId)
        .put("coordinator", coordinatorId + ":80").put("durable", durable));
  }

  @Test
  @DisplayName("the slow sweep closes a running job that was not durable once its coordinator is seen gone twice")
  void sweepClosesLostJobs() {
    InMemoryCluster cluster = new InMemoryCluster("b", "c");
    Durability durability = new Durability(cluster, coordinator(cluster), store);
    store.publish(running("job-1", "a", false));
    store.publish(running("job-2", "c", false));
    store.publish(running("job-3", "a", true));
    durability.sweepLost();
    assertEquals("running", new JsonObject(store.directory.get("job-1")).getString("status"),
        "one look is not enough: its coordinator may still be joining");
    store.publish(running("job-4", "a", false));
    durability.sweepLost();
    JsonObject lost = new JsonObject(store.directory.get("job-1"));
    assertEquals("failed", lost.getString("status"));
    assertEquals("coordinator_lost", lost.getString("error"));
    assertEquals("running", new JsonObject(store.directory.get("job-2")).getString("status"), "a live coordinator's job");
    assertEquals("running", new JsonObject(store.directory.get("job-3")).getString("status"),
        "a durable job is the adopter's (sweep), not closed");
    assertEquals("running", new JsonObject(store.directory.get("job-4")).getString("status"), "seen once so far");
    durability.sweepLost();
    assertEquals("failed", new JsonObject(store.directory.get("job-4")).getString("status"));
  }

  @Test
  @DisplayName("the sweep drops an ownership whose spec was never stored (its node died between the two writes)")
  void sweepDropsSpeclessOwnership() {
    InMemoryCluster cluster = new InMemoryCluster("b", "c");
    Durability durability = new Durability(cluster, coordinator(cluster), store);
    store.owners.put("job-9", "a");
    durability.sweep();
    assertFalse(store.owners.containsKey("job-9"), "nobody is left responsible for a job nobody has");
    assertTrue(cluster.sent.isEmpty());
  }

  @Test
  @DisplayName("a key bound by a node that left before storing its job goes to the retry; others stay bound")
  void staleKeyTakenOver() {
    InMemoryCluster cluster = new InMemoryCluster("b", "c");
    Durability durability = new Durability(cluster, coordinator(cluster), store);
    store.bindKey("lost", "job-x", "a");
    assertNull(durability.bindKey("lost", "job-y").result(), "the retry's job takes the key");
    assertEquals("job-y b", store.keys.get("lost"));
    store.bindKey("live", "job-x", "c");
    assertEquals("job-x", durability.bindKey("live", "job-y").result(), "a live node is still storing its job");
    store.bindKey("kept", "job-z", "a");
    stored(cluster, "job-z", "a");
    assertEquals("job-z", durability.bindKey("kept", "job-y").result(), "a stored job is adopted, not replaced");
    assertEquals("job-y", durability.bindKey("lost", "job-w").result(), "once taken over, the key stays with it");
  }

  @Test
  @DisplayName("adopting a durable job past its deadline ends it as timed out")
  void adoptLate() {
    InMemoryCluster cluster = new InMemoryCluster("b");
    Coordinator coordinator = coordinator(cluster);
    Planner.Plan plan = Planner.plan(spec("[1]", 1, null, 1_000), cluster.peers());
    JobStore.Durable durable = new JobStore.Durable("job-2", plan.spec(), plan.inputs(), clock.epochMs() - 5_000, null);
    Job job = coordinator.adopt(durable, java.util.Map.of());
    clock.advance(1);
    assertEquals(JobStatus.TIMED_OUT, job.status());
  }

  private static java.util.Set<String> nodesUsed(InMemoryCluster cluster) {
    return new java.util.TreeSet<>(cluster.sent.stream().map(x -> x.node).toList());
  }

  @Test
  @DisplayName("labels: a job asking for a label runs only on nodes that have it; none has it: no_nodes")
  void labels() {
    InMemoryCluster cluster = new InMemoryCluster("a", "b", "c");
    cluster.label("b", "gpu", "zone=eu");
    cluster.label("c", "gpu");
    Coordinator coordinator = coordinator(cluster);
    Job job = start(coordinator, cluster, spec("[1,2,3,4]", 4, null, 10_000,
        new JsonObject().put("labels", new JsonArray().add("gpu"))), new Events());
    assertEquals(java.util.Set.of("b", "c"), nodesUsed(cluster));
    cluster.open().forEach(s -> s.done("0"));
    assertEquals(JobStatus.COMPLETED, job.status());
    JobError none = org.junit.jupiter.api.Assertions.assertThrows(JobError.class, () -> Planner.plan(spec("[1]", 1,
        null, 10_000, new JsonObject().put("labels", new JsonArray().add("tpu"))), cluster.peers()));
    assertEquals("no_nodes", none.code());
    assertTrue(none.getMessage().contains("tpu"), none.getMessage());
    JobSpec broadcast = JobSpec.parse(("{\"code\":\"(x)=>x\",\"mode\":\"broadcast\",\"labels\":[\"zone=eu\"]}")
        .getBytes(StandardCharsets.UTF_8), new JobSpec.Limits(65536, 1024, 30_000, 600_000));
    cluster.sent.clear();
    coordinator.start(Planner.plan(broadcast, cluster.peers()), new Events());
    assertEquals(java.util.Set.of("b"), nodesUsed(cluster), "broadcast runs on every node with the label, only there");
  }

  @Test
  @DisplayName("nodes N: a job spans at most N nodes, the least loaded, and takes another when one of them leaves")
  void nodesLimit() {
    InMemoryCluster cluster = new InMemoryCluster("a", "b", "c", "d");
    Coordinator coordinator = coordinator(cluster);
    coordinator.reportedLoad(node -> node.equals("a") || node.equals("b") ? 5 : 0);
    Job job = start(coordinator, cluster, spec("[1,2,3,4,5,6,7,8]", 8, null, 10_000,
        new JsonObject().put("nodes", 2)), new Events());
    assertEquals(java.util.Set.of("c", "d"), nodesUsed(cluster), "the two least loaded nodes");
    cluster.leave("d");
    coordinator.onPeerLeft("d");
    java.util.Set<String> live = new java.util.TreeSet<>(cluster.open().stream().map(x -> x.node)
        .filter(n -> !n.equals("d")).toList());
    assertEquals(2, live.size(), "still two nodes at most: " + live);
    assertTrue(live.contains("c"));
    cluster.open().stream().filter(s -> !s.node.equals("d")).forEach(s -> s.done("0"));
    assertEquals(JobStatus.COMPLETED, job.status());
    Job defaulted = start(coordinator, cluster, spec("[1,2,3,4,5,6]", null, null, 10_000,
        new JsonObject().put("nodes", 2)), new Events());
    assertEquals(2, defaulted.parts().size(), "one part per allowed node by default");
  }

  @Test
  @DisplayName("a map job with fewer parts than nodes goes to the least loaded nodes")
  void fewerPartsThanNodes() {
    InMemoryCluster cluster = new InMemoryCluster("a", "b", "c", "d");
    Coordinator coordinator = coordinator(cluster);
    coordinator.reportedLoad(node -> switch (node) {
      case "a" -> 9;
      case "b" -> 0;
      case "c" -> 7;
      default -> 0;
    });
    start(coordinator, cluster, spec("[1,2]", 2, null, 10_000), new Events());
    assertEquals(java.util.Set.of("b", "d"), nodesUsed(cluster));
  }

  @Test
  @DisplayName("a coordinator whose durable job was adopted elsewhere meanwhile does not record its end")
  void staleOwnerRecordsNothing() {
    InMemoryCluster cluster = new InMemoryCluster("a");
    Coordinator coordinator = coordinator(cluster);
    Planner.Plan plan = Planner.plan(spec("[1]", 1, null, 10_000), cluster.peers());
    store.saveDurable(new JobStore.Durable("job-3", plan.spec(), plan.inputs(), clock.epochMs(), null), "a");
    Job job = coordinator.start(plan, new Events(), new Coordinator.StartOptions("job-3", true));
    store.claim("job-3", "a", "z"); // a was thought dead; z adopted the job
    store.directory.put("job-3", "{\"id\":\"job-3\",\"status\":\"running\",\"coordinatorId\":\"z\"}");
    cluster.openFor(0).done("[1]");
    assertEquals(JobStatus.COMPLETED, job.status());
    assertEquals("z", new JsonObject(store.directory.get("job-3")).getString("coordinatorId"), "z's entry stays");
    assertTrue(store.finals.isEmpty(), "the stale coordinator records no end");
    assertEquals("z", store.owners.get("job-3"));
  }

  @Test
  @DisplayName("with the nodes' stats as heartbeats, a node whose stats stop coming has its parts moved, and no ping is sent")
  void heartbeats() {
    InMemoryCluster cluster = new InMemoryCluster("a", "b", "c");
    Coordinator coordinator = coordinator(cluster);
    java.util.Map<String, Long> beats = new java.util.HashMap<>();
    coordinator.heartbeats(node -> beats.getOrDefault(node, -1L));
    Job job = start(coordinator, cluster, spec("[1,2,3]", 3, null, 60_000), new Events());
    for (int s = 0; s < 6; s++) {
      clock.advance(1_000);
      beats.put("b", clock.epochMs()); // b keeps publishing; c has gone quiet
      coordinator.checkLiveness(1_000);
    }
    assertTrue(cluster.pings.isEmpty(), "no pings: " + cluster.pings);
    assertEquals(List.of("node_unresponsive"), retries, "only c's part moved");
    assertEquals(1, cluster.sentTo("b").size());
    cluster.open().stream().filter(x -> !x.node.equals("c")).forEach(x -> x.done("0"));
    assertEquals(JobStatus.COMPLETED, job.status());
  }
}
