package org.disruptor.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.disruptor.cluster.HostPort;
import org.disruptor.config.ConfigException;

/**
 * {@code disruptor submit}: sends a job over the node's WebSocket (JOB.js may be an ES module importing
 * store modules; {@code --module NAME}, repeatable, lists classic scripts to run before it), draws a progress bar on stderr as parts
 * finish, prints the final JSON on stdout, and exits 0 only when the job completed. The data file is sent
 * as written (after a check that it is JSON), so it reaches the parts verbatim.
 */
public final class SubmitCommand {

  private static final int BAR = 30;
  private static final Set<String> FINAL = Set.of("error", "rejected", "completed", "failed", "timed_out", "cancelled");
  private final CliArgs args;
  private final Map<String, String> env;
  private final long start = System.nanoTime();
  private int parts;
  private int done;
  private int retries;

  /** {@code --module NAME} values in order (the flag repeats: CliArgs keeps one value per flag). */
  private final List<String> modules = new java.util.ArrayList<>();

  public SubmitCommand(List<String> argv, Map<String, String> env) {
    List<String> rest = new java.util.ArrayList<>();
    for (int i = 0; i < argv.size(); i++) {
      if (argv.get(i).equals("--module")) {
        if (i + 1 >= argv.size()) {
          throw new ConfigException("flag --module needs a value");
        }
        modules.add(argv.get(++i));
      } else {
        rest.add(argv.get(i));
      }
    }
    this.args = new CliArgs(rest, Set.of("--to", "--mode", "--partitions", "--reduce", "--timeout", "--token"),
        Set.of("--quiet"));
    this.env = env;
  }

  public int run() {
    if (args.positional.isEmpty() || args.positional.size() > 2) {
      throw new ConfigException("submit needs JOB.js and optionally DATA.json");
    }
    String job = job();
    HostPort to = CliArgs.target(args, env);
    WebSocketClient socket;
    try {
      socket = WebSocketClient.connect(to, "/api/jobs/ws", CliArgs.token(args, env), 10_000);
    } catch (IOException e) {
      System.err.println("disruptor: cannot reach node " + to + ": " + e.getMessage());
      return 1;
    }
    // Ctrl-C closes the socket, and the node cancels the job
    Thread cancelOnExit = new Thread(() -> {
      try {
        socket.close();
      } catch (IOException e) {
        // exiting anyway
      }
    });
    Runtime.getRuntime().addShutdownHook(cancelOnExit);
    Map<String, Object> last;
    try {
      socket.sendText(job);
      last = outcome(socket);
    } catch (IOException | Json.ParseException e) {
      System.err.println();
      System.err.println("disruptor: connection to " + to + " failed: " + e.getMessage());
      return 1;
    } finally {
      Runtime.getRuntime().removeShutdownHook(cancelOnExit);
      try {
        socket.close();
      } catch (IOException e) {
        // done with it
      }
    }
    if (last == null) {
      System.err.println();
      System.err.println("disruptor: " + to + " closed the connection before the job ended");
      return 1;
    }
    if (!args.flags.containsKey("--quiet")) {
      System.err.println();
    }
    last.remove("type");
    System.out.println(Json.pretty(last));
    if ("completed".equals(last.get("status"))) {
      return 0;
    }
    Object status = last.get("status");
    // a final job view has a status word; an error answer has a numeric HTTP status and its code
    String outcome = status instanceof String s ? "job " + s : String.valueOf(last.get("error"));
    System.err.println("disruptor: " + outcome + ": " + last.get("message") + where(last));
    return 1;
  }

  /** Reads events until the final one; null when the socket closed first. */
  private Map<String, Object> outcome(WebSocketClient socket) throws IOException, Json.ParseException {
    for (String text = socket.receive(); text != null; text = socket.receive()) {
      Map<String, Object> event = Json.object(Json.parse(text));
      Object type = event.get("type");
      switch (type instanceof String t ? t : "") {
        case "accepted" -> parts = event.get("partitions") instanceof Json.Num n ? (int) n.longValue() : 0;
        case "partition" -> done++;
        case "retry" -> retries++;
        default -> { }
      }
      progress();
      if (FINAL.contains(type)) {
        return event;
      }
    }
    return null;
  }

  /** The job message: code and reduce as JSON strings, the data file's text as it is. */
  private String job() {
    StringBuilder job = new StringBuilder("{\"code\":");
    Json.quote(job, read(args.positional.get(0)));
    if (args.positional.size() > 1) {
      String file = args.positional.get(1);
      String data = read(file).strip();
      try {
        Json.validated(data);
      } catch (Json.ParseException e) {
        throw new ConfigException(file + " is not valid JSON: " + e.getMessage());
      }
      job.append(",\"data\":").append(data);
    }
    if (args.flags.containsKey("--mode")) {
      job.append(",\"mode\":");
      Json.quote(job, args.get("--mode", "map"));
    }
    if (args.flags.containsKey("--partitions")) {
      try {
        job.append(",\"partitions\":").append(Integer.parseInt(args.get("--partitions", "")));
      } catch (NumberFormatException e) {
        throw new ConfigException("--partitions needs a number");
      }
    }
    if (args.flags.containsKey("--reduce")) {
      job.append(",\"reduce\":");
      Json.quote(job, read(args.get("--reduce", "")));
    }
    if (args.flags.containsKey("--timeout")) {
      job.append(",\"timeoutMs\":").append(CliArgs.durationMs(args.get("--timeout", "")));
    }
    if (!modules.isEmpty()) {
      job.append(",\"modules\":[");
      for (int i = 0; i < modules.size(); i++) {
        if (i > 0) {
          job.append(',');
        }
        Json.quote(job, modules.get(i));
      }
      job.append(']');
    }
    return job.append('}').toString();
  }

  private static String read(String file) {
    try {
      return file.equals("-") ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8)
          : Files.readString(Path.of(file));
    } catch (NoSuchFileException e) {
      throw new ConfigException("no such file: " + file);
    } catch (IOException e) {
      throw new ConfigException("cannot read " + file + ": " + e.getMessage());
    }
  }

  private static String where(Map<String, Object> event) {
    StringBuilder out = new StringBuilder();
    if (event.get("partition") != null) {
      out.append(" (partition ").append(event.get("partition"));
      if (event.get("node") != null) {
        out.append(" on ").append(event.get("node"));
      }
      if (event.get("line") != null) {
        out.append(", line ").append(event.get("line")).append(':').append(event.get("column"));
      }
      out.append(')');
    }
    return out.toString();
  }

  private void progress() {
    if (args.flags.containsKey("--quiet")) {
      return;
    }
    int filled = parts == 0 ? 0 : Math.min(BAR, done * BAR / parts);
    long tenths = (System.nanoTime() - start) / 100_000_000;
    System.err.print("\r[" + "#".repeat(filled) + ".".repeat(BAR - filled) + "] " + done + "/" + parts + " parts  "
        + tenths / 10 + "." + tenths % 10 + "s" + (retries > 0 ? "  (" + retries + " retried)" : ""));
    System.err.flush();
  }
}
