package org.disruptor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.disruptor.config.ConfigException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The command line's parts")
class CliPartsTest {

  @Test
  @DisplayName("a bare --timeout number is seconds; ms, s and m are accepted; anything else is refused")
  void durations() {
    assertEquals(30_000, CliArgs.durationMs("30"));
    assertEquals(30_000, CliArgs.durationMs("30s"));
    assertEquals(1_500, CliArgs.durationMs("1.5s"));
    assertEquals(500, CliArgs.durationMs("500ms"));
    assertEquals(120_000, CliArgs.durationMs("2m"));
    for (String bad : List.of("soon", "30d", "-5", "1e3", "", "Infinity", "s")) {
      ConfigException e = assertThrows(ConfigException.class, () -> CliArgs.durationMs(bad), bad);
      assertTrue(e.getMessage().contains("30s"), e.getMessage());
    }
  }

  @Test
  @DisplayName("JSON is read and written back with numbers exactly as sent")
  void jsonRoundTrip() throws Exception {
    String text = "{\"a\":[1,2.50,-0,1e400,{\"b\":null}],\"s\":\"q\\\"\\n\\u00e9\",\"t\":true}";
    Object value = Json.parse(text);
    assertEquals(text.replace("\\u00e9", "\u00e9"), Json.write(value));
    Map<String, Object> map = Json.object(value);
    assertEquals("2.50", Json.array(map.get("a")).get(1).toString());
    assertEquals("q\"\n\u00e9", map.get("s"));
    assertEquals(Json.parse(text), Json.parse(Json.pretty(value)), "pretty text reads back as the same value");
  }

  @Test
  @DisplayName("malformed JSON is refused with its line and column")
  void jsonErrors() {
    for (String bad : List.of("{", "[1,]", "{\"a\" 1}", "tru", "1 2", "\"open", "01x", "{\"a\":1,}")) {
      Json.ParseException e = assertThrows(Json.ParseException.class, () -> Json.parse(bad), bad);
      assertTrue(e.getMessage().contains("line 1, column"), e.getMessage());
    }
    Json.ParseException e = assertThrows(Json.ParseException.class, () -> Json.parse("[1,\n  2,\n  x]"));
    assertTrue(e.getMessage().endsWith("line 3, column 3"), e.getMessage());
  }

  @Test
  @DisplayName("pretty JSON keeps short arrays on one line and packs long ones")
  void pretty() throws Exception {
    assertEquals("{\n  \"result\": [[1, 4], [9, 16]],\n  \"status\": \"completed\"\n}",
        Json.pretty(Json.parse("{\"result\":[[1,4],[9,16]],\"status\":\"completed\"}")));
    String longArray = Json.pretty(Json.parse("[" + "12345,".repeat(99) + "12345]"));
    assertTrue(longArray.lines().count() > 3 && longArray.lines().allMatch(l -> l.length() <= 100), longArray);
  }

  @Test
  @DisplayName("an HTTP response is read with a content length or in chunks")
  void httpResponses() throws Exception {
    HttpGet.Response plain = HttpGet.parse(bytes("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}"));
    assertEquals(200, plain.status());
    assertEquals("{}", plain.body());
    HttpGet.Response chunked = HttpGet.parse(bytes(
        "HTTP/1.1 401 Unauthorized\r\nTransfer-Encoding: chunked\r\n\r\n3\r\n{\"a\r\n4;x=y\r\n\":1}\r\n0\r\n\r\n"));
    assertEquals(401, chunked.status());
    assertEquals("{\"a\":1}", chunked.body());
    assertThrows(java.io.IOException.class, () -> HttpGet.parse(bytes("HTTP/1.1 200 OK\r\n")));
  }

  @Test
  @DisplayName("the peer table prints '-' for a counter the node does not know yet, never null")
  void peerTable() throws Exception {
    String table = PeersCommand.table(Json.object(Json.parse("{\"self\":\"h:1\",\"peers\":["
        + "{\"address\":\"h:1\",\"id\":\"a\",\"since\":1700000000000,\"engine\":\"graaljs\",\"running\":2,\"queued\":0,"
        + "\"workers\":2,\"completed\":7,\"failed\":0,\"cpu\":0.25,\"heapUsed\":52428800,\"heapMax\":268435456},"
        + "{\"address\":\"h:2\",\"id\":\"b\",\"since\":1700000001000,\"running\":null}]}")));
    List<String> lines = table.lines().toList();
    assertEquals(3, lines.size(), table);
    assertTrue(lines.get(1).strip().matches("h:1 +graaljs +2023-11-14T22:13:20 +2 +0 +-/2 +7 +0 +25% +50M/256M"), lines.get(1));
    assertTrue(lines.get(2).strip().matches("h:2 +- +2023-11-14T22:13:21( +-){7}"), lines.get(2));
    assertFalse(table.contains("null"), table);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  @DisplayName("the module list prints name, version, hash prefix, size and upload time")
  void moduleTable() throws Exception {
    String table = ModulesCommand.table(Json.object(Json.parse("{\"modules\":[{\"name\":\"lodash\",\"version\":"
        + "\"4.17.21\",\"hash\":\"0123456789abcdef0123\",\"size\":73015,\"when\":1764633600000},{\"name\":\"mine\","
        + "\"version\":null,\"hash\":\"fedcba9876543210\",\"size\":12,\"when\":1764633600000}]}")));
    List<String> lines = table.lines().toList();
    assertEquals(3, lines.size(), table);
    assertTrue(lines.get(0).startsWith("NAME"), table);
    assertTrue(lines.get(1).strip().matches("lodash +4\\.17\\.21 +0123456789ab +73015 +2025-12-02T00:00:00"), lines.get(1));
    assertTrue(lines.get(2).strip().matches("mine +- +fedcba987654 +12 +.*"), lines.get(2));
  }
}
