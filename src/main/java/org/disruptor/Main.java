package org.disruptor;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.disruptor.cli.PeersCommand;
import org.disruptor.cli.SubmitCommand;
import org.disruptor.cluster.HostPort;
import org.disruptor.config.Config;
import org.disruptor.config.ConfigException;

/** The {@code disruptor} command line: {@code peer}, {@code submit}, {@code peers}. */
public final class Main {

  static final String USAGE = """
      usage:
        disruptor peer HOST:PORT [PEER_HOST:PEER_PORT ...] [--option value ...]
            start a node serving HTTP/WebSocket on HOST:PORT, joining the cluster of the given peers
        disruptor submit [--to HOST:PORT] JOB.js [DATA.json] [--mode map|broadcast] [--partitions N]
                         [--reduce REDUCE.js] [--timeout 30] [--module NAME ...] [--token TOKEN] [--quiet]
            run a job, show progress on stderr, print the result JSON on stdout;
            --timeout is the job's deadline: 30 or 30s (seconds), 500ms, 2m; DATA.json may be - (stdin);
            JOB.js may be an ES module (import _ from "lodash"; export default (xs) => ...);
            --module NAME (repeatable) runs a store module as a classic script before the code
        disruptor modules add NAME FILE [--version V] | list [--json] | rm NAME   [--to HOST:PORT] [--token TOKEN]
            the cluster's module store: upload a library once, import it from any job
        disruptor peers [--to HOST:PORT] [--json] [--token TOKEN]
            list the peers a node knows with their load ("-": not known yet); --json prints the node's JSON
      submit, peers, modules: --to defaults to DISRUPTOR_TO, else 127.0.0.1:8080; --token to DISRUPTOR_TOKEN
      node options (also in conf/config.json and as DISRUPTOR_* environment variables), e.g.:
        --cluster NAME   --token TOKEN   --job-timeout-ms N   --worker-threads N   --log-level debug""";

  /** How long a stopping node may take to leave the cluster and close before the process is halted. */
  private static final long SHUTDOWN_MS = 15_000;

  private Main() {
  }

  public static void main(String[] args) {
    System.exit(run(args));
  }

  static int run(String[] args) {
    if (args.length == 0 || args[0].equals("help") || args[0].equals("--help") || args[0].equals("-h")) {
      System.err.println(USAGE);
      return args.length == 0 ? 2 : 0;
    }
    List<String> rest = new ArrayList<>(Arrays.asList(args).subList(1, args.length));
    try {
      return switch (args[0]) {
        case "peer" -> peer(rest);
        case "submit" -> new SubmitCommand(rest, System.getenv()).run();
        case "peers" -> new PeersCommand(rest, System.getenv()).run();
        case "modules" -> new org.disruptor.cli.ModulesCommand(rest, System.getenv()).run();
        // started by a node for its V8 parts, not by users
        case "runner" -> org.disruptor.sandbox.V8Runner.main(rest);
        default -> throw new ConfigException("unknown command '" + args[0] + "'");
      };
    } catch (ConfigException | IllegalArgumentException e) {
      System.err.println("disruptor: " + e.getMessage());
      System.err.println(USAGE);
      return 2;
    }
  }

  private static int peer(List<String> args) throws ConfigException {
    // set here, not in a static block: the client commands load no logging at all (they start faster)
    System.setProperty("java.util.logging.manager", Logs.Manager.class.getName());
    Path home = Path.of(System.getProperty("disruptor.home", "."));
    Config.Loaded loaded = Config.load(args, System.getenv(), home);
    if (loaded.positional().isEmpty()) {
      throw new ConfigException("peer needs this node's address HOST:PORT");
    }
    HostPort self = HostPort.parse(loaded.positional().getFirst());
    self.ip(); // an unknown host for this node's own address is a bad command line (exit 2), not a failed start
    List<HostPort> peers = loaded.positional().stream().skip(1).map(HostPort::parse).toList();
    JsonObject conf = loaded.config();
    Logs.configure(conf.getString("logLevel"), conf.getString("logFormat"));
    Thread.setDefaultUncaughtExceptionHandler((thread, e) -> java.util.logging.Logger.getLogger("org.disruptor.node")
        .log(java.util.logging.Level.WARNING, "uncaught in " + thread.getName(), e));
    Node node;
    try {
      node = Node.start(conf, self, peers);
    } catch (ConfigException e) {
      throw e;
    } catch (Exception e) {
      System.err.println("disruptor: node " + self + " failed to start: " + e.getMessage());
      return 1;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      // SIGTERM always ends the process: a stop that hangs (a part no engine can interrupt, a peer that does
      // not answer) is cut short and the JVM halted
      Thread stopper = Thread.ofPlatform().daemon().name("disruptor-stop").start(node::stop);
      try {
        stopper.join(SHUTDOWN_MS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (stopper.isAlive()) {
        System.err.println("disruptor: node " + self + " did not stop within " + SHUTDOWN_MS + " ms; exiting anyway");
        Runtime.getRuntime().halt(1);
      }
      stopped.countDown();
    }, "disruptor-shutdown"));
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }
}
