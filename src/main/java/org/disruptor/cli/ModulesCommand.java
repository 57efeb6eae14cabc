package org.disruptor.cli;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.disruptor.cluster.HostPort;
import org.disruptor.config.ConfigException;

/**
 * {@code disruptor modules add NAME FILE [--version V]}, {@code modules list [--json]}, {@code modules rm NAME}:
 * the cluster's module store, through any node.
 */
public final class ModulesCommand {

  private static final String ROW = "%-24s %-12s %-14s %10s  %-20s%n";
  private final CliArgs args;
  private final Map<String, String> env;

  public ModulesCommand(List<String> argv, Map<String, String> env) {
    this.args = new CliArgs(argv, Set.of("--to", "--token", "--version"), Set.of("--json"));
    this.env = env;
  }

  public int run() {
    if (args.positional.isEmpty()) {
      throw new ConfigException("modules needs add NAME FILE, list or rm NAME");
    }
    String verb = args.positional.getFirst();
    HostPort to = CliArgs.target(args, env);
    String token = CliArgs.token(args, env);
    try {
      return switch (verb) {
        case "add" -> add(to, token);
        case "list", "ls" -> list(to, token);
        case "rm", "remove" -> remove(to, token);
        default -> throw new ConfigException("unknown modules command '" + verb + "' (add, list, rm)");
      };
    } catch (IOException e) {
      System.err.println("disruptor: cannot reach node " + to + ": " + e.getMessage());
      return 1;
    }
  }

  private void need(int count, String usage) {
    if (args.positional.size() != count) {
      throw new ConfigException("usage: disruptor modules " + usage);
    }
  }

  private static String path(String name) {
    return "/api/modules/" + URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private int add(HostPort to, String token) throws IOException {
    need(3, "add NAME FILE [--version V]");
    String name = args.positional.get(1);
    String file = args.positional.get(2);
    byte[] source;
    try {
      source = Files.readAllBytes(Path.of(file));
    } catch (NoSuchFileException e) {
      throw new ConfigException("no such file: " + file);
    }
    String version = args.flags.get("--version");
    String query = version == null ? "" : "?version=" + URLEncoder.encode(version, StandardCharsets.UTF_8);
    HttpGet.Response response = HttpGet.send(to, "PUT", path(name) + query, token, source, 60_000);
    if (response.status() != 201) {
      return failed(to, response);
    }
    Map<String, Object> info = object(response.body());
    System.out.println("added " + info.get("name") + (info.get("version") == null ? "" : " " + info.get("version"))
        + " (" + info.get("size") + " bytes, hash " + prefix(info.get("hash")) + ")");
    return 0;
  }

  private int list(HostPort to, String token) throws IOException {
    need(1, "list [--json]");
    HttpGet.Response response = HttpGet.get(to, "/api/modules", token, 10_000);
    if (response.status() != 200) {
      return failed(to, response);
    }
    Map<String, Object> body = object(response.body());
    if (args.flags.containsKey("--json")) {
      System.out.println(Json.pretty(body));
      return 0;
    }
    System.out.print(table(body));
    return 0;
  }

  /** The module list as the command prints it. */
  static String table(Map<String, Object> body) {
    StringBuilder out = new StringBuilder(String.format(ROW, "NAME", "VERSION", "HASH", "SIZE", "UPLOADED"));
    for (Object item : Json.array(body.get("modules"))) {
      Map<String, Object> m = Json.object(item);
      Object when = m.get("when");
      String uploaded = when instanceof Json.Num n ? Instant.ofEpochMilli(n.longValue()).toString().substring(0, 19) : "-";
      out.append(String.format(ROW, text(m.get("name")), m.get("version") == null ? "-" : text(m.get("version")),
          prefix(m.get("hash")), text(m.get("size")), uploaded));
    }
    return out.toString();
  }

  private int remove(HostPort to, String token) throws IOException {
    need(2, "rm NAME");
    String name = args.positional.get(1);
    HttpGet.Response response = HttpGet.send(to, "DELETE", path(name), token, null, 10_000);
    if (response.status() != 204) {
      return failed(to, response);
    }
    System.out.println("removed " + name);
    return 0;
  }

  private static String prefix(Object hash) {
    String text = text(hash);
    return text.length() > 12 ? text.substring(0, 12) : text;
  }

  private static String text(Object value) {
    return value == null ? "-" : value instanceof Json.Num n ? n.toString() : String.valueOf(value);
  }

  private static Map<String, Object> object(String body) {
    try {
      return Json.object(Json.parse(body));
    } catch (Json.ParseException e) {
      return Map.of("message", body);
    }
  }

  private static int failed(HostPort to, HttpGet.Response response) {
    Map<String, Object> error = object(response.body());
    Object line = error.get("line");
    System.err.println("disruptor: " + to + " answered " + response.status() + " " + text(error.get("error")) + ": "
        + text(error.get("message")) + (line == null ? "" : " (line " + text(line) + ":" + text(error.get("column")) + ")"));
    return 1;
  }
}
