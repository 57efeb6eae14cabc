package org.disruptor.cli;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code disruptor peers}: the peers a node knows, as a table (or raw JSON with --json). */
public final class PeersCommand {

  private final CliArgs args;
  private final Map<String, String> env;

  public PeersCommand(List<String> argv, Map<String, String> env) {
    this.args = new CliArgs(argv, Set.of("--to", "--token"), Set.of("--json"));
    this.env = env;
  }

  public int run() {
    String to = CliArgs.target(args, env);
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://" + to + "/api/peers"))
        .timeout(Duration.ofSeconds(10));
    String token = args.get("--token", env.get("DISRUPTOR_TOKEN"));
    if (token != null && !token.isEmpty()) {
      request.header("Authorization", "Bearer " + token);
    }
    try (HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
      HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        System.err.println("disruptor: " + to + " answered " + response.statusCode() + ": " + response.body());
        return 1;
      }
      JsonObject body = new JsonObject(response.body());
      if (args.flags.containsKey("--json")) {
        System.out.println(body.encodePrettily());
        return 0;
      }
      System.out.printf("%-22s %-38s %-20s %8s %10s%n", "ADDRESS", "ID", "SINCE", "RUNNING", "COMPLETED");
      body.getJsonArray("peers").forEach(o -> {
        JsonObject p = (JsonObject) o;
        System.out.printf("%-22s %-38s %-20s %8s %10s%n", p.getString("address"), p.getString("id"),
            Instant.ofEpochMilli(p.getLong("since")).toString().substring(0, 19), p.getValue("running"),
            p.getValue("completed"));
      });
      return 0;
    } catch (IOException e) {
      System.err.println("disruptor: cannot reach node " + to + ": " + e);
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    }
  }
}
