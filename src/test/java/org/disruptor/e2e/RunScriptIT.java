package org.disruptor.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.File;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The launcher script itself: the README's start command and the local demo cluster. */
@DisplayName("run.sh")
class RunScriptIT {

  private static final Path HOME = Path.of(System.getProperty("disruptor.home", ".")).toAbsolutePath();

  private static Process script(String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of(HOME.resolve("run.sh").toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).directory(HOME.toFile()).redirectErrorStream(true)
        .redirectOutput(HOME.resolve("target/e2e-logs/run-sh-" + System.nanoTime() + ".log").toFile());
    builder.environment().put("DISRUPTOR_HEAP", "256m");
    builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
    new File(HOME.resolve("target/e2e-logs").toString()).mkdirs();
    return builder.start();
  }

  private static int peers(String address) {
    try {
      HttpResponse<String> r = NodeProcess.HTTP.send(HttpRequest.newBuilder(URI.create("http://" + address + "/api/peers"))
          .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? new JsonObject(r.body()).getJsonArray("peers").size() : -1;
    } catch (Exception e) {
      return -1;
    }
  }

  /** Waits as long as node processes may take to start (the script starts them all at once). */
  private static void await(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
    Eventually.until(what, Cluster.STARTUP, condition::getAsBoolean, Boolean.TRUE::equals, () -> "");
  }

  @Test
  @DisplayName("'./run.sh' alone starts one node on 127.0.0.1:8080 that serves the page and runs jobs alone")
  void startsOneLocalNode() throws Exception {
    Process node = script();
    try {
      await("127.0.0.1:8080 lists itself", () -> peers("127.0.0.1:8080") == 1);
      HttpResponse<String> page = NodeProcess.HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:8080/")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, page.statusCode());
      assertTrue(page.body().contains("<html") || page.body().contains("<!doctype"), "the page");
      HttpResponse<String> job = NodeProcess.HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:8080/api/jobs"))
          .POST(HttpRequest.BodyPublishers.ofString("{\"code\":\"(xs) => xs.map(x => x + 1)\",\"data\":[1,2]}")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals("[[2,3]]", new JsonObject(job.body()).getJsonArray("result").encode());
    } finally {
      node.destroy();
      assertTrue(node.waitFor(Eventually.OUTCOME.toSeconds(), TimeUnit.SECONDS), "the node stops on SIGTERM");
    }
  }

  @Test
  @DisplayName("'./run.sh cluster 3 BASE' starts three chained nodes, and Ctrl-C (SIGINT) stops every one of them")
  void demoCluster() throws Exception {
    int base = ThreadLocalRandom.current().nextInt(22000, 22700);
    Process cluster = script("cluster", "3", String.valueOf(base));
    List<String> nodes = List.of("127.0.0.1:" + base, "127.0.0.1:" + (base + 1), "127.0.0.1:" + (base + 2));
    try {
      await("all three nodes list three peers", () -> nodes.stream().allMatch(a -> peers(a) == 3));
    } finally {
      new ProcessBuilder("kill", "-INT", String.valueOf(cluster.pid())).start().waitFor();
      assertTrue(cluster.waitFor(Eventually.OUTCOME.toSeconds(), TimeUnit.SECONDS), "run.sh cluster exits on Ctrl-C");
    }
    await("no node outlives run.sh cluster", () -> nodes.stream().allMatch(a -> peers(a) == -1));
    long left = ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").contains("peer 127.0.0.1:" + base))
        .count();
    assertEquals(0, left, "node processes left behind");
  }
}
