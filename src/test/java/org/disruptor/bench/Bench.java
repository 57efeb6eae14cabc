package org.disruptor.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.disruptor.Addresses;
import org.disruptor.cluster.HazelcastSetup;
import org.disruptor.cluster.HostPort;
import org.disruptor.config.Config;
import org.disruptor.e2e.NodeProcess;

/**
 * The benchmark suite: each figure is printed next to a baseline measured in the same run on the same
 * machine. Results go to stdout and to bench/results/ (markdown and PNG plots).
 */
public final class Bench {

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final Path RESULTS = Path.of(System.getProperty("disruptor.home", ".")).resolve("bench/results");
  private static final String FIB = "(x) => { const fib = (n) => n < 2 ? n : fib(n - 1) + fib(n - 2); return fib(x[0]); }";
  /**
   * Seconds of WebSocket load before a cluster is measured: on 2 cores a 3-node cluster needs ~60 s before
   * GraalJS and HotSpot are warm (trivial jobs/s climbed from 230 to 3,350 over eight 8-second runs), and
   * a few hundred sequential requests measured the warm-up, not the steady state. Set it with
   * {@code JDK_JAVA_OPTIONS=-Dbench.warmup.seconds=N ./run.sh bench overhead}.
   */
  private static final int WARM_UP_SECONDS = Integer.getInteger("bench.warmup.seconds", 90);
  /** The warm-up's load runs in slices this long, so the printed rates show its curve. */
  private static final int WARM_UP_SLICE_SECONDS = 5;
  /** Seconds each throughput point is measured. */
  private static final int THROUGHPUT_SECONDS = 5;
  /** Latency samples per measure. */
  private static final int SAMPLES = 1_000;
  /** The job events that end a job: each one frees a slot of the WebSocket loop. */
  private static final Set<String> FINAL_EVENTS = Set.of("completed", "failed", "timed_out", "cancelled", "rejected", "error");
  private final StringBuilder report = new StringBuilder();

  public static void main(String[] args) throws Exception {
    List<String> suites = args.length == 0 ? List.of("js", "overhead", "data", "scaling", "startup", "faults") : List.of(args);
    Files.createDirectories(RESULTS);
    org.disruptor.Logs.configure("warn", "text");
    Bench bench = new Bench();
    bench.line("# disruptor benchmarks, " + LocalDateTime.now().format(DateTimeFormatter.ISO_LOCAL_DATE_TIME).substring(0, 16));
    bench.line("");
    bench.line("Machine: " + Runtime.getRuntime().availableProcessors() + " cores, "
        + System.getProperty("os.name") + " " + System.getProperty("os.arch") + ", Java " + System.getProperty("java.version")
        + ", " + cpuModel() + ". Nodes: separate JVMs from the fat jar, -Xmx256m, loopback.");
    for (String suite : suites) {
      switch (suite) {
        case "js" -> bench.jsSpeed();
        case "overhead" -> bench.overhead();
        case "data" -> bench.dataPath();
        case "scaling" -> bench.scaling();
        case "startup" -> bench.startup();
        case "warmup" -> bench.warmup();
        case "faults" -> new FaultsBench(bench::line).run();
        case "modules" -> bench.modules();
        case "cluster-size" -> new ClusterSizeBench(bench::line, RESULTS).run();
        default -> throw new IllegalArgumentException("unknown benchmark " + suite
            + " (js, overhead, data, scaling, startup, warmup, faults, cluster-size, modules)");
      }
    }
    String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmm"));
    Files.writeString(RESULTS.resolve("bench-" + String.join("-", suites) + "-" + stamp + ".md"), bench.report);
    Files.writeString(RESULTS.resolve("latest-" + String.join("-", suites) + ".md"), bench.report);
    System.exit(0);
  }

  private void line(String text) {
    System.out.println(text);
    System.out.flush();
    report.append(text).append('\n');
  }

  // ---- b. JS speed against node -------------------------------------------------------------------------

