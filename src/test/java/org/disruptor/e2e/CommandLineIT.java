package org.disruptor.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The {@code disruptor} command line as a user types it: bad command lines are refused the same way. */
@DisplayName("The disruptor command line")
class CommandLineIT {

  private static final Duration CLI = Duration.ofSeconds(60);

  @TempDir
  Path dir;

  /** Exit 2, one {@code disruptor: ...} line naming the problem, then the usage; nothing on stdout. */
  private static void assertRefused(NodeProcess.CliRun run, String mentions) {
    assertEquals(2, run.exit(), "exit status\n" + run);
    List<String> lines = run.stderrLines();
    assertTrue(lines.size() > 1, "stderr has the error and the usage\n" + run);
    assertTrue(lines.getFirst().startsWith("disruptor: "), "first stderr line is 'disruptor: ...'\n" + run);
    assertTrue(lines.getFirst().contains(mentions), "the error line mentions '" + mentions + "'\n" + run);
    assertEquals("usage:", lines.get(1).trim(), "the usage follows the error line\n" + run);
    assertEquals(1, lines.stream().filter(l -> l.startsWith("disruptor: ")).count(), "a single error line\n" + run);
    assertFalse(run.stderr().contains("Exception") || run.stderr().contains("\tat "), "no stack trace\n" + run);
    assertTrue(run.stdout().isBlank(), "nothing on stdout\n" + run);
  }

  @Test
  @DisplayName("peer without an address exits 2 with one error line and the usage")
  void peerWithoutAddress() throws Exception {
    assertRefused(NodeProcess.cli(CLI, "peer"), "address");
  }

  @Test
  @DisplayName("peer with a port that is not a number exits 2 with one error line and the usage")
  void peerWithBadPort() throws Exception {
    assertRefused(NodeProcess.cli(CLI, "peer", "127.0.0.1:notaport"), "127.0.0.1:notaport");
  }

  @Test
  @DisplayName("peer with an address that has no port exits 2 with one error line and the usage")
  void peerWithoutPort() throws Exception {
    assertRefused(NodeProcess.cli(CLI, "peer", "nohost"), "nohost");
  }

  @Test
  @DisplayName("peer with a malformed peer address exits 2 with one error line and the usage")
  void peerWithBadPeer() throws Exception {
    assertRefused(NodeProcess.cli(CLI, "peer", NodeProcess.freeAddress(), "127.0.0.1:99999"), "127.0.0.1:99999");
  }

  @Test
  @DisplayName("peer with an unknown option or a bad option value exits 2 with one error line and the usage")
  void peerWithBadOption() throws Exception {
    assertRefused(NodeProcess.cli(CLI, "peer", NodeProcess.freeAddress(), "--no-such-option", "1"), "--no-such-option");
    assertRefused(NodeProcess.cli(CLI, "peer", NodeProcess.freeAddress(), "--job-timeout-ms", "soon"), "soon");
  }

  @Test
  @DisplayName("peer on an HTTP port already in use exits 2 with one error line and the usage")
  void peerOnBusyPort() throws Exception {
    String address = NodeProcess.freeAddress();
    int port = Integer.parseInt(address.substring(address.indexOf(':') + 1));
    try (ServerSocket busy = new ServerSocket()) {
      busy.bind(new InetSocketAddress("127.0.0.1", port));
      assertRefused(NodeProcess.cli(CLI, "peer", address, "--cluster", Cluster.randomName()), String.valueOf(port));
    }
  }

  @Test
  @DisplayName("peer with a host name that does not resolve exits 2 with one error line and the usage")
  void peerWithUnknownHost() throws Exception {
    assertRefused(NodeProcess.cli(CLI, "peer", "nosuchhost.invalid:28080"), "nosuchhost.invalid");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"a loopback port nobody listens on", "a host name that does not resolve (yet)"})
  @DisplayName("a node whose only peer is unreachable does not crash: it is UP and serves /api/peers alone")
  void unreachablePeer(String peerKind) throws Exception {
    String self = NodeProcess.freeAddress();
    String peer = peerKind.startsWith("a loopback") ? NodeProcess.freeAddress() : "nosuchhost.invalid:28081";
    try (NodeProcess node = NodeProcess.start(self, peer, "--cluster", Cluster.randomName())) {
      node.awaitUp(Cluster.STARTUP);
      Eventually.holds("the node keeps running, UP and alone", Duration.ofSeconds(2),
          () -> node.process().isAlive() && node.get("/health").statusCode() == 200 && node.peerAddresses().equals(Set.of(self)),
          Boolean.TRUE::equals, node::logText);
    }
  }

  @Test
  @DisplayName("submit with an unknown option, a bad value or no job file exits 2 with one error line and the usage")
  void submitWithBadOptions() throws Exception {
    Path job = Files.writeString(dir.resolve("job.js"), "(xs) => xs");
    String to = NodeProcess.freeAddress();
    assertRefused(NodeProcess.cli(CLI, "submit", "--to", to, "--bogus", "1", job.toString()), "--bogus");
    assertRefused(NodeProcess.cli(CLI, "submit", "--to", to, job.toString(), "--partitions", "many"), "--partitions");
    assertRefused(NodeProcess.cli(CLI, "submit", "--to", to, job.toString(), "--timeout", "soon"), "soon");
    assertRefused(NodeProcess.cli(CLI, "submit", "--to", to), "JOB.js");
    assertRefused(NodeProcess.cli(CLI, "submit", "--to", to, dir.resolve("missing.js").toString()), "missing.js");
  }

  @Test
  @DisplayName("peers with an unknown option or a malformed --to exits 2 with one error line and the usage")
  void peersWithBadOptions() throws Exception {
    assertRefused(NodeProcess.cli(CLI, "peers", "--bogus"), "--bogus");
    assertRefused(NodeProcess.cli(CLI, "peers", "--to", "nohost"), "nohost");
  }

  @Test
  @DisplayName("modules with an unknown verb, option or missing argument exits 2 with one error line and the usage")
  void modulesWithBadOptions() throws Exception {
    String to = NodeProcess.freeAddress();
    assertRefused(NodeProcess.cli(CLI, "modules", "--to", to), "add");
    assertRefused(NodeProcess.cli(CLI, "modules", "--to", to, "frobnicate"), "frobnicate");
    assertRefused(NodeProcess.cli(CLI, "modules", "--to", to, "add", "lodash"), "add NAME FILE");
    assertRefused(NodeProcess.cli(CLI, "modules", "--to", to, "add", "lodash", dir.resolve("missing.js").toString()),
        "missing.js");
    assertRefused(NodeProcess.cli(CLI, "modules", "--to", to, "list", "--bogus"), "--bogus");
    assertRefused(NodeProcess.cli(CLI, "submit", "--to", to, "--module"), "--module");
  }
}
