package org.disruptor.faulttolerance;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Issue 4, chaos: four real nodes; concurrent clients run map jobs over the job WebSocket of the two
 * coordinating nodes while a background thread kills one of the two other nodes with kill -9 every few
 * seconds and starts it again on the same address. Every job must be answered exactly once with a
 * definite status, and every completed job's result must be exactly right. The size is set by system
 * properties (scripts/chaos.sh passes bigger ones): chaos.jobs, chaos.clients, chaos.parts, chaos.partMs,
 * chaos.killEveryMs, chaos.workerThreads, chaos.seed.
 */
@DisplayName("Chaos: workers killed and restarted under concurrent jobs")
class ChaosIT {

  private static final int JOBS = Integer.getInteger("chaos.jobs", 40);
  private static final int CLIENTS = Integer.getInteger("chaos.clients", 8);
  private static final int PARTS = Integer.getInteger("chaos.parts", 4);
  private static final int PART_MS = Integer.getInteger("chaos.partMs", 250);
  private static final int KILL_EVERY_MS = Integer.getInteger("chaos.killEveryMs", 3_000);
  private static final int WORKER_THREADS = Integer.getInteger("chaos.workerThreads", 1);
  private static final long SEED = Long.getLong("chaos.seed", System.nanoTime());
  private static final int JOB_TIMEOUT_MS = 120_000;
  private static final int COORDINATORS = 2;
  private static final Set<String> DEFINITE = Set.of("completed", "failed", "timed_out", "cancelled");
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2)).build();

  private final AtomicInteger nextJob = new AtomicInteger();
  private final Map<String, Integer> outcomes = new ConcurrentHashMap<>();
  private final Map<String, Integer> failures = new ConcurrentHashMap<>();
  private final List<String> violations = Collections.synchronizedList(new ArrayList<>());
  private final Map<String, String> finals = new ConcurrentHashMap<>();
  private final Map<String, Integer> coordinatorOf = new ConcurrentHashMap<>();
  private final AtomicLong retryEvents = new AtomicLong();
  private final AtomicInteger retriedJobs = new AtomicInteger();
  private final AtomicInteger kills = new AtomicInteger();
  private final AtomicInteger restarts = new AtomicInteger();
  private final AtomicInteger sent = new AtomicInteger();

  @Test
  @DisplayName("every job ends exactly once with a definite status, and every completed result is exact")
  void chaos() throws Exception {
    long started = System.nanoTime();
    try (Grid grid = Grid.start(4, "--worker-threads", String.valueOf(WORKER_THREADS))) {
      Chaos chaos = new Chaos(grid, new Random(SEED));
      List<Client> clients = new ArrayList<>();
      for (int c = 0; c < CLIENTS; c++) {
        clients.add(new Client(grid, c, c % COORDINATORS, new Random(SEED + 1 + c)));
      }
      chaos.start();
      clients.forEach(Thread::start);
      for (Client client : clients) {
        client.join(TimeUnit.MINUTES.toMillis(30));
        if (client.isAlive()) {
          violations.add("client " + client.number + " never finished");
        }
      }
      chaos.halt();
      long runMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
      for (Client client : clients) {
        client.drain(); // a second final event for a job that already ended would arrive now
      }
      crossCheck(grid);
      int answered = outcomes.values().stream().mapToInt(Integer::intValue).sum();
      if (sent.get() != JOBS || answered != JOBS) {
        violations.add(JOBS + " jobs planned, " + sent.get() + " sent, " + answered + " answered");
      }
      try {
        for (int i = 0; i < grid.size(); i++) {
          if (!grid.node(i).process().isAlive()) {
            grid.restart(i, 0);
          }
        }
        for (int i = 0; i < grid.size(); i++) {
          grid.node(i).awaitUp(Grid.STARTUP);
          grid.awaitPeers(i, grid.size(), Duration.ofSeconds(60));
        }
      } catch (AssertionError e) {
        violations.add("the cluster did not heal after the chaos: " + e.getMessage());
      }
      String summary = summary(runMs);
      System.out.print(summary);
      Files.createDirectories(Path.of("target"));
      Files.writeString(Path.of("target", "chaos-summary.txt"), summary);
      assertTrue(kills.get() >= 1, "the chaos thread killed no node: the run proves nothing\n" + summary);
      assertTrue(violations.isEmpty(), () -> violations.size() + " violation(s):\n  "
          + String.join("\n  ", violations.subList(0, Math.min(30, violations.size()))) + "\n" + summary
          + grid.tails());
    }
  }

  /** GET /api/jobs/{id} on each job's coordinator must report the status its final event gave. */
  private void crossCheck(Grid grid) {
    finals.forEach((id, status) -> {
      try {
        JsonObject view = grid.job(coordinatorOf.get(id), id);
        if (!status.equals(view.getString("status"))) {
          violations.add("job " + id + " ended as " + status + " on the WebSocket but GET says " + view.getString("status"));
        }
      } catch (Exception | AssertionError e) {
        violations.add("job " + id + ": GET on its coordinator failed: " + e.getMessage());
      }
    });
  }

  private String summary(long runMs) {
    Map<String, Integer> table = new TreeMap<>();
    for (String status : List.of("completed", "failed", "timed_out", "cancelled", "rejected")) {
      table.put(status, 0);
    }
    table.putAll(outcomes);
    StringBuilder out = new StringBuilder();
    out.append(String.format("CHAOS SUMMARY: %d jobs (%d parts of %d ms) from %d clients on 4 nodes, seed %d, %.1f s%n",
        JOBS, PARTS, PART_MS, CLIENTS, SEED, runMs / 1000.0));
    out.append(String.format("CHAOS   %-12s %6d%n", "submitted", sent.get()));
    int answered = 0;
    for (Map.Entry<String, Integer> row : table.entrySet()) {
      out.append(String.format("CHAOS   %-12s %6d%n", row.getKey(), row.getValue()));
      answered += row.getValue();
    }
    out.append(String.format("CHAOS   %-12s %6d%n", "answered", answered));
    out.append(String.format("CHAOS   %-12s %6d   (jobs with a moved part: %d)%n", "retries", retryEvents.get(),
        retriedJobs.get()));
    out.append(String.format("CHAOS   %-12s %6d   (restarts: %d)%n", "kills", kills.get(), restarts.get()));
    if (!failures.isEmpty()) {
      out.append("CHAOS   failure codes: ").append(new TreeMap<>(failures)).append('\n');
    }
    out.append(String.format("CHAOS   %-12s %6d%n", "violations", violations.size()));
    synchronized (violations) {
      violations.stream().limit(20).forEach(v -> out.append("CHAOS   ! ").append(v).append('\n'));
    }
    out.append(violations.isEmpty() ? "CHAOS RESULT: PASS\n" : "CHAOS RESULT: FAIL\n");
    return out.toString();
  }

  /** Kills a random live worker (never a coordinator) with kill -9 and starts it again on its address. */
  private final class Chaos extends Thread {
    private final Grid grid;
    private final Random random;
    private volatile boolean halted;

    Chaos(Grid grid, Random random) {
      super("chaos");
      this.grid = grid;
      this.random = random;
      setDaemon(true);
    }

    @Override
    public void run() {
      try {
        while (!halted) {
          Thread.sleep(KILL_EVERY_MS / 2 + random.nextInt(KILL_EVERY_MS));
          if (halted) {
            return;
          }
          List<String> listed;
          try {
            listed = grid.peerAddresses(0);
          } catch (java.io.IOException e) {
            continue; // the seed is busy: try again at the next round
          }
          List<Integer> candidates = new ArrayList<>();
          for (int i = COORDINATORS; i < grid.size(); i++) {
            if (grid.node(i).process().isAlive() && listed.contains(grid.node(i).address())) {
              candidates.add(i);
            } else if (!grid.node(i).process().isAlive()) {
              grid.restart(i, random.nextInt(COORDINATORS)); // a restart that died on its own: try again
              restarts.incrementAndGet();
            }
          }
          if (candidates.isEmpty()) {
            continue;
          }
          int victim = candidates.get(random.nextInt(candidates.size()));
          grid.node(victim).kill();
          kills.incrementAndGet();
          System.out.printf("[ChaosIT] kill -9 %s%n", grid.node(victim).address());
          grid.restart(victim, random.nextInt(COORDINATORS));
          restarts.incrementAndGet();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (Exception e) {
        violations.add("the chaos thread failed: " + e);
      }
    }

    void halt() throws InterruptedException {
      halted = true;
      interrupt();
      join(30_000);
    }
  }

  /** One client: its own WebSocket to a coordinator, one job at a time, each checked to the last element. */
  private final class Client extends Thread implements WebSocket.Listener {
    final int number;
    private final Grid grid;
    private final int coordinator;
    private final Random random;
    private final BlockingQueue<JsonObject> events = new LinkedBlockingQueue<>();
    private final StringBuilder partial = new StringBuilder();
    private final Set<String> ended = ConcurrentHashMap.newKeySet();
    private WebSocket socket;
    private volatile boolean closing;

    Client(Grid grid, int number, int coordinator, Random random) {
      super("chaos-client-" + number);
      this.grid = grid;
      this.number = number;
      this.coordinator = coordinator;
      this.random = random;
    }

    @Override
    public void run() {
      try {
        socket = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
            .buildAsync(URI.create("ws://" + grid.node(coordinator).address() + "/api/jobs/ws"), this)
            .get(10, TimeUnit.SECONDS);
        for (int n = nextJob.getAndIncrement(); n < JOBS; n = nextJob.getAndIncrement()) {
          runJob(n);
        }
      } catch (Exception e) {
        violations.add("client " + number + " failed: " + e);
      }
    }

    private void runJob(int n) throws Exception {
      String ref = "job-" + n;
      JsonArray data = new JsonArray();
      int size = PARTS * (1 + random.nextInt(3));
      for (int i = 0; i < size; i++) {
        data.add(random.nextInt(2_000_001) - 1_000_000);
      }
      JsonObject job = new JsonObject().put("ref", ref).put("data", data).put("partitions", PARTS)
          .put("timeoutMs", JOB_TIMEOUT_MS)
          .put("code", "(xs, ctx) => { const end = Date.now() + " + PART_MS + "; while (Date.now() < end) {} "
              + "return xs.map(x => x * 3 + ctx.partition); }");
      socket.sendText(job.encode(), true).get(10, TimeUnit.SECONDS);
      sent.incrementAndGet();
      String id = null;
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(JOB_TIMEOUT_MS + 60_000);
      boolean retried = false;
      while (true) {
        JsonObject event = events.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        if (event == null) {
          violations.add(ref + (id == null ? " was never accepted nor refused" : " (" + id + ") never ended"));
          return;
        }
        String type = event.getString("type");
        String eventId = event.getString("id");
        if (id == null && ref.equals(event.getValue("ref"))) {
          if (type.equals("accepted")) {
            id = eventId;
            coordinatorOf.put(id, coordinator);
            continue;
          }
          record(ref, type, type + " before acceptance: " + event.getString("error")); // rejected or error
          return;
        }
        if (eventId == null || !eventId.equals(id)) {
          stray(event);
          continue;
        }
        if (type.equals("retry")) {
          retryEvents.incrementAndGet();
          retried = true;
        } else if (DEFINITE.contains(type) || type.equals("rejected")) {
          if (retried) {
            retriedJobs.incrementAndGet();
          }
          end(ref, id, data, event);
          return;
        } else if (!type.equals("partition")) {
          violations.add(ref + " (" + id + "): unexpected event " + event.encode());
        }
      }
    }

    /** The one final event of a job: a definite status, and on completion the exact result. */
    private void end(String ref, String id, JsonArray data, JsonObject event) {
      ended.add(id);
      String status = event.getString("status");
      finals.put(id, status == null ? "?" : status);
      if (!DEFINITE.contains(status)) {
        violations.add(ref + " (" + id + ") ended with no definite status: " + event.encode());
        return;
      }
      if (event.getString("type").equals("rejected")) {
        record(ref, "rejected", "rejected: " + event.getString("error"));
        return;
      }
      if (!status.equals("completed")) {
        record(ref, status, status + ": " + event.getString("error"));
        return;
      }
      record(ref, "completed", null);
      JsonArray expected = expected(data);
      if (!expected.equals(event.getJsonArray("result"))) {
        violations.add(ref + " (" + id + ") completed with a wrong result: expected " + expected.encode() + ", got "
            + event.getValue("result"));
      }
    }

    private void stray(JsonObject event) {
      String id = event.getString("id");
      if (id != null && ended.contains(id)) {
        violations.add("job " + id + " sent an event after its final one: " + event.encode());
      } else {
        violations.add("client " + number + " got an event for no job of its own: " + event.encode());
      }
    }

    /** Waits a moment for late events; any event now is one too many. */
    void drain() throws InterruptedException {
      JsonObject event;
      while ((event = events.poll(1, TimeUnit.SECONDS)) != null) {
        stray(event);
      }
      closing = true;
      if (socket != null) {
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "done");
      }
    }

    private JsonArray expected(JsonArray data) {
      JsonArray expected = new JsonArray();
      int size = data.size();
      int from = 0;
      for (int p = 0; p < PARTS; p++) {
        int to = from + size / PARTS + (p < size % PARTS ? 1 : 0);
        JsonArray slice = new JsonArray();
        for (int i = from; i < to; i++) {
          slice.add(data.getInteger(i) * 3 + p);
        }
        expected.add(slice);
        from = to;
      }
      return expected;
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        String text = partial.toString();
        partial.setLength(0);
        try {
          events.add(new JsonObject(text));
        } catch (RuntimeException e) {
          violations.add("client " + number + " got a frame that is not a JSON object: " + text);
        }
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      if (!closing) {
        violations.add("client " + number + "'s WebSocket closed mid-run: " + statusCode + " " + reason);
      }
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      violations.add("client " + number + "'s WebSocket failed: " + error);
    }
  }

  private void record(String ref, String outcome, String failure) {
    outcomes.merge(outcome, 1, Integer::sum);
    if (failure != null) {
      failures.merge(failure, 1, Integer::sum);
    }
  }
}
