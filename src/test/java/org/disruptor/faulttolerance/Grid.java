package org.disruptor.faulttolerance;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import org.disruptor.e2e.Eventually;
import org.disruptor.e2e.NodeProcess;

/**
 * A cluster of real node processes for the fault tests: its own random cluster name, the first node as
 * the seed every other node (and every restarted node) is pointed at, and helpers to submit jobs, poll
 * them to their end and read the nodes' counters. Slot {@code i} keeps its address across restarts.
 */
final class Grid implements AutoCloseable {

  static final Duration STARTUP = Duration.ofSeconds(120);

  private final String cluster = "faults-" + UUID.randomUUID().toString().substring(0, 8);
  private final List<String> flags;
  private final NodeProcess[] nodes;

  private Grid(int size, String... flags) {
    this.flags = List.of(flags);
    this.nodes = new NodeProcess[size];
  }

  /** Starts {@code size} nodes with {@code flags} and waits until every node lists all of them. */
  static Grid start(int size, String... flags) throws Exception {
    Grid grid = new Grid(size, flags);
    try {
      String seed = NodeProcess.freeAddress();
      grid.nodes[0] = NodeProcess.start(seed, grid.args(null));
      for (int i = 1; i < size; i++) {
        grid.nodes[i] = NodeProcess.start(NodeProcess.freeAddress(), grid.args(seed));
      }
      for (NodeProcess node : grid.nodes) {
        node.awaitUp(STARTUP);
      }
      for (int i = 0; i < size; i++) {
        grid.awaitPeers(i, size, STARTUP);
      }
      return grid;
    } catch (Exception | AssertionError e) {
      grid.close();
      throw e;
    }
  }

  private String[] args(String seed) {
    List<String> args = new ArrayList<>();
    if (seed != null) {
      args.add(seed);
    }
    args.add("--cluster");
    args.add(cluster);
    args.addAll(flags);
    return args.toArray(String[]::new);
  }

  NodeProcess node(int i) {
    return nodes[i];
  }

  int size() {
    return nodes.length;
  }

  /** Starts slot {@code i} again on its address, pointed at {@code seed}; does not wait for it. */
  NodeProcess restart(int i, int seed) throws IOException {
    nodes[i] = NodeProcess.start(nodes[i].address(), args(nodes[seed].address()));
    return nodes[i];
  }

  /** Submits a job with {@code ?async=true}; returns its id. */
  String submit(int node, JsonObject job) throws Exception {
    HttpResponse<String> response = nodes[node].post("/api/jobs?async=true", job.encode());
    if (response.statusCode() != 202) {
      throw new AssertionError("async submit to " + nodes[node].address() + " answered " + response.statusCode()
          + ": " + response.body());
    }
    return new JsonObject(response.body()).getString("id");
  }

  /**
   * Submits a job synchronously without waiting for its answer: unlike an async job (which the cluster keeps
   * durably, so it outlives its coordinator), it is the coordinator's alone. The answer is not read.
   */
  void submitSync(int node, JsonObject job) {
    NodeProcess.HTTP.sendAsync(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://" + nodes[node].address()
        + "/api/jobs")).timeout(Duration.ofMinutes(10)).header("content-type", "application/json")
        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(job.encode())).build(),
        HttpResponse.BodyHandlers.discarding());
  }

  /** GET /api/jobs/{id} on the coordinating node. */
  JsonObject job(int node, String id) throws Exception {
    HttpResponse<String> response = nodes[node].get("/api/jobs/" + id);
    if (response.statusCode() != 200) {
      throw new AssertionError("GET job " + id + " on " + nodes[node].address() + " answered "
          + response.statusCode() + ": " + response.body());
    }
    return new JsonObject(response.body());
  }

  /** Polls a job until it has ended; fails when it is still running after {@code timeout}. */
  JsonObject awaitEnd(int node, String id, Duration timeout) throws Exception {
    return awaitJob(node, id, timeout, j -> !"running".equals(j.getString("status")), "end");
  }

  /** Polls a job until {@code condition} holds on its view; fails with the last view after {@code timeout}. */
  JsonObject awaitJob(int node, String id, Duration timeout, Predicate<JsonObject> condition, String what)
      throws Exception {
    return Eventually.until("job " + id + " should " + what, timeout, () -> job(node, id), condition, () -> "");
  }

  /** GET /api/peers on a node. */
  JsonObject peers(int node) throws Exception {
    return new JsonObject(nodes[node].get("/api/peers").body());
  }

  /** The entry a node's /api/peers gives for itself: its own running, queued and stop counters. */
  JsonObject ownStats(int node) throws Exception {
    JsonObject peers = peers(node);
    for (Object peer : peers.getJsonArray("peers")) {
      JsonObject entry = (JsonObject) peer;
      if (entry.getString("address").equals(nodes[node].address())) {
        return entry;
      }
    }
    throw new AssertionError(nodes[node].address() + " does not list itself: " + peers);
  }

  /** The addresses a node lists as its peers. */
  List<String> peerAddresses(int node) throws Exception {
    return addresses(peers(node).getJsonArray("peers"));
  }

  static List<String> addresses(JsonArray peers) {
    return peers.stream().map(p -> ((JsonObject) p).getString("address")).sorted().toList();
  }

  /** Waits until node {@code i} lists exactly {@code count} peers. */
  void awaitPeers(int i, int count, Duration timeout) throws Exception {
    Eventually.until(nodes[i].address() + " should list " + count + " peers", timeout, () -> peerAddresses(i),
        seen -> seen.size() == count, () -> tail(i));
  }

  /** The last lines of a node's log, for failure messages. */
  String tail(int i) {
    try {
      List<String> lines = nodes[i].log().lines().toList();
      return "--- log of " + nodes[i].address() + " ---\n"
          + String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  /** Every node's log tail. */
  String tails() {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < nodes.length; i++) {
      out.append(tail(i)).append('\n');
    }
    return out.toString();
  }

  /** A map job whose every part busy-waits {@code partMs} and then squares its numbers; sums in the reduce. */
  static JsonObject busySquares(int count, int partitions, long partMs) {
    JsonArray data = new JsonArray();
    for (int i = 0; i < count; i++) {
      data.add(i);
    }
    return new JsonObject()
        .put("code", "(xs, ctx) => { const end = Date.now() + " + partMs + "; while (Date.now() < end) {} "
            + "return xs.map(x => x * x); }")
        .put("data", data).put("partitions", partitions);
  }

  /** Stops every node side by side (SIGTERM, then kill -9 after the grace period). */
  @Override
  public void close() {
    CompletableFuture.allOf(Arrays.stream(nodes).filter(n -> n != null).map(n -> CompletableFuture.runAsync(() -> {
      try {
        if (n.process().isAlive()) {
          n.resume(); // a node left paused would only die at its kill -9 after the grace period
        }
        n.close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (Exception e) {
        // resume of a process already gone
      }
    })).toArray(CompletableFuture[]::new)).join();
  }
}
