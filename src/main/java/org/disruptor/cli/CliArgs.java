package org.disruptor.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
  static String target(CliArgs args, Map<String, String> env) {
    return org.disruptor.cluster.HostPort.parse(args.get("--to", env.getOrDefault("DISRUPTOR_TO", "127.0.0.1:8080")))
        .toString();
  }

  /** Parses durations such as {@code 500ms}, {@code 30s}, {@code 2m}; a bare number is milliseconds. */
  static long durationMs(String text) {
    try {
      if (text.endsWith("ms")) {
        return Long.parseLong(text.substring(0, text.length() - 2));
      }
      if (text.endsWith("s")) {
        return Math.round(Double.parseDouble(text.substring(0, text.length() - 1)) * 1000);
      }
      if (text.endsWith("m")) {
        return Math.round(Double.parseDouble(text.substring(0, text.length() - 1)) * 60_000);
      }
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw new ConfigException("bad duration '" + text + "' (e.g. 500ms, 30s, 2m)");
    }
  }
}
