package org.disruptor.e2e;

import io.vertx.core.json.JsonObject;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.disruptor.cluster.LoopbackPorts;

/**
 * A real node process started from the fat jar with the same JVM flags as run.sh (conf/jvm.options; for
 * the graaljs engine also the GraalJS layer and the Graal compiler). Its output goes to target/e2e-logs/.
 */
public final class NodeProcess implements AutoCloseable {

  public static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private static final Path HOME = Path.of(System.getProperty("disruptor.home", ".")).toAbsolutePath();
  private static final Path JAR = Path.of(System.getProperty("disruptor.jar", "target/disruptor.jar")).toAbsolutePath();

  /** Ports handed out by {@link #freeAddress}, so two nodes of one test run never get the same one. */
  private static final Set<Integer> TAKEN = ConcurrentHashMap.newKeySet();
  /** The node processes this test JVM started (those still alive get a thread dump when a test fails). */
  private static final Set<NodeProcess> STARTED = ConcurrentHashMap.newKeySet();

  private final String address;
  private final Process process;
  private final Path log;

  private NodeProcess(String address, Process process, Path log) {
    this.address = address;
    this.process = process;
    this.log = log;
  }

  /**
   * The java command line of a node (also used for CLI runs): JVM flags, then the jar, then {@code args}.
   * As run.sh does: a node whose engine is graaljs ({@code --engine graaljs}, or DISRUPTOR_ENGINE) gets the
   * GraalJS layer on its class path and the Graal compiler; a v8 node runs the fat jar alone.
   */
  public static List<String> command(String heap, String... args) {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx" + heap,
        "@" + HOME.resolve("conf/jvm.options"),
        "-Ddisruptor.home=" + HOME));
    if (engineOf(args).equals("graaljs")) {
      Path graal = HOME.resolve("target/graal-compiler");
      command.addAll(List.of("@" + HOME.resolve("conf/jvm-graaljs.options"),
          "--upgrade-module-path=" + String.join(File.pathSeparator, graal.resolve("compiler.jar").toString(),
              graal.resolve("collections.jar").toString(), graal.resolve("word.jar").toString(),
              graal.resolve("truffle-compiler.jar").toString()),
          "-cp", JAR + File.pathSeparator + HOME.resolve("target/graaljs") + File.separator + "*",
          "org.disruptor.Main"));
    } else {
      // as run.sh: the build's AOT cache of a node's start when it is there and not older than the jar
      Path cache = JAR.resolveSibling("node.aot");
      // (-Ddisruptor.nodeAot=false: without it, as the startup bench compares)
      if (Boolean.parseBoolean(System.getProperty("disruptor.nodeAot", "true")) && Files.isRegularFile(cache)
          && cache.toFile().lastModified() >= JAR.toFile().lastModified()) {
        command.addAll(List.of("-XX:AOTCache=" + cache, "-Xlog:aot=off", "-Xlog:cds=off"));
      }
      command.addAll(List.of("-jar", JAR.toString()));
    }
    command.addAll(Arrays.asList(args));
    return command;
  }

  /** The engine {@code args} ask for: {@code --engine NAME}, else DISRUPTOR_ENGINE, else the default. */
  static String engineOf(String... args) {
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--engine") && i + 1 < args.length) {
        return args[i + 1];
      }
      if (args[i].startsWith("--engine=")) {
        return args[i].substring("--engine=".length());
      }
    }
    String env = System.getenv("DISRUPTOR_ENGINE");
    return env != null && !env.isEmpty() ? env : "v8";
  }

  /** Starts {@code disruptor peer address args...} (args: peers and --flags). */
  public static NodeProcess start(String address, String... args) throws IOException {
    return startWithHeap("256m", address, args);
  }

  /** As {@link #start}, with the node's -Xmx; {@link #DEFAULT_HEAP} is what run.sh gives a node by default. */
  public static NodeProcess startWithHeap(String heap, String address, String... args) throws IOException {
    List<String> argv = new ArrayList<>(List.of("peer", address));
    argv.addAll(Arrays.asList(args));
    Path logs = HOME.resolve("target/e2e-logs");
    Files.createDirectories(logs);
    Path log = logs.resolve(address.replace(':', '_') + "-" + System.nanoTime() + ".log");
    Process process = new ProcessBuilder(command(heap, argv.toArray(String[]::new)))
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    NodeProcess node = new NodeProcess(address, process, log);
    STARTED.removeIf(n -> !n.process.isAlive());
    STARTED.add(node);
    return node;
  }

  /**
   * Writes a thread dump of every live node process this JVM started next to its log
   * ({@code <log>.threads-N.txt}, by {@code jcmd Thread.print}, all at once, each cut short after 30 s: a
   * paused node cannot answer) and says where on stderr: what each node was doing when a test failed.
   */
  public static void dumpThreads(String why) {
    List<Thread> dumps = new ArrayList<>();
    for (NodeProcess node : STARTED) {
      if (!node.process.isAlive()) {
        continue;
      }
      Path out = node.log.resolveSibling(node.log.getFileName() + ".threads-" + System.nanoTime() + ".txt");
      dumps.add(Thread.ofVirtual().start(() -> {
        try {
          Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
              String.valueOf(node.process.pid()), "Thread.print").redirectErrorStream(true)
              .redirectOutput(out.toFile()).start();
          if (!jcmd.waitFor(30, TimeUnit.SECONDS)) {
            jcmd.destroyForcibly();
          }
          // the node's own threads (JS workers, their watch, the engines' housekeeping) into the test output;
          // the whole dump stays in the file
          StringBuilder own = new StringBuilder();
          for (String block : Files.readString(out).split("\n\\s*\n")) {
            if (block.startsWith("\"disruptor") || block.contains("\n\"disruptor") || block.startsWith("\"vert.x-eventloop")) {
              own.append(block.strip()).append("\n\n");
            }
          }
          System.err.println("thread dump of node " + node.address + " (" + why + "): " + out + "\n" + own);
        } catch (IOException e) {
          System.err.println("no thread dump of node " + node.address + ": " + e.getMessage());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }));
    }
    for (Thread dump : dumps) {
      try {
        dump.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** The node heap run.sh uses when DISRUPTOR_HEAP is not set. */
  public static final String DEFAULT_HEAP = "512m";

  /**
   * A loopback address whose HTTP port and member port (port + 10000) are both free. Both lie below the
   * kernel's ephemeral range (32768 and up), so no outgoing connection can take one between this check
   * and the node's bind.
   */
  public static String freeAddress() {
    for (int i = 0; i < 200; i++) {
      int port = ThreadLocalRandom.current().nextInt(20000, 22000);
      if (!TAKEN.contains(port) && !TAKEN.contains(port + 10000) && !TAKEN.contains(port - 10000)
          && LoopbackPorts.free(port) && LoopbackPorts.free(port + 10000)) {
        TAKEN.add(port);
        TAKEN.add(port + 10000);
        return "127.0.0.1:" + port;
      }
    }
    throw new IllegalStateException("no free port pair");
  }

  public String address() {
    return address;
  }

  /** The addresses of {@code nodes}, sorted. */
  public static Set<String> addressesOf(Collection<NodeProcess> nodes) {
    Set<String> addresses = new TreeSet<>();
    nodes.forEach(n -> addresses.add(n.address()));
    return addresses;
  }

  /** {@link #closeAll}, for a close() that cannot throw: an interrupt is kept for the caller. */
  public static void closeAllQuietly(Collection<NodeProcess> nodes) {
    try {
      closeAll(nodes);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  public long pid() {
    return process.pid();
  }

  public Process process() {
    return process;
  }

  public String log() throws IOException {
    return Files.readString(log);
  }

  /** What a finished command-line run printed and how it exited. */
  public record CliRun(int exit, String stdout, String stderr) {
    /** The non-blank lines of stderr. */
    public List<String> stderrLines() {
      return stderr.lines().filter(l -> !l.isBlank()).toList();
    }

    @Override
    public String toString() {
      return "exit " + exit + "\n--- stdout\n" + stdout + "\n--- stderr\n" + stderr;
    }
  }

  /** Runs {@code disruptor args...} to the end (killed after {@code timeout}) and captures its output. */
  public static CliRun cli(Duration timeout, String... args) throws IOException, InterruptedException {
    Path logs = Files.createDirectories(HOME.resolve("target/e2e-logs"));
    Path out = Files.createTempFile(logs, "cli-", ".out");
    Path err = Files.createTempFile(logs, "cli-", ".err");
    Process process = new ProcessBuilder(command("256m", args)).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
      throw new AssertionError("disruptor " + String.join(" ", args) + " still running after " + timeout
          + "\n--- stdout\n" + Files.readString(out) + "\n--- stderr\n" + Files.readString(err));
    }
    return new CliRun(process.exitValue(), Files.readString(out), Files.readString(err));
  }

  /** The addresses this node lists in GET /api/peers. */
  public Set<String> peerAddresses() throws IOException, InterruptedException {
    HttpResponse<String> response = get("/api/peers");
    if (response.statusCode() != 200) {
      throw new IOException("GET /api/peers on " + address + " answered " + response.statusCode() + ": " + response.body());
    }
    Set<String> addresses = new TreeSet<>();
    new JsonObject(response.body()).getJsonArray("peers").forEach(p -> addresses.add(((JsonObject) p).getString("address")));
    return addresses;
  }

  /**
   * Waits until this node lists exactly {@code expected} as its peers; fails with what it listed last and
   * its log when it does not within {@code timeout}.
   */
  public void awaitPeers(Set<String> expected, Duration timeout) throws Exception {
    Set<String> wanted = new TreeSet<>(expected);
    Eventually.until("node " + address + " lists exactly " + wanted, timeout, this::peerAddresses, wanted::equals,
        this::logText);
  }

  /** The parts running on all peers together, as the stats in this node's GET /api/peers say. */
  public int runningParts() throws IOException, InterruptedException {
    int running = 0;
    for (Object peer : new JsonObject(get("/api/peers").body()).getJsonArray("peers")) {
      Integer r = ((JsonObject) peer).getInteger("running");
      running += r == null ? 0 : r;
    }
    return running;
  }

  /**
   * Waits until every peer this node lists has reported its load, with nothing running or queued: what a
   * test that needs a job's parts spread over the nodes waits for first, since placement goes by the loads
   * this node last heard (a node still stopping an earlier test's parts looks busy and gets none).
   */
  public void awaitIdle(Duration timeout) throws Exception {
    Eventually.until("every peer reports no part running or queued", timeout,
        () -> new JsonObject(get("/api/peers").body()).getJsonArray("peers"),
        peers -> peers.stream().map(JsonObject.class::cast).allMatch(p -> p.containsKey("running")
            && p.getInteger("running") == 0 && p.getInteger("queued", 0) == 0), () -> "");
  }

  /** Waits until {@link #runningParts()} is {@code expected}; fails with {@code what} when it is not within {@code timeout}. */
  public void awaitRunningParts(int expected, Duration timeout, String what) throws Exception {
    Eventually.until(what + ": " + expected + " running parts on all peers", timeout, this::runningParts,
        n -> n == expected, () -> {
          try {
            return "/api/peers: " + get("/api/peers").body();
          } catch (IOException e) {
            return "/api/peers: " + e;
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
          }
        });
  }

  /** Waits until /health answers UP; fails at once with the node's log if it exits, and after {@code timeout}. */
  public NodeProcess awaitUp(Duration timeout) throws Exception {
    Eventually.until("node " + address + " answers UP on /health", timeout, () -> {
      if (!process.isAlive()) {
        throw new AssertionError("node " + address + " exited with " + process.exitValue() + ":\n" + log());
      }
      HttpResponse<String> r = get("/health");
      return r.statusCode() == 200 && r.body().contains("\"UP\"");
    }, Boolean.TRUE::equals, this::logText);
    return this;
  }

  /** The node's log for a failure message (or why it cannot be read). */
  public String logText() {
    try {
      return "--- log of " + address + " ---\n" + log();
    } catch (IOException e) {
      return "(no log of " + address + ": " + e + ")";
    }
  }

  public HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://" + address + path)).timeout(Duration.ofSeconds(10))
        .GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  public HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://" + address + path)).timeout(Duration.ofSeconds(60))
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  public HttpResponse<String> delete(String path) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://" + address + path)).timeout(Duration.ofSeconds(10))
        .DELETE().build(), HttpResponse.BodyHandlers.ofString());
  }

  /** kill -9. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  /** SIGSTOP / SIGCONT. */
  public void pause() throws Exception {
    signal("STOP");
  }

  public void resume() throws Exception {
    signal("CONT");
  }

  private void signal(String name) throws Exception {
    new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid())).inheritIO().start().waitFor();
  }

  /** SIGTERM, then kill -9 if the node has not exited after {@link #GRACE}. */
  @Override
  public void close() throws InterruptedException {
    closeAll(List.of(this));
  }

  /** How long a teardown waits for nodes to exit on SIGTERM before it kills them. */
  static final Duration GRACE = Duration.ofSeconds(5);

  /** Sends SIGTERM to all nodes at once, waits up to {@link #GRACE} for them together, kills the rest. */
  public static void closeAll(Collection<NodeProcess> nodes) throws InterruptedException {
    nodes.forEach(n -> n.process.destroy());
    long end = System.nanoTime() + GRACE.toNanos();
    for (NodeProcess node : nodes) {
      if (!node.process.waitFor(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS)) {
        node.process.destroyForcibly();
        node.process.waitFor(10, TimeUnit.SECONDS);
      }
    }
  }
}
