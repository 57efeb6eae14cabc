package org.disruptor.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Configuration layers")
class ConfigTest {

  @TempDir
  Path home;

  @Test
  @DisplayName("takes the file, then the environment, then flags: later wins")
  void layers() throws Exception {
    Files.createDirectories(home.resolve("conf"));
    Files.writeString(home.resolve("conf/config.json"), "{\"cluster\":\"from-file\",\"historySize\":5,\"maxAttempts\":7}");
    Config.Loaded loaded = Config.load(List.of("127.0.0.1:1", "--cluster", "from-flag", "--history-size=9"),
        Map.of("DISRUPTOR_CLUSTER", "from-env", "DISRUPTOR_HISTORY_SIZE", "6"), home);
    assertEquals("from-flag", loaded.config().getString("cluster"));
    assertEquals(9, loaded.config().getInteger("historySize"));
    assertEquals(7, loaded.config().getInteger("maxAttempts"));
    assertEquals(List.of("127.0.0.1:1"), loaded.positional());
  }

  @Test
  @DisplayName("uses the shipped defaults without a file")
  void defaults() {
    Config.Loaded loaded = Config.load(List.of(), Map.of(), home);
    assertEquals("disruptor", loaded.config().getString("cluster"));
    assertEquals(null, loaded.config().getString("token"));
  }

  @Test
  @DisplayName("names environment variables and flags after the key")
  void names() {
    assertEquals("DISRUPTOR_CLUSTER", Config.envName("cluster"));
    assertEquals("DISRUPTOR_TOKEN", Config.envName("token"));
    assertEquals("DISRUPTOR_JOB_TIMEOUT_MS", Config.envName("jobTimeoutMs"));
    assertEquals("--job-timeout-ms", Config.flagName("jobTimeoutMs"));
  }

  @Test
  @DisplayName("refuses unknown flags, unknown keys and values of the wrong type")
  void refuses() throws Exception {
    assertThrows(ConfigException.class, () -> Config.load(List.of("--no-such-thing", "1"), Map.of(), home));
    assertThrows(ConfigException.class, () -> Config.load(List.of("--history-size", "many"), Map.of(), home));
    assertThrows(ConfigException.class, () -> Config.load(List.of("--cluster"), Map.of(), home));
    Files.createDirectories(home.resolve("conf"));
    Files.writeString(home.resolve("conf/config.json"), "{\"clustr\":\"x\"}");
    ConfigException e = assertThrows(ConfigException.class, () -> Config.load(List.of(), Map.of(), home));
    assertTrue(e.getMessage().contains("clustr"));
  }

  @Test
  @DisplayName("sizes given as 0 scale with the heap, with a floor; explicit sizes stay as set")
  void sizedByHeap() {
    io.vertx.core.json.JsonObject small = Config.sized(Config.defaults(), 256L << 20);
    assertEquals(16 << 20, small.getInteger("maxBodyBytes"));
    assertEquals(16 << 20, small.getInteger("maxResultBytes"));
    assertEquals(32 << 20, small.getInteger("historyResultBytes"));
    io.vertx.core.json.JsonObject big = Config.sized(Config.defaults(), 4L << 30);
    assertEquals(128 << 20, big.getInteger("maxBodyBytes"));
    assertEquals(256 << 20, big.getInteger("maxResultBytes"));
    assertEquals(1 << 30, big.getLong("durableBytes"));
    io.vertx.core.json.JsonObject set = Config.sized(Config.defaults().put("maxResultBytes", 1234), 4L << 30);
    assertEquals(1234, set.getInteger("maxResultBytes"));
  }
}
