package org.disruptor.cli;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.disruptor.config.ConfigException;

/**
 * {@code disruptor submit}: sends a job over the node's WebSocket, draws a progress bar on stderr as parts
 * finish, prints the final JSON on stdout, and exits 0 only when the job completed.
 */
public final class SubmitCommand {

  private static final int BAR = 30;
  private final CliArgs args;
  private final Map<String, String> env;
  private final CompletableFuture<JsonObject> outcome = new CompletableFuture<>();
  private final long start = System.nanoTime();
  private int parts;
  private int done;
  private int retries;

  public SubmitCommand(List<String> argv, Map<String, String> env) {
    this.args = new CliArgs(argv, Set.of("--to", "--mode", "--partitions", "--reduce", "--timeout", "--token"),
        Set.of("--quiet"));
    this.env = env;
  }

  public int run() {
    if (args.positional.isEmpty() || args.positional.size() > 2) {
      throw new ConfigException("submit needs JOB.js and optionally DATA.json");
    }
    JsonObject job = job();
    String to = CliArgs.target(args, env);
    WebSocket.Builder builder;
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    builder = client.newWebSocketBuilder();
    String token = args.get("--token", env.get("DISRUPTOR_TOKEN"));
    if (token != null && !token.isEmpty()) {
      builder.header("Authorization", "Bearer " + token);
    }
    WebSocket socket;
    try {
      socket = builder.buildAsync(URI.create("ws://" + to + "/api/jobs/ws"), new Listener()).get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      System.err.println("disruptor: cannot reach node " + to + ": " + (e.getCause() != null ? e.getCause() : e));
      return 1;
    }
    Thread cancelOnExit = new Thread(() -> socket.abort());
    Runtime.getRuntime().addShutdownHook(cancelOnExit);
    socket.sendText(job.encode(), true);
    JsonObject last;
    try {
      last = outcome.get();
    } catch (Exception e) {
      System.err.println();
      System.err.println("disruptor: connection to " + to + " failed: " + e.getCause());
      return 1;
    } finally {
      Runtime.getRuntime().removeShutdownHook(cancelOnExit);
      socket.sendClose(WebSocket.NORMAL_CLOSURE, "done");
    }
    System.err.println();
    last.remove("type");
    System.out.println(last.encodePrettily());
    if ("completed".equals(last.getString("status"))) {
      return 0;
    }
    String outcome = last.getValue("status") instanceof String status ? "job " + status : last.getString("error");
    System.err.println("disruptor: " + outcome + ": " + last.getString("message") + where(last));
    return 1;
  }

  private JsonObject job() {
    JsonObject job = new JsonObject().put("code", read(args.positional.get(0)));
    if (args.positional.size() > 1) {
      try {
        job.put("data", Json.decodeValue(read(args.positional.get(1))));
      } catch (DecodeException e) {
        throw new ConfigException(args.positional.get(1) + " is not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
      }
    }
    if (args.flags.containsKey("--mode")) {
      job.put("mode", args.get("--mode", "map"));
    }
    if (args.flags.containsKey("--partitions")) {
      try {
        job.put("partitions", Integer.parseInt(args.get("--partitions", "")));
      } catch (NumberFormatException e) {
        throw new ConfigException("--partitions needs a number");
      }
    }
    if (args.flags.containsKey("--reduce")) {
      job.put("reduce", read(args.get("--reduce", "")));
    }
    if (args.flags.containsKey("--timeout")) {
      job.put("timeoutMs", CliArgs.durationMs(args.get("--timeout", "")));
    }
    return job;
  }

  private static String read(String file) {
    try {
      return file.equals("-") ? new String(System.in.readAllBytes()) : Files.readString(Path.of(file));
    } catch (NoSuchFileException e) {
      throw new ConfigException("no such file: " + file);
    } catch (IOException e) {
      throw new ConfigException("cannot read " + file + ": " + e.getMessage());
    }
  }

  private static String where(JsonObject event) {
    StringBuilder out = new StringBuilder();
    if (event.getValue("partition") != null) {
      out.append(" (partition ").append(event.getValue("partition"));
      if (event.getString("node") != null) {
        out.append(" on ").append(event.getString("node"));
      }
      if (event.getValue("line") != null) {
        out.append(", line ").append(event.getValue("line")).append(':').append(event.getValue("column"));
      }
      out.append(')');
    }
    return out.toString();
  }

  private void progress() {
    if (args.flags.containsKey("--quiet")) {
      return;
    }
    int filled = parts == 0 ? 0 : done * BAR / parts;
    double elapsed = (System.nanoTime() - start) / 1e9;
    System.err.printf("\r[%s%s] %d/%d parts  %.1fs%s", "#".repeat(filled), ".".repeat(BAR - filled), done, parts,
        elapsed, retries > 0 ? "  (" + retries + " retried)" : "");
    System.err.flush();
  }

  private void onEvent(JsonObject event) {
    switch (event.getString("type", "")) {
      case "accepted" -> parts = event.getInteger("partitions", 0);
      case "partition" -> done++;
      case "retry" -> retries++;
      case "error", "rejected", "completed", "failed", "timed_out", "cancelled" -> outcome.complete(event);
      default -> { }
    }
    progress();
  }

  private final class Listener implements WebSocket.Listener {
    private final StringBuilder text = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      text.append(data);
      if (last) {
        onEvent(new JsonObject(text.toString()));
        text.setLength(0);
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      outcome.completeExceptionally(new IOException("the node closed the connection: " + statusCode + " " + reason));
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      outcome.completeExceptionally(error);
    }
  }
}
