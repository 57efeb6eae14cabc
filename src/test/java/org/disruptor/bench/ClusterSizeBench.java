package org.disruptor.bench;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.disruptor.e2e.NodeChain;
import org.disruptor.e2e.NodeProcess;

/**
 * {@code ./run.sh bench cluster-size}: what each step costs as the cluster grows, on N = 1, 3, 6, 12, 24 node
 * processes of one machine (a {@link NodeChain}: small heaps, one JS worker each, each node given the
 * previous one as its only peer). For each N: formation time, how long a killed node stays listed, a trivial
 * broadcast job's and a one-part-per-node map job's latency, the CPU and event-bus messages each costs
 * across all nodes, RSS per node and the idle cluster's background CPU. Prints a table, writes one plot per
 * figure group against N, and fits each figure's log-log slope (1 = linear in N, 2 = quadratic).
 */
final class ClusterSizeBench {

  private static final List<Integer> SIZES = parseSizes(System.getProperty("bench.cluster.sizes", "1,3,6,12,24"));
  /** Timed runs of each job per N. */
  private static final int RUNS = Integer.getInteger("bench.cluster.runs", 40);
  /** Seconds of an idle cluster whose CPU is measured. */
  private static final int IDLE_SECONDS = Integer.getInteger("bench.cluster.idle.seconds", 10);
  private static final java.time.Duration FORMED = java.time.Duration.ofMinutes(10);
  private static final String BROADCAST = "{\"mode\":\"broadcast\",\"code\":\"(d, ctx) => ctx.node\"}";
  private static final String ONE_PART = "{\"code\":\"(x) => x\",\"data\":[1],\"partitions\":1}";
  private static final long CLOCK_TICKS = 100;

  private final Consumer<String> out;
  private final Path results;

  ClusterSizeBench(Consumer<String> out, Path results) {
    this.out = out;
    this.results = results;
  }

  /** One row of figures for one cluster size; NaN where a figure does not apply (no kill on 1 node). */
  private record Row(int n, double formedS, double joinS, double leaveS, Stats broadcast, Stats map, Stats onePart,
      double broadcastCpuMs, double mapCpuMs, double broadcastMsgs, double mapMsgs, double idleCpuPct,
      double idleMsgsPerS, double nodeRssMb, double runnerRssMb, String load) {
  }

  void run() throws Exception {
    out.accept("\n## Cluster size: the cost of each step on 1 to " + SIZES.getLast() + " nodes of one machine\n");
    out.accept("Node processes from the fat jar, -Xmx" + NodeChain.HEAP + ", `workerThreads` 1 (one V8 runner each),"
        + " loopback, a chain of single peers started " + NodeChain.WAVE + " at a time. Jobs are sent one at a time"
        + " to node 0 after 20 warm-up runs; " + RUNS + " timed runs each. CPU is user + system of every node and"
        + " runner process (/proc), less the idle cluster's rate over the same time; event-bus messages are the"
        + " sum over nodes of `vertx_eventbus_sent_total` + `vertx_eventbus_published_total` on `/metrics`, less"
        + " the idle rate. Hazelcast's own traffic (heartbeats, map operations) is not exposed in /metrics.\n");
    List<Row> rows = new ArrayList<>();
    for (int n : SIZES) {
      try {
        rows.add(measure(n));
      } catch (Exception | AssertionError e) {
        // a node that could not start on the loaded machine: report the sizes measured so far
        out.accept("\nN = " + n + " did not complete: " + String.valueOf(e.getMessage()).lines().findFirst().orElse("")
            + " (machine load " + loadAverage() + ")");
        break;
      }
      table(rows);
    }
    out.accept("\nFinal table:\n");
    table(rows);
    slopes(rows);
    plots(rows);
  }

