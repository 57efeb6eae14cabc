package org.disruptor.config;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The node configuration, read once: the defaults shipped in the jar (a copy of {@code conf/config.json}),
 * then {@code conf/config.json} under the install directory (or {@code --config FILE}), then environment
 * variables {@code DISRUPTOR_<UPPER_SNAKE_KEY>}, then flags {@code --kebab-key VALUE}; later wins.
 * Every key is typed by its default, so a typo or a wrong type is refused instead of ignored.
 */
public final class Config {

  private Config() {
  }

  /** The parsed configuration and the positional arguments left after the flags. */
  public record Loaded(JsonObject config, List<String> positional) {
  }

  public static JsonObject defaults() {
    try (InputStream in = Config.class.getResourceAsStream("/config.json")) {
      if (in == null) {
        throw new IllegalStateException("config.json missing from the classpath");
      }
      return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Loads the layers; {@code args} may mix positional arguments and {@code --flag value} pairs. */
  public static Loaded load(List<String> args, Map<String, String> env, Path home) {
    JsonObject config = defaults();
    List<String> positional = new ArrayList<>();
    List<String[]> flags = new ArrayList<>();
    Path file = home.resolve("conf").resolve("config.json");
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (!arg.startsWith("--")) {
        positional.add(arg);
        continue;
      }
      String name = arg.substring(2);
      String value;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      } else if (i + 1 < args.size()) {
        value = args.get(++i);
      } else {
        throw new ConfigException("flag --" + name + " needs a value");
      }
      if (name.equals("config")) {
        file = Path.of(value);
      } else {
        flags.add(new String[] {name, value});
      }
    }
    if (Files.isRegularFile(file)) {
      merge(config, readFile(file), file.toString());
    }
    for (String key : config.fieldNames().toArray(String[]::new)) {
      String value = env.get(envName(key));
      if (value != null) {
        config.put(key, convert(config, key, value, envName(key)));
      }
    }
    for (String[] flag : flags) {
      String key = keyOfFlag(flag[0]);
      if (!config.containsKey(key)) {
        throw new ConfigException("unknown option --" + flag[0]);
      }
      config.put(key, convert(config, key, flag[1], "--" + flag[0]));
    }
    return new Loaded(config, positional);
  }

  /**
   * Sizes given as 0 ("auto") become a share of the node's heap, so a node given a bigger heap
   * ({@code DISRUPTOR_HEAP}) takes bigger jobs without more settings: {@code maxBodyBytes} heap/32 (at least
   * 16 MiB), {@code maxResultBytes} heap/16 (at least 8 MiB), {@code historyResultBytes} heap/8 (at least
   * 32 MiB), {@code durableBytes} heap/4 (at least 64 MiB). Returns {@code conf}, changed in place.
   */
  public static JsonObject sized(JsonObject conf, long maxHeap) {
    auto(conf, "maxBodyBytes", maxHeap / 32, 16L << 20);
    auto(conf, "maxResultBytes", maxHeap / 16, 8L << 20);
    auto(conf, "historyResultBytes", maxHeap / 8, 32L << 20);
    auto(conf, "durableBytes", maxHeap / 4, 64L << 20);
    return conf;
  }

  private static void auto(JsonObject conf, String key, long share, long floor) {
    Number value = (Number) conf.getValue(key);
    if (value != null && value.longValue() == 0) {
      long size = Math.min(Integer.MAX_VALUE, Math.max(floor, share));
      conf.put(key, (int) size);
    }
  }

  public static String envName(String key) {
    return "DISRUPTOR_" + key.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT);
  }

  public static String flagName(String key) {
    return "--" + key.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
  }

  private static String keyOfFlag(String flag) {
    StringBuilder key = new StringBuilder();
    boolean upper = false;
    for (char c : flag.toCharArray()) {
      if (c == '-') {
        upper = true;
      } else {
        key.append(upper ? Character.toUpperCase(c) : c);
        upper = false;
      }
    }
    return key.toString();
  }

  private static JsonObject readFile(Path file) {
    try {
      return new JsonObject(Files.readString(file));
    } catch (IOException | DecodeException e) {
      throw new ConfigException("cannot read " + file + ": " + e.getMessage());
    }
  }

  private static void merge(JsonObject config, JsonObject layer, String source) {
    for (String key : layer.fieldNames()) {
      if (!config.containsKey(key)) {
        throw new ConfigException("unknown key '" + key + "' in " + source);
      }
      Object value = layer.getValue(key);
      config.put(key, value == null ? null : convert(config, key, String.valueOf(value), source));
    }
  }

  private static Object convert(JsonObject config, String key, String value, String source) {
    Object current = config.getValue(key);
    try {
      if (current instanceof Integer || current instanceof Long) {
        return Long.parseLong(value.trim()) <= Integer.MAX_VALUE
            ? (Object) Integer.parseInt(value.trim()) : (Object) Long.parseLong(value.trim());
      }
      if (current instanceof Boolean) {
        if (!value.equalsIgnoreCase("true") && !value.equalsIgnoreCase("false")) {
          throw new NumberFormatException();
        }
        return Boolean.parseBoolean(value);
      }
    } catch (NumberFormatException e) {
      throw new ConfigException(source + ": '" + key + "' must be a "
          + (current instanceof Boolean ? "boolean" : "number") + ", got '" + value + "'");
    }
    return value.isEmpty() ? null : value;
  }
}
