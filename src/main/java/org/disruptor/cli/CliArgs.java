package org.disruptor.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.disruptor.cluster.HostPort;
import org.disruptor.config.ConfigException;

/** Flags and positional arguments of a client command; unknown flags are refused. */
final class CliArgs {

  final Map<String, String> flags = new HashMap<>();
  final List<String> positional = new ArrayList<>();

  CliArgs(List<String> args, Set<String> valued, Set<String> switches) {
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (!arg.startsWith("--")) {
        positional.add(arg);
      } else if (switches.contains(arg)) {
        flags.put(arg, "true");
      } else if (valued.contains(arg)) {
        if (i + 1 >= args.size()) {
          throw new ConfigException("flag " + arg + " needs a value");
        }
        flags.put(arg, args.get(++i));
      } else {
        throw new ConfigException("unknown option " + arg);
      }
    }
  }

  String get(String flag, String fallback) {
    return flags.getOrDefault(flag, fallback);
  }

  /** The node to talk to: --to, else DISRUPTOR_TO, else the default local node. */
  static HostPort target(CliArgs args, Map<String, String> env) {
    return HostPort.parse(args.get("--to", env.getOrDefault("DISRUPTOR_TO", "127.0.0.1:8080")));
  }

  /** The access token: --token, else DISRUPTOR_TOKEN; null when neither is set. */
  static String token(CliArgs args, Map<String, String> env) {
    String token = args.get("--token", env.get("DISRUPTOR_TOKEN"));
    return token == null || token.isEmpty() ? null : token;
  }

  /** Parses durations such as {@code 500ms}, {@code 30s}, {@code 2m}; a bare number is seconds. */
  static long durationMs(String text) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m)?").matcher(text.trim());
    if (!m.matches()) {
      throw new ConfigException("bad duration '" + text + "' (e.g. 30 or 30s for 30 seconds, 500ms, 2m)");
    }
    double value = Double.parseDouble(m.group(1));
    String unit = m.group(2) == null ? "s" : m.group(2);
    return Math.round(value * switch (unit) {
      case "ms" -> 1;
      case "m" -> 60_000;
      default -> 1000;
    });
  }
}