  private void jsSpeed() throws Exception {
    line("\n## JS speed: warm parts on both engines against node (same functions, same machine, one run)\n");
    List<String> engines = List.of("v8", "graaljs");
    Map<String, Cluster> clusters = new java.util.LinkedHashMap<>();
    try {
      for (String engine : engines) {
        clusters.put(engine, Cluster.start(1, "--engine", engine));
      }
      StringBuilder jits = new StringBuilder();
      clusters.forEach((engine, cluster) -> {
        try {
          jits.append(jits.isEmpty() ? "" : ", ").append(engine).append(" JIT ")
              .append(new JsonObject(get(cluster.first(), "/health")).getBoolean("jsJit") ? "on" : "OFF");
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      line("One node per engine: " + jits + ". Grid wall figure: the part's own time in the node (fresh context, JSON"
          + " in, function, JSON out); node wall figure: the function call alone. CPU figures: what the machine's"
          + " scheduler counted for the JS threads over the same job (v8: the runner processes' JS threads; graaljs:"
          + " the node's JS worker threads; both include preparing the next fresh context; node:"
          + " process.cpuUsage() around the call, all its threads). On a shared"
          + " machine the wall figures grow with whatever else runs, the CPU figures do not: the CPU ratio is the"
          + " engine's speed against node.\n");
      line(Stats.header());
      String array = jsonArray(1_000_000, i -> i % 1000);
      String numbers = jsonArray(100_000, i -> i * 1.5);
      record Case(String name, String code, String data, String label) { }
      List<Case> cases = List.of(
          new Case("fib27", FIB, "[27]", "fib(27)"),
          new Case("sum1e6", "(xs) => xs.reduce((a, b) => a + b, 0)", array,
              "sum of a 1e6-element array sent as data (parse included)"),
          new Case("jsonParse", "(xs) => { let n = 0; for (let i = 0; i < 10; i++) n += JSON.parse(xs[0]).length; return n; }",
              new JsonArray().add(numbers).encode(), "10 x JSON.parse of 100k numbers"));
      Map<String, List<String>> profiles = new java.util.LinkedHashMap<>();
      for (Case c : cases) {
        String body = "{\"code\":" + Json.encode(c.code()) + ",\"data\":" + c.data() + ",\"partitions\":1}";
        int runs = c.name().equals("fib27") ? 60 : 20;
        Map<String, Stats> grids = new java.util.LinkedHashMap<>();
        Map<String, Stats> cpus = new java.util.LinkedHashMap<>();
        Map<String, Stats> trips = new java.util.LinkedHashMap<>();
        int warmup = 0;
        for (String engine : engines) {
          List<Double> grid = new ArrayList<>();
          List<Double> cpu = new ArrayList<>();
          List<Double> trip = new ArrayList<>();
          Cluster cluster = clusters.get(engine);
          warmup = Math.max(warmup, warmPart(cluster.first(), new JsCpu(cluster.nodes.getFirst().pid()), c.name(), body,
              runs, grid, cpu, trip));
          grids.put(engine, Stats.of(grid));
          cpus.put(engine, Stats.of(cpu));
          trips.put(engine, Stats.of(trip));
          if (engine.equals("graaljs")) {
            profiles.put(c.label(), profile(clusters.get(engine).nodes.getFirst(), body, runs));
          }
        }
        List<List<Double>> baseline = nodeBaseline(c.name(), warmup, runs);
        Stats b = Stats.of(baseline.get(0));
        Stats bCpu = Stats.of(baseline.get(1));
        for (Map.Entry<String, Stats> grid : grids.entrySet()) {
          line(grid.getValue().row(c.label() + ", " + grid.getKey() + " part, wall", "ms",
              String.format("%s/node = **%.2fx**", grid.getKey(), grid.getValue().median() / b.median())));
        }
        line(b.row(c.label() + ", node " + nodeVersion() + ", wall", "ms", "baseline"));
        for (Map.Entry<String, Stats> cpu : cpus.entrySet()) {
          line(cpu.getValue().row(c.label() + ", " + cpu.getKey() + " part, CPU", "ms",
              String.format("%s/node = **%.2fx**", cpu.getKey(), cpu.getValue().median() / bCpu.median())));
        }
        line(bCpu.row(c.label() + ", node " + nodeVersion() + ", CPU", "ms", "baseline"));
        for (Map.Entry<String, Stats> trip : trips.entrySet()) {
          // one job after another: the round trip also holds whatever the engine does between parts
          line(trip.getValue().row(c.label() + ", " + trip.getKey() + ", whole job one after another (HTTP round trip)",
              "ms", String.format("job/part = %.2fx", trip.getValue().median() / grids.get(trip.getKey()).median())));
        }
      }
      line("\nWhere a warm graaljs part's CPU goes (JFR samples of the node's JS worker threads, by the class running;"
          + " v8 parts run in runner processes):\n");
      profiles.forEach((label, top) -> line("- " + label + ": " + String.join(", ", top)));
    } finally {
      for (Cluster cluster : clusters.values()) {
        cluster.close();
      }
    }
  }

  /**
   * Runs a one-part job until the engine has settled (at least 20 runs and 4 s: GraalJS needs ~2 s on 2 cores),
   * then {@code runs} more whose part times go to {@code samples}; answers how many runs warmed it.
   */
  private static int warmPart(String node, JsCpu jsCpu, String name, String body, int runs, List<Double> samples,
      List<Double> cpuSamples, List<Double> tripSamples) throws Exception {
    int warmup = 0;
    long warmUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
    for (int i = 0; warmup == 0 || i < warmup + runs; i++) {
      long cpuBefore = jsCpu.nanos();
      long sent = System.nanoTime();
      JsonObject result = new JsonObject(post(node, "/api/jobs", body));
      double tripMs = (System.nanoTime() - sent) / 1e6;
      double cpuMs = (jsCpu.nanos() - cpuBefore) / 1e6;
      if (!"completed".equals(result.getString("status"))) {
        throw new IllegalStateException(name + " failed: " + result.encode());
      }
      if (warmup == 0 && i >= 20 && System.nanoTime() > warmUntil) {
        warmup = i + 1;
      } else if (warmup > 0) {
        samples.add(result.getJsonArray("partitions").getJsonObject(0).getDouble("elapsedMs"));
        tripSamples.add(tripMs);
        if (cpuMs >= 0) { // else a runner was replaced meanwhile, and its counters went with it
          cpuSamples.add(cpuMs);
        }
      }
    }
    return warmup;
  }

  // ---- modules: a part importing lodash against one importing nothing and one with lodash pasted in --------

  private void modules() throws Exception {
    Path lodash = Path.of("target/test-modules/node_modules/lodash/lodash.min.js");
    if (!Files.isRegularFile(lodash)) {
      throw new IllegalStateException("bench modules needs lodash: run scripts/test-deps.sh first");
    }
    String source = Files.readString(lodash);
    line("\n## Modules: a warm part that imports lodash (" + source.length() / 1024 + " KB, lodash.min.js) against the"
        + " same part with nothing imported and with lodash pasted into its code\n");
    line("One node per engine; the part's own time in the node (fresh context, modules, JSON in, function, JSON out),"
        + " after at least 20 runs and 4 s of warm-up of each; then 200 rounds of the four, interleaved, so each"
        + " sees the same load; the data is `[1..20]`.\n");
    line(Stats.header());
    String work = "(xs) => xs.length % 2";
    String lodashWork = "(xs) => _.chunk(xs, 2).length % 2";
    String data = jsonArray(20, i -> i + 1);
    record Case(String label, String body) { }
    List<Case> cases = List.of(
        new Case("nothing imported", "{\"code\":" + Json.encode("export default " + work + ";") + ",\"data\":" + data
            + ",\"partitions\":1}"),
        new Case("import _ from \"lodash\"", "{\"code\":" + Json.encode("import _ from \"lodash\";\nexport default "
            + lodashWork + ";") + ",\"data\":" + data + ",\"partitions\":1}"),
        new Case("\"modules\": [\"lodash\"] (classic script)", "{\"code\":" + Json.encode(lodashWork)
            + ",\"modules\":[\"lodash\"],\"data\":" + data + ",\"partitions\":1}"),
        new Case("lodash pasted into the code", "{\"code\":" + Json.encode(source + "\n;" + lodashWork) + ",\"data\":"
            + data + ",\"partitions\":1}"));
    for (String engine : List.of("v8", "graaljs")) {
      try (Cluster cluster = Cluster.start(1, "--engine", engine)) {
        HttpResponse<String> put = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + cluster.first()
            + "/api/modules/lodash")).timeout(Duration.ofSeconds(60)).PUT(HttpRequest.BodyPublishers.ofString(source))
            .build(), HttpResponse.BodyHandlers.ofString());
        if (put.statusCode() != 201) {
          throw new IllegalStateException("upload failed: " + put.body());
        }
        List<List<Double>> samples = new ArrayList<>();
        for (Case c : cases) {
          long warmUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
          for (int i = 0; i < 20 || System.nanoTime() < warmUntil; i++) {
            JsonObject result = new JsonObject(post(cluster.first(), "/api/jobs", c.body()));
            if (!"completed".equals(result.getString("status"))) {
              throw new IllegalStateException(c.label() + " failed: " + result.encode());
            }
          }
          samples.add(new ArrayList<>());
        }
        // interleaved rounds: every case sees the same machine load
        for (int round = 0; round < 200; round++) {
          for (int i = 0; i < cases.size(); i++) {
            JsonObject result = new JsonObject(post(cluster.first(), "/api/jobs", cases.get(i).body()));
            if (!"completed".equals(result.getString("status"))) {
              throw new IllegalStateException(cases.get(i).label() + " failed: " + result.encode());
            }
            samples.get(i).add(result.getJsonArray("partitions").getJsonObject(0).getDouble("elapsedMs"));
          }
        }
        Stats none = Stats.of(samples.getFirst());
        for (int i = 0; i < cases.size(); i++) {
          Stats st = Stats.of(samples.get(i));
          line(st.row(engine + ": " + cases.get(i).label(), "ms", i == 0 ? "baseline"
              : String.format("+%s ms over the baseline (median)", Stats.fmt(st.median() - none.median()))));
        }
      }
    }
  }

