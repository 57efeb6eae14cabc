package org.disruptor.e2e;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A real node process started from the fat jar with the same JVM flags as run.sh (conf/jvm.options and
 * the Graal compiler on the upgrade module path). Its output goes to target/e2e-logs/.
 */
public final class NodeProcess implements AutoCloseable {

  public static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private static final Path HOME = Path.of(System.getProperty("disruptor.home", ".")).toAbsolutePath();
  private static final Path JAR = Path.of(System.getProperty("disruptor.jar", "target/disruptor.jar")).toAbsolutePath();

  private final String address;
  private final Process process;
  private final Path log;

  private NodeProcess(String address, Process process, Path log) {
    this.address = address;
    this.process = process;
    this.log = log;
  }

  /** The java command line of a node (also used for CLI runs): JVM flags, then the jar, then {@code args}. */
  public static List<String> command(String heap, String... args) {
    Path graal = HOME.resolve("target/graal-compiler");
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx" + heap,
        "@" + HOME.resolve("conf/jvm.options"),
        "--upgrade-module-path=" + String.join(File.pathSeparator, graal.resolve("compiler.jar").toString(),
            graal.resolve("collections.jar").toString(), graal.resolve("word.jar").toString(),
            graal.resolve("truffle-compiler.jar").toString()),
        "-Ddisruptor.home=" + HOME,
        "-jar", JAR.toString()));
    command.addAll(Arrays.asList(args));
    return command;
  }

  /** Starts {@code disruptor peer address args...} (args: peers and --flags). */
  public static NodeProcess start(String address, String... args) throws IOException {
    List<String> argv = new ArrayList<>(List.of("peer", address));
    argv.addAll(Arrays.asList(args));
    Path logs = HOME.resolve("target/e2e-logs");
    Files.createDirectories(logs);
    Path log = logs.resolve(address.replace(':', '_') + "-" + System.nanoTime() + ".log");
    Process process = new ProcessBuilder(command("256m", argv.toArray(String[]::new)))
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    return new NodeProcess(address, process, log);
  }

  /** A loopback address whose HTTP port and member port (port + 10000) are both free. */
  public static String freeAddress() {
    for (int i = 0; i < 200; i++) {
      int port = ThreadLocalRandom.current().nextInt(20000, 40000);
      if (free(port) && free(port + 10000)) {
        return "127.0.0.1:" + port;
      }
    }
    throw new IllegalStateException("no free port pair");
  }

  private static boolean free(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress("127.0.0.1", port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  public String address() {
    return address;
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

  /** Waits until /health answers UP; fails with the node's log if it does not within {@code timeout}. */
  public NodeProcess awaitUp(Duration timeout) throws Exception {
    long end = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < end) {
      if (!process.isAlive()) {
        throw new AssertionError("node " + address + " exited with " + process.exitValue() + ":\n" + log());
      }
      try {
        HttpResponse<String> r = get("/health");
        if (r.statusCode() == 200 && r.body().contains("\"UP\"")) {
          return this;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    throw new AssertionError("node " + address + " not up within " + timeout + ":\n" + log());
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

  /** SIGTERM, then kill -9 after 15 s. */
  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    }
  }
}
