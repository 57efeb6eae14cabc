package org.disruptor.ops;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.disruptor.e2e.NodeProcess;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Log lines")
class LogFormatIT {

  @Test
  @DisplayName("with --log-format json, every line the node logs is one JSON object with time, level, logger and message")
  void jsonLines() throws Exception {
    NodeProcess node = NodeProcess.start(NodeProcess.freeAddress(), "--cluster", "logs-" + UUID.randomUUID(),
        "--log-format", "json");
    try (node) {
      node.awaitUp(Duration.ofSeconds(60));
      node.post("/api/jobs", "{\"code\":\"(x) => { throw new Error('for the log') }\",\"data\":[1]}");
    }
    List<String> lines = node.log().lines().filter(l -> !l.isBlank()).toList();
    assertFalse(lines.isEmpty());
    boolean started = false;
    boolean stopped = false;
    for (String line : lines) {
      JsonObject json = new JsonObject(line);
      for (String field : List.of("time", "level", "logger", "message")) {
        assertTrue(json.containsKey(field), "'" + field + "' missing in " + line);
      }
      started |= json.getString("message").contains("started");
      stopped |= json.getString("message").contains("stopped");
    }
    assertTrue(started && stopped, "start and stop are logged:\n" + String.join("\n", lines));
  }

  @Test
  @DisplayName("by default, a node's start prints one line per event and none of Hazelcast's banner or routine chatter")
  void quietByDefault() throws Exception {
    NodeProcess node = NodeProcess.start(NodeProcess.freeAddress(), "--cluster", "logs-" + UUID.randomUUID());
    try (node) {
      node.awaitUp(Duration.ofSeconds(60));
    }
    String log = node.log();
    assertFalse(log.contains("o---o"), "Hazelcast's banner:\n" + log);
    assertFalse(log.contains("Members {size"), "Hazelcast's member list:\n" + log);
    assertFalse(log.contains("CP Subsystem"), "Hazelcast's routine warnings:\n" + log);
    long lines = log.lines().filter(l -> !l.isBlank()).count();
    assertTrue(lines <= 4, "a quiet start and stop (start, stopping, stopped):\n" + log);
  }
}
