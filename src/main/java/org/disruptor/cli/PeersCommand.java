package org.disruptor.cli;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.disruptor.cluster.HostPort;

/**
 * {@code disruptor peers}: the peers a node knows with their load, as a table (or the node's JSON with
 * --json). A counter the node does not know yet (a peer that has just joined and not answered) prints "-".
 */
public final class PeersCommand {

  private static final String ROW = "%-22s %-8s %-19s %7s %6s %9s %9s %6s %5s %11s%n";
  private final CliArgs args;
  private final Map<String, String> env;

  public PeersCommand(List<String> argv, Map<String, String> env) {
    this.args = new CliArgs(argv, Set.of("--to", "--token"), Set.of("--json"));
    this.env = env;
  }

  public int run() {
    HostPort to = CliArgs.target(args, env);
    HttpGet.Response response;
    try {
      response = HttpGet.get(to, "/api/peers", CliArgs.token(args, env), 10_000);
    } catch (IOException e) {
      System.err.println("disruptor: cannot reach node " + to + ": " + e.getMessage());
      return 1;
    }
    if (response.status() != 200) {
      System.err.println("disruptor: " + to + " answered " + response.status() + ": " + response.body());
      return 1;
    }
    Map<String, Object> body;
    try {
      body = Json.object(Json.parse(response.body()));
    } catch (Json.ParseException e) {
      System.err.println("disruptor: " + to + " sent a peer list that is not JSON (" + e.getMessage() + ")");
      return 1;
    }
    if (args.flags.containsKey("--json")) {
      System.out.println(Json.pretty(body));
      return 0;
    }
    System.out.print(table(body));
    return 0;
  }

  /** The peer list as the table the command prints. */
  static String table(Map<String, Object> body) {
    StringBuilder out = new StringBuilder(String.format(ROW, "ADDRESS", "ENGINE", "SINCE", "RUNNING", "QUEUED",
        "BUSY", "COMPLETED", "FAILED", "CPU", "HEAP"));
    for (Object item : Json.array(body.get("peers"))) {
      Map<String, Object> p = Json.object(item);
      Object since = p.get("since");
      out.append(String.format(ROW, text(p.get("address")), text(p.get("engine")),
          since instanceof Json.Num n ? Instant.ofEpochMilli(n.longValue()).toString().substring(0, 19) : "-",
          text(p.get("running")), text(p.get("queued")), busy(p), text(p.get("completed")), text(p.get("failed")),
          cpu(p.get("cpu")), heap(p.get("heapUsed"), p.get("heapMax"))));
    }
    return out.toString();
  }

  private static String text(Object value) {
    return value == null ? "-" : value.toString();
  }

  private static String busy(Map<String, Object> p) {
    Object workers = p.get("workers");
    return p.get("busy") == null && workers == null ? "-" : text(p.get("busy")) + "/" + text(workers);
  }

  private static String cpu(Object value) {
    return value instanceof Json.Num n ? Math.round(Double.parseDouble(n.text()) * 100) + "%" : "-";
  }

  private static String heap(Object used, Object max) {
    if (!(used instanceof Json.Num u)) {
      return "-";
    }
    String shown = u.longValue() / (1024 * 1024) + "M";
    return max instanceof Json.Num m ? shown + "/" + m.longValue() / (1024 * 1024) + "M" : shown;
  }
}
