package org.disruptor.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.disruptor.e2e.NodeProcess;

/**
 * {@code ./run.sh bench faults}: how fast the grid reacts to faults, on three real node processes, each
 * measure repeated {@code bench.faults.runs} times (default 10) and reported with its spread next to a
 * baseline from the same run: cancel (WebSocket and DELETE) to the cancelled event and to the parts stopped
 * on every node, a killed coordinator to its orphaned parts stopped and to its leaving every peer list, a
 * frozen worker to its parts moved and to its leaving, and a hostile job to the next normal job. The tests
 * assert these outcomes; this is where their numbers live.
 */
final class FaultsBench {

  private static final int RUNS = Integer.getInteger("bench.faults.runs", 10);
  /** Seconds of jobs on a fresh cluster before it is measured ({@code bench.faults.warmup.seconds}). */
  private static final int WARM_SECONDS = Integer.getInteger("bench.faults.warmup.seconds", 20);
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  private static final Duration OUTCOME = Duration.ofSeconds(60);
  private static final String TRIVIAL = "{\"code\":\"(x) => x\",\"data\":[1,2,3],\"partitions\":3}";
  /** Parts that run until something stops them (the fault cluster has no part time limit within reach). */
  private static final String ENDLESS = "(xs) => { const end = Date.now() + 600000; while (Date.now() < end) {} return xs; }";
  private static final String BROADCAST = "{\"mode\":\"broadcast\",\"code\":\"(d, ctx) => ctx.node\"}";
  private static final String BOMB = "(x) => { const a = []; while (true) { a.push(new Float64Array(4000000)); } }";
  private static final long PART_TIME_LIMIT_MS = 2_000;
  /** The pause between two polls of one node: small against what is measured, and it leaves the cores to it. */
  private static final long POLL_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
  private final Consumer<String> out;

  FaultsBench(Consumer<String> out) {
    this.out = out;
  }

  void run() throws Exception {
    out.accept("\n## Faults: reaction times on 3 nodes\n");
    out.accept("Three node processes on loopback, default failure detection (Hazelcast heartbeat 1 s,"
        + " maxNoHeartbeatSeconds 6, nodeSilenceMs 3000). Each measure is repeated " + RUNS + " times"
        + " (`-Dbench.faults.runs=N`). Node state is read by polling each node's own `GET /metrics`"
        + " (`disruptor_parts_running` + `disruptor_parts_queued`) and `GET /health` (`cluster.peers`) as fast as"
        + " they answer, 5 ms apart per node; the cost of one poll is in the first rows.\n");
    out.accept(header());
    try (Nodes nodes = Nodes.start(3, "--part-time-limit-ms", "600000")) {
      nodes.warm();
      baselines(nodes);
      cancels(nodes);
      kills(nodes);
      freezes(nodes);
    }
    try (Nodes nodes = Nodes.start(3, "--part-time-limit-ms", String.valueOf(PART_TIME_LIMIT_MS))) {
      nodes.warm();
      hostile(nodes);
    }
  }

  // ---- baselines: a trivial job's round trip and the cost of one poll ------------------------------------

  private List<Double> httpRoundTrip;
  private List<Double> socketRoundTrip;
  private List<Double> cancelStops;

  private void baselines(Nodes nodes) throws Exception {
    String node = nodes.address(0);
    for (int i = 0; i < 50; i++) {
      post(node, TRIVIAL);
    }
    httpRoundTrip = new ArrayList<>();
    List<Double> metrics = new ArrayList<>();
    List<Double> health = new ArrayList<>();
    for (int i = 0; i < 5 * RUNS; i++) {
      long t0 = System.nanoTime();
      post(node, TRIVIAL);
      httpRoundTrip.add(ms(t0));
      t0 = System.nanoTime();
      busy(node);
      metrics.add(ms(t0));
      t0 = System.nanoTime();
      peersSeen(node);
      health.add(ms(t0));
    }
    socketRoundTrip = new ArrayList<>();
    try (Socket socket = Socket.open(node)) {
      for (int i = 0; i < 5 * RUNS; i++) {
        long t0 = System.nanoTime();
        socket.send(TRIVIAL);
        socket.awaitFinal(socket.awaitAccepted());
        socketRoundTrip.add(ms(t0));
      }
    }
    out.accept(row("trivial job, 3 parts, HTTP round trip", httpRoundTrip, "baseline"));
    out.accept(row("trivial job, 3 parts, WebSocket round trip", socketRoundTrip, "baseline"));
    out.accept(row("one poll: GET /metrics of a node", metrics, "resolution of the part counts below"));
    out.accept(row("one poll: GET /health of a node", health, "resolution of the peer lists below"));
  }