  // ---- warm-up of a fresh cluster --------------------------------------------------------------------------

  /** Seconds of load on a fresh cluster, and the clients sending it. */
  private static final int WARMUP_SECONDS = 60;
  private static final int WARMUP_CLIENTS = 32;

  /**
   * How fast a freshly started 3-node cluster serves trivial 3-part jobs in its first minute, per engine:
   * jobs/s, parts/s and the p50 job latency for each second after the cluster formed.
   */
  private void warmup() throws Exception {
    line("\n## Warm-up: a fresh 3-node cluster under load for its first " + WARMUP_SECONDS + " s\n");
    line(WARMUP_CLIENTS + " HTTP clients, each sending trivial 3-part jobs (`(x) => x`) to the nodes in turn, one at"
        + " a time; load starts as soon as the cluster has formed.\n");
    String body = "{\"code\":\"(x) => x\",\"data\":[1,2,3],\"partitions\":3}";
    for (String engine : List.of("v8", "graaljs")) {
      try (Cluster cluster = Cluster.start(3, "--engine", engine)) {
        List<String> nodes = cluster.nodes.stream().map(NodeProcess::address).toList();
        int seconds = WARMUP_SECONDS;
        List<List<Double>> latencies = new ArrayList<>();
        for (int i = 0; i < seconds; i++) {
          latencies.add(java.util.Collections.synchronizedList(new ArrayList<>()));
        }
        AtomicLong failed = new AtomicLong();
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(seconds);
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
          for (int c = 0; c < WARMUP_CLIENTS; c++) {
            int client = c;
            clients.submit(() -> {
              for (int k = client; System.nanoTime() < end; k++) {
                long sent = System.nanoTime();
                try {
                  if (!post(nodes.get(k % nodes.size()), "/api/jobs", body).contains("\"completed\"")) {
                    failed.incrementAndGet();
                    continue;
                  }
                } catch (IOException e) {
                  failed.incrementAndGet();
                  continue;
                }
                int second = (int) TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
                if (second < seconds) {
                  latencies.get(second).add((System.nanoTime() - sent) / 1e6);
                }
              }
              return null;
            });
          }
        }
        line("### " + engine + "\n");
        line("| second | jobs/s | parts/s | p50 ms | p99 ms |");
        line("|---|---|---|---|---|");
        Integer reached = null;
        for (int i = 0; i < seconds; i++) {
          List<Double> second = latencies.get(i);
          if (second.isEmpty()) {
            line("| " + (i + 1) + " | 0 | 0 | - | - |");
            continue;
          }
          Stats st = Stats.of(new ArrayList<>(second));
          line(String.format("| %d | %d | %d | %.2f | %.2f |", i + 1, second.size(), 3 * second.size(), st.median(),
              st.p99()));
          if (reached == null && 3 * second.size() >= 5_000 && st.median() <= 1.0) {
            reached = i + 1;
          }
        }
        line("\n" + engine + ": " + (reached == null ? "never reached" : "first reached at second " + reached)
            + " the target of 5,000 parts/s with p50 <= 1 ms; " + failed.get() + " jobs failed.\n");
      }
    }
  }

  /**
   * Where a warm part spends its time: a JFR recording of the node while it runs the job {@code runs} more
   * times, as the share of CPU samples per top frame (the method running), grouped by class.
   */
  private static List<String> profile(NodeProcess node, String body, int runs) throws Exception {
    Path file = Files.createTempFile("disruptor-profile", ".jfr");
    String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
    String pid = String.valueOf(node.pid());
    new ProcessBuilder(jcmd, pid, "JFR.start", "name=bench", "settings=profile", "filename=" + file)
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
    for (int i = 0; i < runs; i++) {
      post(node.address(), "/api/jobs", body);
    }
    new ProcessBuilder(jcmd, pid, "JFR.stop", "name=bench")
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
    Map<String, Integer> byClass = new TreeMap<>();
    int total = 0;
    for (jdk.jfr.consumer.RecordedEvent event : jdk.jfr.consumer.RecordingFile.readAllEvents(file)) {
      if (!event.getEventType().getName().equals("jdk.ExecutionSample") || event.getStackTrace() == null
          || event.getStackTrace().getFrames().isEmpty()) {
        continue;
      }
      String thread = event.getThread("sampledThread") == null ? "" : event.getThread("sampledThread").getJavaName();
      if (thread == null || !thread.startsWith("disruptor-js")) {
        continue; // the part's own thread: not the JIT compiler threads or the event loops
      }
      String type = event.getStackTrace().getFrames().getFirst().getMethod().getType().getName();
      byClass.merge(type.replaceAll("\\$.*", ""), 1, Integer::sum);
      total++;
    }
    Files.deleteIfExists(file);
    int all = total;
    return byClass.entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue()).limit(6)
        .map(e -> String.format("%.0f%% %s", 100.0 * e.getValue() / all, e.getKey())).toList();
  }

  /** node's wall and CPU times (ms) for the same function, warm: two lists of {@code runs} samples. */
  private static List<List<Double>> nodeBaseline(String name, int warmup, int runs) throws Exception {
    Path script = Path.of(System.getProperty("disruptor.home", ".")).resolve("bench/node/js-speed.js");
    Process p = new ProcessBuilder("node", script.toString(), name, String.valueOf(warmup), String.valueOf(runs))
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    p.waitFor();
    List<Double> samples = new ArrayList<>();
    List<Double> cpu = new ArrayList<>();
    JsonObject answer = new JsonObject(out.trim());
    answer.getJsonArray("samplesMs").forEach(v -> samples.add(((Number) v).doubleValue()));
    answer.getJsonArray("cpuMs").forEach(v -> cpu.add(((Number) v).doubleValue()));
    return List.of(samples, cpu);
  }

  private static String nodeVersion() throws Exception {
    Process p = new ProcessBuilder("node", "--version").start();
    return new String(p.getInputStream().readAllBytes()).trim();
  }

  // ---- a. Job overhead against the raw event-bus round trip ---------------------------------------------

  private void overhead() throws Exception {
    line("\n## Job overhead: trivial jobs against the raw clustered event-bus round trip\n");
    line("Trivial job `(x) => x` on tiny data, one client, sync HTTP with keep-alive. Baseline: from a Vert.x"
        + " member of the same cluster (no HTTP, no JS), a request to every node's own address and the join of"
        + " the replies.\n");
    line(Stats.header());
    Chart cdf = new Chart("Latency CDF, 3 nodes", "ms", "% of requests");
    Chart throughput = new Chart("Trivial parts/s vs clients in flight, 3 nodes", "clients", "parts/s");
    for (int n : new int[] {1, 3}) {
      try (Cluster cluster = Cluster.start(n); RawBus raw = RawBus.join(cluster)) {
        String node = cluster.first();
        String map = "{\"code\":\"(x) => x\",\"data\":" + jsonArray(n, i -> i) + ",\"partitions\":" + n + "}";
        String broadcast = "{\"code\":\"(x) => x\",\"mode\":\"broadcast\",\"data\":1}";
        line(warmUp(n, node, map, raw));
        // job and raw samples alternate, so both see the same machine (GC, JIT, the other processes)
        List<List<Double>> mapPairs = interleaved(SAMPLES, () -> post(node, "/api/jobs", map), raw::roundTrip);
        List<Double> mapSamples = mapPairs.get(0);
        List<Double> rawSamples = mapPairs.get(1);
        Stats m = Stats.of(mapSamples);
        Stats r = Stats.of(rawSamples);
        // measured before the Hazelcast baseline, whose extra JVMs would share the cores; broadcast takes
        // another path through the coordinator (placement on every node), warmed on its own first
        List<List<Double>> broadcastPairs = null;
        if (n == 3) {
          for (int i = 0; i < 2_000; i++) {
            post(node, "/api/jobs", broadcast);
          }
          broadcastPairs = interleaved(SAMPLES, () -> post(node, "/api/jobs", broadcast), raw::roundTrip);
        }
        line(r.row(n + " node(s): raw event-bus collect round trip", "ms", "baseline, interleaved with the map job"));
        line(Stats.of(hazelcastExecutor(n)).row(n + " member(s): Hazelcast IExecutorService, trivial Callable on every member",
            "ms", "baseline"));
        line(m.row(n + " node(s): map job, " + n + " part(s), HTTP", "ms", String.format("job/raw = **%.2fx**", m.median() / r.median())));
        // the profile behind the ratio: CPU the nodes spend per trivial job and per raw round trip
        double jobCpu = cpuPerRun(cluster, 1_000, () -> post(node, "/api/jobs", map));
        double rawCpu = cpuPerRun(cluster, 1_000, raw::roundTrip);
        line(String.format("| %d node(s): CPU of all nodes per operation | ms | %.3f per map job | | | | %.3f per raw round trip |",
            n, jobCpu, rawCpu));
        if (n == 3) {
          Stats b = Stats.of(broadcastPairs.get(0));
          Stats br = Stats.of(broadcastPairs.get(1));
          line(b.row("3 nodes: broadcast job, HTTP", "ms", String.format("job/raw = **%.2fx** (raw median %s ms, interleaved)",
              b.median() / br.median(), Stats.fmt(br.median()))));
          cdf.series("raw event bus", Chart.cdf(rawSamples)).series("map job (HTTP)", Chart.cdf(mapSamples));
          List<double[]> httpPoints = new ArrayList<>();
          List<double[]> wsPoints = new ArrayList<>();
          for (int clients : new int[] {1, 4, 16, 64}) {
            HttpResult http = httpThroughput(node, map, clients, THROUGHPUT_SECONDS);
            WsResult ws = wsThroughput(node, map, clients, THROUGHPUT_SECONDS);
            httpPoints.add(new double[] {clients, http.rate() * n});
            wsPoints.add(new double[] {clients, ws.rate() * n});
            line(String.format("| 3 nodes: trivial parts/s, %d in flight | parts/s | %.0f (HTTP keep-alive%s) | | | | %.0f over one WebSocket%s |",
                clients, http.rate() * n, http.problems(), ws.rate() * n, ws.problems()));
          }
          double rawRate = raw.throughput(256, THROUGHPUT_SECONDS) * n;
          line(String.format("| 3 nodes: raw event-bus requests/s, 256 in flight | req/s | %.0f | | | | baseline |", rawRate));
          throughput.series("HTTP keep-alive", httpPoints).series("WebSocket", wsPoints);
        }
      }
    }
    cdf.write(RESULTS.resolve("latency-cdf.png"));
    throughput.write(RESULTS.resolve("throughput-vs-clients.png"));
    line("\nPlots: `bench/results/latency-cdf.png`, `bench/results/throughput-vs-clients.png`.");
  }

  /**
   * Warms a cluster and this JVM: {@link #WARM_UP_SECONDS} of WebSocket load (64 in flight, the map job)
   * in slices, then 2,000 sequential HTTP jobs and raw round trips. Returns a table row with the rate of
   * each slice, so the warm-up curve shows whether it reached the steady state.
   */
  private static String warmUp(int n, String node, String map, RawBus raw) throws Exception {
    long start = System.nanoTime();
    List<String> curve = new ArrayList<>();
    double last = Double.NaN;
    int lastSeconds = 0;
    long notCompleted = 0;
    for (int left = WARM_UP_SECONDS; left > 0; left -= lastSeconds) {
      lastSeconds = Math.min(WARM_UP_SLICE_SECONDS, left);
      WsResult slice = wsThroughput(node, map, 64, lastSeconds);
      last = slice.rate();
      notCompleted += slice.notCompleted();
      curve.add(String.format("%.0f", last));
    }
    for (int i = 0; i < 2_000; i++) {
      post(node, "/api/jobs", map);
      raw.roundTrip();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    return String.format("| %d node(s): warm-up, WebSocket map jobs, 64 in flight | jobs/s | %s in the last %d s | | | |"
        + " %d s of load then 2,000 sequential HTTP jobs and raw round trips, %.0f s in all; jobs/s per %d s: %s%s |",
        n, Stats.fmt(last), lastSeconds, WARM_UP_SECONDS, seconds,
        WARM_UP_SLICE_SECONDS, curve.isEmpty() ? "none" : String.join(", ", curve),
        notCompleted > 0 ? "; " + notCompleted + " jobs not completed" : "");
  }

  /** The Hazelcast executor baseline: n plain member JVMs, and this JVM as one more member that submits. */
  private static List<Double> hazelcastExecutor(int n) throws Exception {
    String name = "bench-hz-" + UUID.randomUUID();
    List<Integer> ports = new ArrayList<>();
    for (int i = 0; i < n + 1; i++) {
      ports.add(HostPort.parse(NodeProcess.freeAddress()).port());
    }
    String members = String.join(",", ports.stream().map(String::valueOf).toList());
    List<Process> processes = new ArrayList<>();
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    try {
      for (int i = 0; i < n; i++) {
        processes.add(new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
            HazelcastMember.class.getName(), name, String.valueOf(ports.get(i)), members)
            .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
      }
      com.hazelcast.core.HazelcastInstance self = com.hazelcast.core.Hazelcast.newHazelcastInstance(
          HazelcastMember.config(name, ports.get(n), members).setLiteMember(true));
      try {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (self.getCluster().getMembers().size() < n + 1) {
          if (System.nanoTime() > end) {
            throw new IllegalStateException("Hazelcast baseline cluster did not form");
          }
          Thread.sleep(100);
        }
        var executor = self.getExecutorService("bench");
        Action round = () -> {
          // the n data members, as many as the grid's nodes (this submitting JVM is a lite member)
          for (var future : executor.submitToMembers(new HazelcastMember.Echo(1),
              com.hazelcast.cluster.memberselector.MemberSelectors.DATA_MEMBER_SELECTOR).values()) {
            future.get(10, TimeUnit.SECONDS);
          }
        };
        timed(300, round);
        return timed(500, round);
      } finally {
        self.shutdown();
      }
    } finally {
      processes.forEach(Process::destroy);
      // wait for the members to exit, so their shutdown takes no CPU from the next measure
      for (Process p : processes) {
        p.waitFor(30, TimeUnit.SECONDS);
      }
    }
  }

  /** Jobs/s of 200 responses; failed requests and other statuses counted apart (and printed when any). */
  private record HttpResult(double rate, long errors, long non200) {
    String problems() {
      return (errors > 0 ? ", " + errors + " failed requests" : "") + (non200 > 0 ? ", " + non200 + " non-200 responses" : "");
    }
  }

  private static HttpResult httpThroughput(String node, String body, int clients, int seconds) throws Exception {
    AtomicLong ok = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    AtomicLong non200 = new AtomicLong();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    List<Thread> threads = new ArrayList<>();
    try (ExecutorService pool = Executors.newFixedThreadPool(4);
        HttpClient client = HttpClient.newBuilder().executor(pool).build()) {
      HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + node + "/api/jobs"))
          .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(body)).build();
      for (int c = 0; c < clients; c++) {
        threads.add(Thread.ofVirtual().start(() -> {
          while (System.nanoTime() < end) {
            try {
              int status = client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
              (status == 200 ? ok : non200).incrementAndGet();
            } catch (InterruptedException e) {
              return;
            } catch (Exception e) {
              // counted, and the client goes on: a client that stopped would end part of the load early
              // (the pause keeps a refused connection from spinning)
              errors.incrementAndGet();
              java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            }
          }
        }));
      }
      for (Thread t : threads) {
        t.join();
      }
    }
    return new HttpResult(ok.get() / (double) seconds, errors.get(), non200.get());
  }

  /**
   * Jobs/s completed over one WebSocket; the other final events by type, and jobs lost (a failed send, or
   * no final event before the wait ended), counted apart.
   */
  private record WsResult(double rate, Map<String, Long> failed, long lost) {
    long notCompleted() {
      return failed.values().stream().mapToLong(Long::longValue).sum() + lost;
    }

    String problems() {
      if (notCompleted() == 0) {
        return "";
      }
      List<String> kinds = new ArrayList<>();
      failed.forEach((type, count) -> kinds.add(count + " " + type));
      if (lost > 0) {
        kinds.add(lost + " lost");
      }
      return "; " + notCompleted() + " not completed: " + String.join(", ", kinds);
    }
  }

  private static WsResult wsThroughput(String node, String body, int inFlight, int seconds) throws Exception {
    AtomicLong completed = new AtomicLong();
    Map<String, AtomicLong> failed = new ConcurrentHashMap<>();
    AtomicLong lostSends = new AtomicLong();
    AtomicLong outstanding = new AtomicLong(inFlight);
    CompletableFuture<Void> finished = new CompletableFuture<>();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    WebSocket[] socket = new WebSocket[1];
    // java.net.http.WebSocket refuses a sendText while the previous one is pending (the future fails with
    // IllegalStateException and the job is lost): every send goes through this one thread, one at a time
    try (ExecutorService sender = Executors.newSingleThreadExecutor()) {
      Runnable slotDone = () -> {
        if (outstanding.decrementAndGet() == 0) {
          finished.complete(null);
        }
      };
      Runnable send = () -> sender.execute(() -> {
        try {
          socket[0].sendText(body, true).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
          lostSends.incrementAndGet();
          slotDone.run();
        }
      });
      WebSocket.Listener listener = new WebSocket.Listener() {
        private final StringBuilder text = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
          text.append(data);
          if (last) {
            String type = eventType(text.toString());
            text.setLength(0);
            if (FINAL_EVENTS.contains(type)) {
              if (type.equals("completed")) {
                completed.incrementAndGet();
              } else {
                failed.computeIfAbsent(type, t -> new AtomicLong()).incrementAndGet();
              }
              if (System.nanoTime() < end) {
                send.run();
              } else {
                slotDone.run();
              }
            }
          }
          ws.request(1);
          return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int status, String reason) {
          finished.complete(null);
          return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
          finished.complete(null);
        }
      };
      socket[0] = HTTP.newWebSocketBuilder().buildAsync(URI.create("ws://" + node + "/api/jobs/ws"), listener).get();
      for (int i = 0; i < inFlight; i++) {
        send.run();
      }
      try {
        finished.get(seconds + 30L, TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        // reported below as lost jobs rather than ending the suite
      }
      sender.execute(() -> socket[0].sendClose(WebSocket.NORMAL_CLOSURE, "done"));
    }
    Map<String, Long> failures = new TreeMap<>();
    failed.forEach((type, count) -> failures.put(type, count.get()));
    // a job still outstanding got no final event: lost, like a failed send
    return new WsResult(completed.get() / (double) seconds, failures, lostSends.get() + Math.max(0, outstanding.get()));
  }

  /**
   * The type of a job event. Events are JSON objects that mostly start with their type, but a `partition`
   * event starts with its spliced-in result (which may hold any text), and an `accepted` one with a `ref`.
   */
  static String eventType(String event) {
    String prefix = "{\"type\":\"";
    if (event.startsWith(prefix)) {
      int close = event.indexOf('"', prefix.length());
      return close < 0 ? "" : event.substring(prefix.length(), close);
    }
    if (event.startsWith("{\"result\"")) {
      return "partition";
    }
    try {
      return new JsonObject(event).getString("type", "");
    } catch (RuntimeException e) {
      return "";
    }
  }

  // ---- c. Data path ---------------------------------------------------------------------------------------

  private void dataPath() throws Exception {
    int n = 1_000_000;
    line("\n## Data path: a map job over 1e6 integers in 8 parts, each squared, all results back, 3 nodes\n");
    line("Default configuration and heap (run.sh's). JSON: the request `{\"code\": \"(xs) => xs.map(x => x * x)\", "
        + "\"data\": [0, 1, ...], \"partitions\": 8}`, with no reduce (the parts' arrays), the built-in `\"flat\"`, "
        + "or a JS reduce `(parts) => parts.flat()`. Binary: the same numbers as float64 in an"
        + " `application/octet-stream` body, parts get a Float64Array and return one, the answer is the joined"
        + " bytes (`Accept: application/octet-stream`). Baselines, same machine, same run: one node process doing"
        + " the same work alone (no grid), and a Jackson decode of the array in one JVM.\n");
    String data = jsonArray(n, i -> i);
    String code = "(xs) => xs.map(x => x * x)";
    record Kind(String label, byte[] body, boolean binary, double mbIn) { }
    java.nio.ByteBuffer elements = java.nio.ByteBuffer.allocate(n * 8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i++) {
      elements.putDouble(i);
    }
    byte[] head = ("{\"code\":" + Json.encode(code) + ",\"partitions\":8,\"dtype\":\"float64\"}\n")
        .getBytes(StandardCharsets.UTF_8);
    byte[] binaryBody = java.util.Arrays.copyOf(head, head.length + n * 8);
    System.arraycopy(elements.array(), 0, binaryBody, head.length, n * 8);
    java.util.function.Function<String, byte[]> json = reduce -> ("{\"code\":" + Json.encode(code) + ",\"data\":" + data
        + ",\"partitions\":8" + (reduce == null ? "" : ",\"reduce\":" + Json.encode(reduce)) + "}")
        .getBytes(StandardCharsets.UTF_8);
    List<Kind> kinds = List.of(
        new Kind("JSON, no reduce", json.apply(null), false, 0),
        new Kind("JSON, reduce \"flat\" (built in)", json.apply("flat"), false, 0),
        new Kind("JSON, JS reduce (parts) => parts.flat()", json.apply("(parts) => parts.flat()"), false, 0),
        new Kind("binary float64", binaryBody, true, 0));
    try (Cluster cluster = Cluster.startWithHeap(3, NodeProcess.DEFAULT_HEAP)) {
      String node = cluster.first();
      line(Stats.header());
      Map<String, Stats> warm = new java.util.LinkedHashMap<>();
      for (Kind kind : kinds) {
        Action job = () -> {
          HttpResponse<byte[]> answer = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + node + "/api/jobs"))
              .timeout(Duration.ofSeconds(120)).header("content-type", kind.binary() ? "application/octet-stream"
                  : "application/json").header("accept", kind.binary() ? "application/octet-stream" : "application/json")
              .POST(HttpRequest.BodyPublishers.ofByteArray(kind.body())).build(), HttpResponse.BodyHandlers.ofByteArray());
          if (answer.statusCode() != 200) {
            throw new IllegalStateException(kind.label() + ": " + new String(answer.body(), 0,
                Math.min(300, answer.body().length), StandardCharsets.UTF_8));
          }
        };
        // the first job of each kind on these nodes, then a warm-up of 15 jobs and at least 10 s
        List<Double> first = timed(1, job);
        long warmUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (int i = 1; i < 15 || System.nanoTime() < warmUntil; i++) {
          job.run();
        }
        Stats s = Stats.of(timed(10, job));
        warm.put(kind.label(), s);
        double mb = kind.body().length / 1e6;
        line(s.row(kind.label() + String.format(", warm (%.1f MB in)", mb), "ms",
            String.format("%.0f MB/s in; the first such job on these nodes: %s ms", mb / (s.median() / 1000),
                Stats.fmt(first.getFirst()))));
      }
      Process p = new ProcessBuilder("node", Path.of(System.getProperty("disruptor.home", "."))
          .resolve("bench/node/data-path.js").toString(), "10").redirectErrorStream(true).start();
      JsonObject baseline = new JsonObject(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim());
      p.waitFor();
      List<Double> nodeJson = new ArrayList<>();
      List<Double> nodeBinary = new ArrayList<>();
      baseline.getJsonArray("jsonMs").forEach(v -> nodeJson.add(((Number) v).doubleValue()));
      baseline.getJsonArray("binaryMs").forEach(v -> nodeBinary.add(((Number) v).doubleValue()));
      Stats nj = Stats.of(nodeJson);
      Stats nb = Stats.of(nodeBinary);
      line(nj.row("baseline: one node " + nodeVersion() + " process, JSON parse, map, stringify (no grid)", "ms",
          String.format("grid JSON flat / this = %.2fx", warm.get("JSON, reduce \"flat\" (built in)").median() / nj.median())));
      line(nb.row("baseline: one node process, the same on a Float64Array (no grid)", "ms",
          String.format("grid binary / this = %.2fx", warm.get("binary float64").median() / nb.median())));
      line(Stats.of(timed(10, () -> new JsonArray(data))).row("baseline: Jackson decode of the same array in one JVM",
          "ms", ""));
    }
  }

  // ---- d. Scaling -------------------------------------------------------------------------------------------

  private void scaling() throws Exception {
    int cores = Runtime.getRuntime().availableProcessors();
    // every node gets an eighth of the machine's cores as JS workers, as if each were its own small machine:
    // 8 nodes then use all of it, and the speedup shows how the grid spreads work, not how one node
    // already fills every core
    int workers = Math.max(1, cores / 8);
    line("\n## Scaling: 64 parts of fib(30) on 1, 2, 4 and 8 node processes (" + cores + " cores, "
        + workers + " JS worker(s) per node)\n");
    line("| nodes | JS workers in all | median wall ms | speedup vs 1 node | efficiency |\n|---|---|---|---|---|");
    String body = "{\"code\":" + Json.encode(FIB) + ",\"data\":" + jsonArray(64, i -> 30) + ",\"partitions\":64}";
    double base = 0;
    List<double[]> curve = new ArrayList<>();
    for (int n : new int[] {1, 2, 4, 8}) {
      try (Cluster cluster = Cluster.start(n, "--worker-threads", String.valueOf(workers))) {
        String node = cluster.first();
        // warm every node's JIT on fib: at least 8 jobs and 10 s
        long warmUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (int i = 0; i < 8 || System.nanoTime() < warmUntil; i++) {
          post(node, "/api/jobs", body);
        }
        Stats s = Stats.of(timed(5, () -> post(node, "/api/jobs", body)));
        base = n == 1 ? s.median() : base;
        double speedup = base / s.median();
        curve.add(new double[] {n, speedup});
        line(String.format("| %d | %d | %.0f | %.2f | %.0f %% |", n, n * workers, s.median(), speedup, 100 * speedup / n));
      }
    }
    new Chart("Speedup of 64 x fib(30) vs 1 node (" + cores + " cores)", "nodes", "speedup")
        .series("measured", curve).series("ideal", List.of(new double[] {1, 1}, new double[] {8, 8}))
        .write(RESULTS.resolve("scaling.png"));
    line("\nEfficiency is speedup / nodes. Beyond " + cores + " JS workers in all the processes share the cores,"
        + " so the speedup is capped by the machine (" + Math.max(1, cores / workers) + " nodes). Plot:"
        + " `bench/results/scaling.png`.");
  }

  // ---- e. Cold start and join -------------------------------------------------------------------------------

  private void startup() throws Exception {
    line("\n## Cold start and join\n");
    // with and without the build's AOT cache (target/node.aot), interleaved: wall time and the node's CPU
    List<Double> first = new ArrayList<>();
    List<Double> firstCpu = new ArrayList<>();
    List<Double> bare = new ArrayList<>();
    List<Double> bareCpu = new ArrayList<>();
    List<Double> join = new ArrayList<>();
    boolean cached = java.nio.file.Files.isRegularFile(java.nio.file.Path.of("target/node.aot"));
    for (int i = 0; i < 4; i++) {
      for (boolean aot : cached ? List.of(true, false) : List.of(false)) {
        System.setProperty("disruptor.nodeAot", String.valueOf(aot));
        long start = System.nanoTime();
        String a = NodeProcess.freeAddress();
        String cluster = "bench-" + UUID.randomUUID();
        try (NodeProcess node = NodeProcess.start(a, "--cluster", cluster)) {
          while (true) {
            try {
              if (post(a, "/api/jobs", "{\"code\":\"(x) => x\",\"data\":[1]}").contains("\"completed\"")) {
                break;
              }
            } catch (IOException e) {
              Thread.sleep(20);
            }
          }
          (aot ? first : bare).add((System.nanoTime() - start) / 1e6);
          (aot ? firstCpu : bareCpu).add(node.process().info().totalCpuDuration().orElseThrow().toNanos() / 1e6);
          if (aot || !cached) {
            long joinStart = System.nanoTime();
            String b = NodeProcess.freeAddress();
            try (NodeProcess second = NodeProcess.start(b, a, "--cluster", cluster)) {
              while (!get(a, "/api/peers").contains(b)) {
                Thread.sleep(20);
              }
              join.add((System.nanoTime() - joinStart) / 1e6);
            }
          }
        }
      }
    }
    System.clearProperty("disruptor.nodeAot");
    line(Stats.header());
    if (cached) {
      line(Stats.of(first).row("process start to first job served, AOT cache", "ms", "no cache: "
          + Stats.fmt(Stats.of(bare).median()) + " ms median"));
      line(Stats.of(firstCpu).row("node CPU to first job served, AOT cache", "ms", "no cache: "
          + Stats.fmt(Stats.of(bareCpu).median()) + " ms median"));
      line(Stats.of(bare).row("process start to first job served, no AOT cache", "ms", "JVM + Hazelcast + V8 runners"));
    } else {
      line(Stats.of(bare).row("process start to first job served (no target/node.aot)", "ms",
          "JVM + Hazelcast + V8 runners"));
      line(Stats.of(bareCpu).row("node CPU to first job served (no target/node.aot)", "ms", ""));
    }
    line(Stats.of(join).row("new node start to listed by its peer", "ms", "joinWaitSeconds = 1"));
  }

  // ---- helpers ------------------------------------------------------------------------------------------------

  interface Action {
    void run() throws Exception;
  }

  private static List<Double> timed(int runs, Action action) throws Exception {
    List<Double> samples = new ArrayList<>(runs);
    for (int i = 0; i < runs; i++) {
      long t = System.nanoTime();
      action.run();
      samples.add((System.nanoTime() - t) / 1e6);
    }
    return samples;
  }

  /** Runs the actions in turn, `runs` rounds; one list of samples (ms) per action, in the actions' order. */
  /** CPU time (user + system) the cluster's node processes spend per run of {@code action}, in ms. */
  private static double cpuPerRun(Cluster cluster, int runs, Action action) throws Exception {
    long before = cpuNanos(cluster);
    for (int i = 0; i < runs; i++) {
      action.run();
    }
    return (cpuNanos(cluster) - before) / 1e6 / runs;
  }

  private static long cpuNanos(Cluster cluster) {
    return cluster.nodes.stream().mapToLong(node -> node.process().info().totalCpuDuration()
        .orElseThrow(() -> new IllegalStateException("no CPU time for process " + node.pid())).toNanos()).sum();
  }

  private static List<List<Double>> interleaved(int runs, Action... actions) throws Exception {
    List<List<Double>> samples = new ArrayList<>();
    for (Action ignored : actions) {
      samples.add(new ArrayList<>(runs));
    }
    for (int i = 0; i < runs; i++) {
      for (int a = 0; a < actions.length; a++) {
        long t = System.nanoTime();
        actions[a].run();
        samples.get(a).add((System.nanoTime() - t) / 1e6);
      }
    }
    return samples;
  }

  static String post(String node, String path, String body) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://" + node + path)).timeout(Duration.ofSeconds(120))
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()).body();
  }

  static String get(String node, String path) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://" + node + path)).timeout(Duration.ofSeconds(30))
        .GET().build(), HttpResponse.BodyHandlers.ofString()).body();
  }

  private static String jsonArray(int n, java.util.function.IntFunction<Object> element) {
    StringBuilder out = new StringBuilder(n * 8).append('[');
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        out.append(',');
      }
      out.append(element.apply(i));
    }
    return out.append(']').toString();
  }

  private static String cpuModel() {
    try {
      return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
          .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("unknown CPU");
    } catch (IOException e) {
      return "unknown CPU";
    }
  }

  /** N chained node processes with a fresh cluster name; closed together. */
  static final class Cluster implements AutoCloseable {
    final String name = "bench-" + UUID.randomUUID();
    final List<NodeProcess> nodes = new ArrayList<>();

    static Cluster start(int n, String... options) throws Exception {
      return startWithHeap(n, "256m", options);
    }

    /** As {@link #start}, each node with the given -Xmx. */
    static Cluster startWithHeap(int n, String heap, String... options) throws Exception {
      Cluster cluster = new Cluster();
      String previous = null;
      for (int i = 0; i < n; i++) {
        String address = NodeProcess.freeAddress();
        List<String> args = new ArrayList<>();
        if (previous != null) {
          args.add(previous);
        }
        args.addAll(List.of("--cluster", cluster.name));
        args.addAll(List.of(options));
        cluster.nodes.add(NodeProcess.startWithHeap(heap, address, args.toArray(String[]::new)));
        previous = address;
      }
      for (NodeProcess node : cluster.nodes) {
        node.awaitUp(Duration.ofSeconds(120));
      }
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      for (NodeProcess node : cluster.nodes) {
        while (new JsonObject(node.get("/api/peers").body()).getJsonArray("peers").size() < n) {
          if (System.nanoTime() > end) {
            throw new IllegalStateException("cluster of " + n + " did not form");
          }
          Thread.sleep(100);
        }
      }
      return cluster;
    }

    String first() {
      return nodes.getFirst().address();
    }

    @Override
    public void close() throws Exception {
      for (NodeProcess node : nodes) {
        node.process().destroy();
      }
      for (NodeProcess node : nodes) {
        node.close();
      }
    }
  }

  /** A plain Vert.x member of the benchmark cluster: the raw scatter/gather baseline. */
  static final class RawBus implements AutoCloseable {
    private final Vertx vertx;
    private final List<String> nodeIds;

    private RawBus(Vertx vertx, List<String> nodeIds) {
      this.vertx = vertx;
      this.nodeIds = nodeIds;
    }

    static RawBus join(Cluster cluster) throws Exception {
      JsonObject conf = Config.defaults().put("cluster", cluster.name);
      HostPort self = HostPort.parse(NodeProcess.freeAddress());
      HostPort member = self.withPort(self.port() + conf.getInteger("memberPortOffset"));
      List<HostPort> peers = cluster.nodes.stream()
          .map(n -> HostPort.parse(n.address()).withPort(HostPort.parse(n.address()).port() + 10000)).toList();
      HazelcastClusterManager manager = new HazelcastClusterManager(HazelcastSetup.memberConfig(conf, self, member, peers));
      Vertx vertx = Vertx.builder().with(new VertxOptions().setEventBusOptions(new EventBusOptions()
          .setHost("127.0.0.1").setClusterPublicHost("127.0.0.1"))).withClusterManager(manager).buildClustered()
          .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
      List<String> ids = new ArrayList<>();
      new JsonObject(get(cluster.first(), "/api/peers")).getJsonArray("peers")
          .forEach(p -> ids.add(((JsonObject) p).getString("id")));
      return new RawBus(vertx, ids);
    }

    void roundTrip() throws Exception {
      Future.join(nodeIds.stream().map(id -> vertx.eventBus().request(Addresses.stats(id), null,
          new DeliveryOptions().setSendTimeout(5000))).toList())
          .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    double throughput(int inFlight, int seconds) throws Exception {
      AtomicLong done = new AtomicLong();
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
      CompletableFuture<Void> all = new CompletableFuture<>();
      AtomicLong active = new AtomicLong(inFlight);
      for (int i = 0; i < inFlight; i++) {
        vertx.runOnContext(v -> loop(done, end, active, all));
      }
      all.get(seconds + 30L, TimeUnit.SECONDS);
      return done.get() / (double) seconds;
    }

    private void loop(AtomicLong done, long end, AtomicLong active, CompletableFuture<Void> all) {
      Future.join(nodeIds.stream().map(id -> vertx.eventBus().request(Addresses.stats(id), null)).toList())
          .onComplete(ar -> {
            done.incrementAndGet();
            if (System.nanoTime() < end) {
              loop(done, end, active, all);
            } else if (active.decrementAndGet() == 0) {
              all.complete(null);
            }
          });
    }

    @Override
    public void close() throws Exception {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }
}