  private Row measure(int n) throws Exception {
    out.accept("\nN = " + n + ": starting ...");
    try (NodeChain chain = NodeChain.start(n)) {
      chain.awaitFormed(FORMED);
      long formed = System.nanoTime();
      double formedS = (formed - chain.startedAt()) / 1e9;
      String node = chain.node(0).address();
      String load = loadAverage();
      for (int i = 0; i < 20; i++) {
        job(node, BROADCAST);
        job(node, mapBody(n));
        job(node, ONE_PART);
      }
      // idle: background CPU and messages (stats pushes, Hazelcast heartbeats, peer refreshes)
      long idleStart = System.nanoTime();
      long cpu0 = cpuNanos(chain);
      double msgs0 = messages(chain);
      Thread.sleep(IDLE_SECONDS * 1000L);
      double idleSeconds = (System.nanoTime() - idleStart) / 1e9;
      double idleCpuNsPerS = (cpuNanos(chain) - cpu0) / idleSeconds;
      double idleMsgsPerS = (messages(chain) - msgs0) / idleSeconds;
      Measured broadcast = measureJob(chain, node, BROADCAST, n, idleCpuNsPerS, idleMsgsPerS);
      Measured map = measureJob(chain, node, mapBody(n), n, idleCpuNsPerS, idleMsgsPerS);
      Measured onePart = measureJob(chain, node, ONE_PART, 1, idleCpuNsPerS, idleMsgsPerS);
      List<Double> nodeRss = new ArrayList<>();
      List<Double> runnerRss = new ArrayList<>();
      for (NodeProcess p : chain.nodes()) {
        nodeRss.add(rssMb(p.pid()));
        runnerRss.add(p.process().toHandle().descendants().mapToDouble(h -> rssMb(h.pid())).sum());
      }
      double leaveS = n < 2 ? Double.NaN : killLast(chain);
      double joinS = n < 2 ? Double.NaN : joinOne(chain);
      Row row = new Row(n, formedS, joinS, leaveS, broadcast.latency, map.latency, onePart.latency, broadcast.cpuMs,
          map.cpuMs, broadcast.messages, map.messages, 100 * idleCpuNsPerS / 1e9, idleMsgsPerS,
          Stats.of(nodeRss).median(), Stats.of(runnerRss).median(), load);
      return row;
    }
  }

  private record Measured(Stats latency, double cpuMs, double messages) {
  }