  // ---- cancel: WebSocket and DELETE ----------------------------------------------------------------------

  private void cancels(Nodes nodes) throws Exception {
    String node = nodes.address(0);
    List<Double> toEvent = new ArrayList<>();
    List<Double> socketStopped = new ArrayList<>();
    try (Socket socket = Socket.open(node)) {
      for (int i = 0; i < RUNS; i++) {
        socket.send(endless(3).encode());
        String id = socket.awaitAccepted();
        awaitBusyParts(nodes, 3);
        long t0 = System.nanoTime();
        socket.send(new JsonObject().put("type", "cancel").put("id", id).encode());
        Stopped stopped = Stopped.watch(nodes, t0);
        JsonObject end = socket.awaitFinal(id);
        toEvent.add(ms(t0));
        check("cancelled".equals(end.getString("type")), "a cancelled job ended as " + end.encode());
        socketStopped.add(stopped.awaitMs());
      }
    }
    List<Double> toAnswer = new ArrayList<>();
    List<Double> deleteStopped = new ArrayList<>();
    for (int i = 0; i < RUNS; i++) {
      String id = new JsonObject(post(node + "/api/jobs?async=true", endless(3).encode())).getString("id");
      awaitBusyParts(nodes, 3);
      long t0 = System.nanoTime();
      Stopped stopped = Stopped.watch(nodes, t0);
      HttpResponse<String> deleted = send(HttpRequest.newBuilder(URI.create("http://" + node + "/api/jobs/" + id)).DELETE());
      toAnswer.add(ms(t0));
      check(deleted.statusCode() == 200, "DELETE answered " + deleted.statusCode() + ": " + deleted.body());
      deleteStopped.add(stopped.awaitMs());
    }
    cancelStops = new ArrayList<>(socketStopped);
    cancelStops.addAll(deleteStopped);
    out.accept(row("WebSocket cancel → `cancelled` event", toEvent, vs(toEvent, socketRoundTrip, "WebSocket round trip")));
    out.accept(row("WebSocket cancel → parts stopped on every node", socketStopped, "3 parts, one per node"));
    out.accept(row("DELETE /api/jobs/{id} → 200 answer", toAnswer, vs(toAnswer, httpRoundTrip, "HTTP round trip")));
    out.accept(row("DELETE /api/jobs/{id} → parts stopped on every node", deleteStopped, "3 parts, one per node"));
  }

  // ---- a coordinator killed with kill -9; a node stopped with SIGTERM (the baseline) -----------------------

