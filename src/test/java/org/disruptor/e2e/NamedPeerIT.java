package org.disruptor.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A node started before the peer it names: it says once that the peer is unreachable and once that it merged
 * with it; and the command line, run through run.sh's own lean JVM right after the join, shows every counter
 * of both nodes (no "null").
 */
@DisplayName("A node whose named peer comes up later")
class NamedPeerIT {

  private static final Path HOME = Path.of(System.getProperty("disruptor.home", ".")).toAbsolutePath();
  private static final Duration STARTUP = Duration.ofSeconds(60);
  private static final String UNREACHABLE = "no named peer reachable yet at ";
  private static final String MERGED = "merged with named peer ";

  @Test
  @DisplayName("logs once that its peer is unreachable and once that it merged; `peers` right after the join prints no null")
  void namedPeerLater() throws Exception {
    String cluster = Cluster.randomName();
    String first = NodeProcess.freeAddress();
    String second = NodeProcess.freeAddress();
    try (NodeProcess a = NodeProcess.start(first, second, "--cluster", cluster)) {
      a.awaitUp(STARTUP);
      awaitLog(a, UNREACHABLE + second);
      try (NodeProcess b = NodeProcess.start(second, first, "--cluster", cluster)) {
        b.awaitUp(STARTUP);
        a.awaitPeers(Set.of(first, second), STARTUP);

        // at once: the new node may not have published its stats yet
        Run table = cli("peers", "--to", first);
        Run json = cli("peers", "--to", first, "--json");
        assertEquals(0, table.exit, table.toString());
        assertEquals(0, json.exit, json.toString());
        assertTrue(table.out.contains(first) && table.out.contains(second), "both nodes listed\n" + table);
        assertFalse(table.out.contains("null"), "no null counter in the table\n" + table);
        for (Object peer : new JsonObject(json.out).getJsonArray("peers")) {
          JsonObject p = (JsonObject) peer;
          for (String counter : List.of("running", "queued", "completed", "failed")) {
            assertTrue(p.getValue(counter) != null, counter + " of " + p.getString("address") + " is known\n" + json);
          }
        }

        awaitLog(a, MERGED + second);
        String log = a.log();
        assertEquals(1, occurrences(log, UNREACHABLE), "one line says the peer is unreachable:\n" + log);
        assertEquals(1, occurrences(log, MERGED), "one line says the node merged:\n" + log);
        assertEquals(0, occurrences(b.log(), UNREACHABLE), "the node that joined a live peer says nothing of the kind:\n"
            + b.log());
      }
    }
  }

  private record Run(int exit, String out, String err) {
    @Override
    public String toString() {
      return "exit " + exit + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
    }
  }

  /** {@code ./run.sh args...}: the command line as users run it, in run.sh's CLI JVM. */
  private static Run cli(String... args) throws Exception {
    Path logs = Files.createDirectories(HOME.resolve("target/e2e-logs"));
    Path out = Files.createTempFile(logs, "run-sh-cli-", ".out");
    Path err = Files.createTempFile(logs, "run-sh-cli-", ".err");
    List<String> command = new java.util.ArrayList<>(List.of(HOME.resolve("run.sh").toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).directory(HOME.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .redirectOutput(out.toFile()).redirectError(err.toFile());
    builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
    Process process = builder.start();
    if (!process.waitFor(120, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      throw new AssertionError("./run.sh " + String.join(" ", args) + " did not end within 120 s");
    }
    return new Run(process.exitValue(), Files.readString(out), Files.readString(err));
  }

  private static void awaitLog(NodeProcess node, String line) throws Exception {
    long end = System.nanoTime() + STARTUP.toNanos();
    while (!node.log().contains(line)) {
      if (System.nanoTime() > end) {
        throw new AssertionError("node " + node.address() + " never logged '" + line + "':\n" + node.log());
      }
      Thread.sleep(100);
    }
  }

  private static int occurrences(String text, String part) {
    int count = 0;
    for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
      count++;
    }
    return count;
  }
}