  /** RUNS sequential runs of {@code body}: latency, and CPU and messages per run less the idle rates. */
  private static Measured measureJob(NodeChain chain, String node, String body, int parts, double idleCpuNsPerS,
      double idleMsgsPerS) throws Exception {
    List<Double> samples = new ArrayList<>();
    long t0 = System.nanoTime();
    long cpu0 = cpuNanos(chain);
    double msgs0 = messages(chain);
    for (int i = 0; i < RUNS; i++) {
      long t = System.nanoTime();
      JsonObject result = new JsonObject(job(node, body));
      samples.add((System.nanoTime() - t) / 1e6);
      if (result.getJsonArray("partitions").size() != parts) {
        throw new IllegalStateException("expected " + parts + " parts: " + result.encode());
      }
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    double cpuMs = (cpuNanos(chain) - cpu0 - idleCpuNsPerS * seconds) / 1e6 / RUNS;
    double msgs = (messages(chain) - msgs0 - idleMsgsPerS * seconds) / RUNS;
    return new Measured(Stats.of(samples), cpuMs, msgs);
  }

  /** kill -9 of the last node; seconds until no other node lists it (each polled on its own thread). */
  private static double killLast(NodeChain chain) throws Exception {
    int n = chain.size();
    NodeProcess victim = chain.node(n - 1);
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(n - 1, 8));
    try {
      long t0 = System.nanoTime();
      victim.kill();
      List<Future<Long>> seen = new ArrayList<>();
      for (int i = 0; i < n - 1; i++) {
        NodeProcess survivor = chain.node(i);
        seen.add(pool.submit(() -> {
          long end = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
          while (System.nanoTime() < end) {
            try {
              JsonObject health = new JsonObject(survivor.get("/health").body());
              if (health.getJsonObject("cluster").getInteger("peers") < n) {
                return System.nanoTime();
              }
            } catch (IOException e) {
              // not answering this instant: poll again
            }
            Thread.sleep(20);
          }
          throw new IllegalStateException(survivor.address() + " still lists the killed node after 3 minutes");
        }));
      }
      long last = 0;
      for (Future<Long> f : seen) {
        last = Math.max(last, f.get());
      }
      return (last - t0) / 1e9;
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * A new node given the last live one as its peer, into a cluster of N - 1 (after {@link #killLast}):
   * seconds from its process start until every node lists all N. Includes the JVM's start (~5 s alone).
   */
  private static double joinOne(NodeChain chain) throws Exception {
    long t0 = System.nanoTime();
    NodeProcess joiner = chain.add(List.of());
    joiner.awaitUp(NodeChain.UP);
    java.util.Set<String> all = new java.util.TreeSet<>();
    chain.nodes().stream().filter(p -> p.process().isAlive()).forEach(p -> all.add(p.address()));
    for (NodeProcess p : chain.nodes()) {
      if (p.process().isAlive()) {
        p.awaitPeers(all, FORMED);
      }
    }
    return (System.nanoTime() - t0) / 1e9;
  }

  private static String job(String node, String body) throws Exception {
    String answer = Bench.post(node, "/api/jobs", body);
    if (!answer.contains("\"completed\"")) {
      throw new IllegalStateException("job did not complete: " + answer);
    }
    return answer;
  }

  private static String mapBody(int n) {
    StringBuilder data = new StringBuilder("[");
    for (int i = 0; i < n; i++) {
      data.append(i == 0 ? "" : ",").append(i);
    }
    return "{\"code\":\"(x) => x\",\"data\":" + data + "],\"partitions\":" + n + "}";
  }

  // ---- process and node readings --------------------------------------------------------------------------

  /** The machine's 1-minute load average when the cluster formed: other work on the machine shows here. */
  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    } catch (IOException e) {
      return "?";
    }
  }

  /** User + system CPU of every node process and its descendants (the V8 runners), from /proc. */
  private static long cpuNanos(NodeChain chain) {
    long ticks = 0;
    for (NodeProcess node : chain.nodes()) {
      if (!node.process().isAlive()) {
        continue;
      }
      ticks += cpuTicks(node.pid());
      ticks += node.process().toHandle().descendants().mapToLong(h -> cpuTicks(h.pid())).sum();
    }
    return ticks * (1_000_000_000L / CLOCK_TICKS);
  }

  private static long cpuTicks(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14, 15)
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  private static double rssMb(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
        }
      }
    } catch (IOException | RuntimeException e) {
      // gone
    }
    return 0;
  }

  private static final Pattern EVENT_BUS = Pattern.compile(
      "^vertx_eventbus_(?:sent|published)_total\\{[^}]*\\}\\s+([0-9.eE+]+)", Pattern.MULTILINE);

  /** Event-bus messages sent and published so far, summed over every live node's /metrics. */
  private static double messages(NodeChain chain) throws Exception {
    double sum = 0;
    for (NodeProcess node : chain.nodes()) {
      if (!node.process().isAlive()) {
        continue;
      }
      Matcher m = EVENT_BUS.matcher(node.get("/metrics").body());
      while (m.find()) {
        sum += Double.parseDouble(m.group(1));
      }
    }
    return sum;
  }

  // ---- the report ---------------------------------------------------------------------------------------

  private void table(List<Row> rows) {
    StringBuilder t = new StringBuilder("| N | formed s | killed node unlisted s | new node listed s"
        + " | broadcast p50 / p99 ms | map N parts p50 / p99 ms | 1-part job p50 / p99 ms | CPU ms per broadcast"
        + " | CPU ms per map | msgs per broadcast | msgs per map | idle CPU % of a core | idle msgs/s"
        + " | RSS node MB | RSS runner MB | machine load (1 min) |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (Row r : rows) {
      t.append(String.format("| %d | %s | %s | %s | %s / %s | %s / %s | %s / %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n",
          r.n, f(r.formedS), f(r.leaveS), f(r.joinS), f(r.broadcast.median()), f(r.broadcast.p99()), f(r.map.median()),
          f(r.map.p99()), f(r.onePart.median()), f(r.onePart.p99()), f(r.broadcastCpuMs), f(r.mapCpuMs),
          f(r.broadcastMsgs), f(r.mapMsgs), f(r.idleCpuPct), f(r.idleMsgsPerS), f(r.nodeRssMb), f(r.runnerRssMb), r.load));
    }
    out.accept(t.toString());
  }

  private static String f(double v) {
    return Stats.fmt(v);
  }

  /** The figures by name, as (N, value) points. */
  private static Map<String, List<double[]>> figures(List<Row> rows) {
    Map<String, java.util.function.ToDoubleFunction<Row>> pick = new LinkedHashMap<>();
    pick.put("formed s", r -> r.formedS);
    pick.put("killed node unlisted s", r -> r.leaveS);
    pick.put("new node listed s", r -> r.joinS);
    pick.put("broadcast p50 ms", r -> r.broadcast.median());
    pick.put("broadcast p99 ms", r -> r.broadcast.p99());
    pick.put("map p50 ms", r -> r.map.median());
    pick.put("map p99 ms", r -> r.map.p99());
    pick.put("1-part job p50 ms", r -> r.onePart.median());
    pick.put("CPU ms per broadcast", r -> r.broadcastCpuMs);
    pick.put("CPU ms per map", r -> r.mapCpuMs);
    pick.put("msgs per broadcast", r -> r.broadcastMsgs);
    pick.put("msgs per map", r -> r.mapMsgs);
    pick.put("idle CPU % of a core", r -> r.idleCpuPct);
    pick.put("idle msgs/s", r -> r.idleMsgsPerS);
    pick.put("RSS node MB", r -> r.nodeRssMb);
    Map<String, List<double[]>> figures = new LinkedHashMap<>();
    pick.forEach((name, fn) -> {
      List<double[]> points = new ArrayList<>();
      rows.forEach(r -> {
        double v = fn.applyAsDouble(r);
        if (!Double.isNaN(v)) {
          points.add(new double[] {r.n, v});
        }
      });
      figures.put(name, points);
    });
    return figures;
  }

  /** The least-squares slope of log(value) against log(N) over the points with N >= 3 and value > 0. */
  static double logLogSlope(List<double[]> points) {
    List<double[]> usable = points.stream().filter(p -> p[0] >= 3 && p[1] > 0).toList();
    if (usable.size() < 2) {
      return Double.NaN;
    }
    double mx = usable.stream().mapToDouble(p -> Math.log(p[0])).average().orElseThrow();
    double my = usable.stream().mapToDouble(p -> Math.log(p[1])).average().orElseThrow();
    double sxy = 0;
    double sxx = 0;
    for (double[] p : usable) {
      sxy += (Math.log(p[0]) - mx) * (Math.log(p[1]) - my);
      sxx += (Math.log(p[0]) - mx) * (Math.log(p[0]) - mx);
    }
    return sxy / sxx;
  }

  private void slopes(List<Row> rows) {
    out.accept("\nGrowth with N: the slope of log(figure) against log(N) over N >= 3 (0 = flat, 1 = linear,"
        + " 2 = quadratic):\n");
    out.accept("| figure | slope | growth |\n|---|---|---|");
    List<String> superLinear = new ArrayList<>();
    figures(rows).forEach((name, points) -> {
      double s = logLogSlope(points);
      String growth = Double.isNaN(s) ? "–" : s > 1.15 ? "**faster than linear**" : s > 0.85 ? "linear"
          : s > 0.15 ? "sub-linear" : "flat";
      if (s > 1.15) {
        superLinear.add(name);
      }
      out.accept(String.format("| %s | %s | %s |", name, Double.isNaN(s) ? "–" : String.format("%.2f", s), growth));
    });
    out.accept("\nFaster than linear in N: " + (superLinear.isEmpty() ? "none" : String.join(", ", superLinear)) + ".");
  }

  private void plots(List<Row> rows) throws IOException {
    Map<String, List<double[]>> f = figures(rows);
    record Plot(String file, String title, String yLabel, List<String> series) {
    }
    List<Plot> plots = List.of(
        new Plot("cluster-size-membership.png", "Membership vs cluster size", "seconds",
            List.of("formed s", "killed node unlisted s", "new node listed s")),
        new Plot("cluster-size-latency.png", "Job latency vs cluster size", "ms",
            List.of("broadcast p50 ms", "broadcast p99 ms", "map p50 ms", "map p99 ms", "1-part job p50 ms")),
        new Plot("cluster-size-cpu.png", "CPU per job vs cluster size (all nodes)", "CPU ms",
            List.of("CPU ms per broadcast", "CPU ms per map")),
        new Plot("cluster-size-messages.png", "Event-bus messages vs cluster size", "messages",
            List.of("msgs per broadcast", "msgs per map", "idle msgs/s")),
        new Plot("cluster-size-idle.png", "Idle cluster background CPU vs cluster size", "% of one core",
            List.of("idle CPU % of a core")),
        new Plot("cluster-size-rss.png", "RSS per node vs cluster size", "MB", List.of("RSS node MB")));
    StringBuilder links = new StringBuilder("\nPlots:");
    for (Plot p : plots) {
      Chart chart = new Chart(p.title, "nodes (N)", p.yLabel);
      p.series.forEach(s -> chart.series(s, f.get(s)));
      chart.write(results.resolve(p.file));
      links.append(" `bench/results/").append(p.file).append('`');
    }
    out.accept(links.toString());
  }

  private static List<Integer> parseSizes(String text) {
    return java.util.Arrays.stream(text.split(",")).map(String::trim).map(Integer::parseInt).toList();
  }
}