  private void kills(Nodes nodes) throws Exception {
    List<Double> orphansStopped = new ArrayList<>();
    List<Double> killLeft = new ArrayList<>();
    List<Double> termLeft = new ArrayList<>();
    for (int i = 0; i < RUNS; i++) {
      int coordinator = i % 3;
      List<Integer> survivors = nodes.others(coordinator);
      // a synchronous job, its answer never read: an async one is durable and a survivor would adopt it
      HTTP.sendAsync(HttpRequest.newBuilder(URI.create("http://" + nodes.address(coordinator) + "/api/jobs"))
          .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(endless(6).encode()))
          .build(), HttpResponse.BodyHandlers.discarding());
      for (int s : survivors) {
        awaitTrue(() -> busy(nodes.address(s)) > 0, nodes.address(s) + " runs a part of the job");
      }
      long t0 = System.nanoTime();
      nodes.node(coordinator).kill();
      Stopped stopped = Stopped.watch(nodes, survivors, t0);
      Left left = Left.watch(nodes, survivors, t0);
      orphansStopped.add(stopped.awaitMs());
      killLeft.add(left.awaitMs());
      nodes.restart(coordinator);

      int leaving = (i + 1) % 3;
      t0 = System.nanoTime();
      nodes.node(leaving).process().destroy();
      termLeft.add(Left.watch(nodes, nodes.others(leaving), t0).awaitMs());
      nodes.node(leaving).process().waitFor(60, TimeUnit.SECONDS);
      nodes.restart(leaving);
    }
    out.accept(row("coordinator kill -9 → its parts stopped on both survivors", orphansStopped,
        vs(orphansStopped, cancelStops, "cancel → parts stopped") + "; 6 parts, 4 of them on the survivors"));
    out.accept(row("kill -9 → the node leaves both other peer lists", killLeft, vs(killLeft, termLeft, "SIGTERM leave")));
    out.accept(row("SIGTERM → the node leaves both other peer lists", termLeft, "baseline: a clean leave"));
  }

  // ---- a worker frozen with SIGSTOP --------------------------------------------------------------------

  private void freezes(Nodes nodes) throws Exception {
    List<Double> moved = new ArrayList<>();
    List<Double> left = new ArrayList<>();
    for (int i = 0; i < RUNS; i++) {
      int coordinator = i % 3;
      int victim = (i + 1) % 3;
      String node = nodes.address(coordinator);
      JsonObject job = new JsonObject().put("code", "(xs) => { const end = Date.now() + 2000; while (Date.now() < end) {} "
          + "return xs; }").put("data", range(9)).put("partitions", 9).put("timeoutMs", 120_000);
      String id = new JsonObject(post(node + "/api/jobs?async=true", job.encode())).getString("id");
      awaitTrue(() -> busy(nodes.address(victim)) > 0, nodes.address(victim) + " runs a part");
      long t0 = System.nanoTime();
      nodes.node(victim).pause();
      Left gone = Left.watch(nodes, nodes.others(victim), t0);
      String victimAddress = nodes.address(victim);
      awaitTrue(() -> {
        JsonObject view = new JsonObject(get(node + "/api/jobs/" + id));
        return view.getJsonArray("partitions").stream().map(p -> (JsonObject) p)
            .anyMatch(p -> p.getInteger("attempts", 0) >= 2 && !victimAddress.equals(p.getString("node")));
      }, "a part of the frozen node runs again elsewhere");
      moved.add(ms(t0));
      left.add(gone.awaitMs());
      nodes.node(victim).kill(); // a stopped process dies on SIGKILL; a fresh one is quicker than a rejoin
      nodes.restart(victim);
      awaitTrue(() -> !"running".equals(new JsonObject(get(node + "/api/jobs/" + id)).getString("status")),
          "the frozen node's job ends before the next run");
    }
    out.accept(row("SIGSTOP of a worker → its first part running again elsewhere", moved,
        "nodeSilenceMs 3000: a node holding parts and silent that long has them moved"));
    out.accept(row("SIGSTOP → the node leaves both other peer lists", left,
        "maxNoHeartbeatSeconds 6: Hazelcast removes a silent member"));
  }

  // ---- hostile jobs, then the next normal job ------------------------------------------------------------

  private void hostile(Nodes nodes) throws Exception {
    String node = nodes.address(0);
    record Case(String name, String job, String expected) { }
    List<Case> cases = List.of(
        new Case("a spin stopped by its CPU limit (partTimeLimitMs " + PART_TIME_LIMIT_MS + ", 3 parts)",
            "{\"code\":\"(x) => { while (true) {} }\",\"data\":[1,2,3],\"partitions\":3,\"timeoutMs\":60000}", "time_limit"),
        new Case("a spin ended by its deadline (timeoutMs 500, 3 parts)",
            "{\"code\":\"(x) => { while (true) {} }\",\"data\":[1,2,3],\"partitions\":3,\"timeoutMs\":500}", "timed_out"),
        new Case("a memory bomb (2 parts)",
            new JsonObject().put("code", BOMB).put("data", new JsonArray().add(1).add(2)).put("partitions", 2)
                .put("timeoutMs", 60_000).encode(), "memory_limit"));
    List<Double> quiet = new ArrayList<>();
    for (int i = 0; i < RUNS; i++) {
      post(node, TRIVIAL);
      long t0 = System.nanoTime();
      check(post(node, TRIVIAL).contains("\"completed\""), "a trivial job did not complete");
      quiet.add(ms(t0));
    }
    out.accept(row("trivial job right after a trivial job (this cluster)", quiet, "baseline"));
    for (Case c : cases) {
      List<Double> hostileMs = new ArrayList<>();
      List<Double> next = new ArrayList<>();
      List<Double> free = new ArrayList<>();
      Map<String, Integer> endings = new TreeMap<>();
      for (int i = 0; i < RUNS; i++) {
        long start = System.nanoTime();
        JsonObject answer = new JsonObject(post(node, c.job()));
        long t0 = System.nanoTime();
        hostileMs.add((t0 - start) / 1e6);
        endings.merge(String.valueOf(answer.getString("error")), 1, Integer::sum);
        String normal = post(node, TRIVIAL);
        next.add(ms(t0));
        check(normal.contains("\"completed\""), "the job after " + c.name() + " did not complete: " + normal);
        free.add(Stopped.watch(nodes, t0).awaitMs());
      }
      String endedAs = endings.equals(Map.of(c.expected(), RUNS)) ? c.expected() : "**ended as " + endings + "**";
      out.accept(row(c.name() + ": submit → its answer", hostileMs, endedAs));
      out.accept(row(c.name() + ": its answer → next trivial job completed", next, vs(next, quiet, "trivial job")));
      out.accept(row(c.name() + ": its answer → no part running on any node", free, "polled after the next job, whose time it includes"));
    }
  }

  // ---- state of the nodes, polled ----------------------------------------------------------------------

  /** A fresh job of {@code parts} endless parts. */
  private static JsonObject endless(int parts) {
    return new JsonObject().put("code", ENDLESS).put("data", range(parts)).put("partitions", parts).put("timeoutMs", 600_000);
  }

  private static final Pattern GAUGE = Pattern.compile("^disruptor_parts_(running|queued) (\\S+)$", Pattern.MULTILINE);

  /** Parts running or queued on one node, from its own /metrics (no request to any other node). */
  static int busy(String node) throws Exception {
    Matcher m = GAUGE.matcher(get(node + "/metrics"));
    double sum = 0;
    while (m.find()) {
      sum += Double.parseDouble(m.group(2));
    }
    return (int) sum;
  }

  /** How many peers one node lists, from its /health (local: no request to any other node). */
  static int peersSeen(String node) throws Exception {
    return new JsonObject(get(node + "/health")).getJsonObject("cluster").getInteger("peers");
  }

  private static void awaitBusyParts(Nodes nodes, int parts) throws Exception {
    awaitTrue(() -> {
      int sum = 0;
      for (int i = 0; i < nodes.size(); i++) {
        sum += busy(nodes.address(i));
      }
      return sum >= parts;
    }, parts + " parts run");
  }

  @FunctionalInterface
  interface Probe {
    boolean test() throws Exception;
  }

  /** Polls until {@code probe} is true; a bench that cannot reach a state stops with what it waited for. */
  static void awaitTrue(Probe probe, String what) throws Exception {
    long end = System.nanoTime() + OUTCOME.toNanos();
    while (true) {
      try {
        if (probe.test()) {
          return;
        }
      } catch (IOException e) {
        // a node not answering yet
      }
      if (System.nanoTime() > end) {
        throw new IllegalStateException("bench faults: not within " + OUTCOME + ": " + what);
      }
      java.util.concurrent.locks.LockSupport.parkNanos(POLL_PAUSE_NANOS);
    }
  }

  /** When the watched nodes had no part running or queued, polled from one virtual thread per node. */
  private static final class Stopped {
    private final List<Thread> threads = new ArrayList<>();
    private final List<Long> at = Collections.synchronizedList(new ArrayList<>());
    private final long since;

    private Stopped(long since) {
      this.since = since;
    }

    static Stopped watch(Nodes nodes, long since) {
      List<Integer> all = new ArrayList<>();
      for (int i = 0; i < nodes.size(); i++) {
        all.add(i);
      }
      return watch(nodes, all, since);
    }

    static Stopped watch(Nodes nodes, List<Integer> which, long since) {
      Stopped stopped = new Stopped(since);
      for (int i : which) {
        String node = nodes.address(i);
        stopped.threads.add(Thread.ofVirtual().start(() -> stopped.poll(() -> busy(node) == 0)));
      }
      return stopped;
    }

    void poll(Probe probe) {
      try {
        awaitTrue(probe, "no part running");
        at.add(System.nanoTime());
      } catch (Exception e) {
        at.add(Long.MIN_VALUE);
      }
    }

    /** Milliseconds from {@code since} until the last watched node got there. */
    double awaitMs() throws Exception {
      for (Thread t : threads) {
        t.join();
      }
      check(!at.contains(Long.MIN_VALUE), "a node kept running parts for " + OUTCOME);
      return (Collections.max(at) - since) / 1e6;
    }
  }

  /** When the watched nodes listed one peer fewer (the one that left), polled from one thread per node. */
  private static final class Left {
    private final Stopped inner;

    private Left(Stopped inner) {
      this.inner = inner;
    }

    static Left watch(Nodes nodes, List<Integer> which, long since) {
      Stopped stopped = new Stopped(since);
      for (int i : which) {
        String node = nodes.address(i);
        stopped.threads.add(Thread.ofVirtual().start(() -> stopped.poll(() -> peersSeen(node) == nodes.size() - 1)));
      }
      return new Left(stopped);
    }

    double awaitMs() throws Exception {
      return inner.awaitMs();
    }
  }

  // ---- the nodes ---------------------------------------------------------------------------------------

  /** Node processes of one cluster; slot i keeps its address across restarts. */
  private static final class Nodes implements AutoCloseable {
    private final String cluster = "bench-faults-" + UUID.randomUUID().toString().substring(0, 8);
    private final List<String> flags;
    private final NodeProcess[] nodes;

    private Nodes(int size, List<String> flags) {
      this.flags = flags;
      this.nodes = new NodeProcess[size];
    }

    static Nodes start(int size, String... flags) throws Exception {
      Nodes nodes = new Nodes(size, List.of(flags));
      try {
        String seed = NodeProcess.freeAddress();
        nodes.nodes[0] = NodeProcess.start(seed, nodes.args(null));
        for (int i = 1; i < size; i++) {
          nodes.nodes[i] = NodeProcess.start(NodeProcess.freeAddress(), nodes.args(seed));
        }
        nodes.awaitFormed();
        return nodes;
      } catch (Exception e) {
        nodes.close();
        throw e;
      }
    }

    private String[] args(String seed) {
      List<String> args = new ArrayList<>();
      if (seed != null) {
        args.add(seed);
      }
      args.addAll(List.of("--cluster", cluster));
      args.addAll(flags);
      return args.toArray(String[]::new);
    }

    int size() {
      return nodes.length;
    }

    NodeProcess node(int i) {
      return nodes[i];
    }

    String address(int i) {
      return nodes[i].address();
    }

    List<Integer> others(int i) {
      List<Integer> others = new ArrayList<>();
      for (int j = 0; j < nodes.length; j++) {
        if (j != i) {
          others.add(j);
        }
      }
      return others;
    }

    /**
     * Starts slot {@code i} again on its address, pointed at another slot, and waits until all list all; the new
     * node runs a few jobs first (not the whole warm-up: the fault measures here do not hinge on a warm JIT).
     */
    void restart(int i) throws Exception {
      nodes[i] = NodeProcess.start(nodes[i].address(), args(address(others(i).getFirst())));
      awaitFormed();
      for (int k = 0; k < 20; k++) {
        post(address(0), BROADCAST);
      }
    }

    private void awaitFormed() throws Exception {
      for (NodeProcess node : nodes) {
        node.awaitUp(OUTCOME);
      }
      for (NodeProcess node : nodes) {
        awaitTrue(() -> peersSeen(node.address()) == nodes.length, node.address() + " lists " + nodes.length + " peers");
      }
    }

    /**
     * Broadcast jobs for {@link #WARM_SECONDS} (at least 20), so every node has run parts, built its contexts and
     * compiled its hot paths before it is measured.
     */
    void warm() throws Exception {
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(WARM_SECONDS);
      for (int i = 0; i < 20 || System.nanoTime() < end; i++) {
        post(address(0), BROADCAST);
      }
    }

    @Override
    public void close() throws Exception {
      for (NodeProcess node : nodes) {
        if (node != null && node.process().isAlive()) {
          node.resume();
        }
      }
      NodeProcess.closeAll(java.util.Arrays.stream(nodes).filter(n -> n != null).toList());
    }
  }

  /** A job WebSocket whose events arrive in a queue. */
  private static final class Socket implements WebSocket.Listener, AutoCloseable {
    private final BlockingQueue<JsonObject> events = new LinkedBlockingQueue<>();
    private final StringBuilder partial = new StringBuilder();
    private WebSocket socket;

    static Socket open(String node) throws Exception {
      Socket s = new Socket();
      s.socket = HTTP.newWebSocketBuilder().buildAsync(URI.create("ws://" + node + "/api/jobs/ws"), s).get(10, TimeUnit.SECONDS);
      return s;
    }

    void send(String text) throws Exception {
      socket.sendText(text, true).get(10, TimeUnit.SECONDS);
    }

    String awaitAccepted() throws Exception {
      JsonObject event = next();
      check("accepted".equals(event.getString("type")), "expected accepted, got " + event.encode());
      return event.getString("id");
    }

    JsonObject awaitFinal(String id) throws Exception {
      while (true) {
        JsonObject event = next();
        if (id.equals(event.getString("id"))
            && List.of("completed", "failed", "timed_out", "cancelled").contains(event.getString("type"))) {
          return event;
        }
      }
    }

    private JsonObject next() throws Exception {
      JsonObject event = events.poll(OUTCOME.toSeconds(), TimeUnit.SECONDS);
      check(event != null, "no event within " + OUTCOME);
      return event;
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        events.add(new JsonObject(partial.toString()));
        partial.setLength(0);
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public void close() throws Exception {
      socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(10, TimeUnit.SECONDS);
    }
  }

  // ---- small helpers -----------------------------------------------------------------------------------

  private static JsonArray range(int n) {
    JsonArray data = new JsonArray();
    for (int i = 0; i < n; i++) {
      data.add(i);
    }
    return data;
  }

  private static double ms(long fromNanos) {
    return (System.nanoTime() - fromNanos) / 1e6;
  }

  private static void check(boolean ok, String what) {
    if (!ok) {
      throw new IllegalStateException("bench faults: " + what);
    }
  }

  /** POSTs a job to {@code node} ("host:port" or "host:port/path?query") and returns the answer's body. */
  private static String post(String target, String body) throws Exception {
    String uri = "http://" + (target.contains("/") ? target : target + "/api/jobs");
    return send(HttpRequest.newBuilder(URI.create(uri)).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body))).body();
  }

  private static String get(String target) throws Exception {
    return send(HttpRequest.newBuilder(URI.create("http://" + target)).GET()).body();
  }

  private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return HTTP.send(request.timeout(Duration.ofSeconds(90)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String header() {
    return "| measure | unit | median | p90 | min–max | n | baseline / note |\n|---|---|---|---|---|---|---|";
  }

  private static String row(String label, List<Double> samples, String note) {
    List<Double> sorted = new ArrayList<>(samples);
    Collections.sort(sorted);
    return String.format("| %s | ms | %s | %s | %s–%s | %d | %s |", label, Stats.fmt(Stats.percentile(sorted, 50)),
        Stats.fmt(Stats.percentile(sorted, 90)), Stats.fmt(sorted.getFirst()), Stats.fmt(sorted.getLast()), sorted.size(), note);
  }

  /** "N.NNx the BASELINE median (M ms)". */
  private static String vs(List<Double> samples, List<Double> baseline, String name) {
    double a = median(samples);
    double b = median(baseline);
    return String.format("%.1fx the %s median (%s ms)", a / b, name, Stats.fmt(b));
  }

  private static double median(List<Double> samples) {
    List<Double> sorted = new ArrayList<>(samples);
    Collections.sort(sorted);
    return Stats.percentile(sorted, 50);
  }
}
