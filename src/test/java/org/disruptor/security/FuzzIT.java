package org.disruptor.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.disruptor.e2e.Eventually;
import org.disruptor.e2e.NodeProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Seeded fuzzing of the job API on one real node: every answer is a 4xx with a JSON {@code {"error",
 * "message"}} body, or by design 503/504, or 200/202 with a plausible result for inputs that are in fact
 * valid jobs; never another 5xx, a hang, or a connection closed without an answer. The WebSocket answers
 * each bad message with an error event or closes cleanly. Afterwards the node has no parts left, is UP and
 * runs a normal job right. The seed is printed; {@code -Dfuzz.seed=N} replays a run.
 */
@DisplayName("Fuzzing the job API")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FuzzIT {

  private static final int MAX_BODY = 200_000;
  private static final int MAX_CODE = 65_536;
  private static final Duration ANSWER = AnswerChecks.ANSWER;
  private static final long SEED = Long.getLong("fuzz.seed", System.nanoTime());
  private static final String DOUBLE_JOB = "{\"code\":\"(xs) => xs.map(x => x * 2)\",\"data\":[1,2,3]}";
  private static final java.util.concurrent.ExecutorService SLOW_CLIENTS =
      java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();
  private static int webSocketMessages;
  private static NodeProcess node;
  private static AnswerChecks checks;

  @BeforeAll
  static void startNode() throws Exception {
    System.out.println("FuzzIT seed " + SEED + " (replay with -Dfuzz.seed=" + SEED + ")");
    node = NodeProcess.start(NodeProcess.freeAddress(), "--cluster", "fuzz-" + UUID.randomUUID().toString().substring(0, 8),
        "--max-body-bytes", String.valueOf(MAX_BODY), "--body-timeout-ms", String.valueOf(SLOW_LIMIT_MS),
        "--header-timeout-ms", String.valueOf(SLOW_LIMIT_MS), "--max-code-bytes", String.valueOf(MAX_CODE));
    node.awaitUp(Duration.ofSeconds(60));
    checks = new AnswerChecks(node, SEED);
    checks.assertCompletedWith(checks.send(RawHttp.post("/api/jobs", DOUBLE_JOB.getBytes(StandardCharsets.UTF_8)), "warm-up"), "[[2,4,6]]", "warm-up");
  }

  @AfterAll
  static void stopNode() throws Exception {
    Map<Integer, Integer> statuses = checks == null ? Map.of() : checks.statuses();
    System.out.println("FuzzIT seed " + SEED + ": " + statuses.values().stream().mapToInt(Integer::intValue).sum()
        + " HTTP answers " + statuses + ", " + webSocketMessages + " WebSocket messages");
    if (node != null) {
      node.close();
    }
  }

  /** After every group of inputs the node is alive and serves a normal job at once and correctly. */
  @AfterEach
  void servesTheNextJob(TestInfo info) throws Exception {
    assertTrue(node.process().isAlive(), "the node still runs after " + info.getDisplayName() + ":\n" + node.log());
    checks.assertCompletedWith(checks.send(RawHttp.post("/api/jobs", DOUBLE_JOB.getBytes(StandardCharsets.UTF_8)), "the next normal job"),
        "[[2,4,6]]", "the next normal job after " + info.getDisplayName());
  }

  private static Fuzz fuzz(TestInfo info) {
    return new Fuzz(new Random(SEED ^ info.getTestMethod().orElseThrow().getName().hashCode()));
  }

  // ---------------------------------------------------------------- HTTP: random and malformed bodies

  @Test
  @Order(1)
  @DisplayName("random bytes as the body are refused with 400 bad_request")
  void randomBytes(TestInfo info) throws Exception {
    Fuzz fuzz = fuzz(info);
    for (int i = 0; i < 150; i++) {
      byte[] body = i % 3 == 0 ? RawHttp.concat("{\"code\":".getBytes(StandardCharsets.UTF_8), fuzz.bytes(300)) : fuzz.bytes(2_000);
      if (decode(body) instanceof JsonObject) {
        continue;
      }
      checks.assertError(checks.post(body), 400, "bad_request", show(body));
    }
  }

  @Test
  @Order(2)
  @DisplayName("random JSON values of every type as the body are refused with 400 bad_request")
  void randomJsonValues(TestInfo info) throws Exception {
    Fuzz fuzz = fuzz(info);
    for (int i = 0; i < 200; i++) {
      byte[] body = fuzz.value(4, true).getBytes(StandardCharsets.UTF_8);
      checks.assertError(checks.post(body), 400, "bad_request", show(body));
    }
  }

  @Test
  @Order(3)
  @DisplayName("a job with one field of a wrong type is refused with 400 bad_request naming that field")
  void wrongFieldTypes(TestInfo info) throws Exception {
    Fuzz fuzz = fuzz(info);
    for (String field : List.of("code", "data", "mode", "partitions", "reduce", "timeoutMs")) {
      for (int i = 0; i < 20; i++) {
        byte[] body = validJobWith(field, fuzz.wrongValue(field)).getBytes(StandardCharsets.UTF_8);
        JsonObject error = checks.assertError(checks.post(body), 400, "bad_request", show(body));
        assertTrue(error.getString("message").contains("'" + field + "'"), "the message names '" + field + "': " + error
            + " for " + show(body));
      }
    }
  }

  @Test
  @Order(4)
  @DisplayName("null in a required field is refused with 400, null in an optional one means the default")
  void nullFields() throws Exception {
    for (String field : List.of("code", "data")) {
      byte[] body = validJobWith(field, "null").getBytes(StandardCharsets.UTF_8);
      checks.assertError(checks.post(body), 400, "bad_request", show(body));
    }
    for (String field : List.of("mode", "partitions", "reduce", "timeoutMs", "type", "ref")) {
      String body = validJobWith(field, "null");
      checks.assertCompletedWith(checks.post(body.getBytes(StandardCharsets.UTF_8)), field.equals("reduce") ? "[[1,2]]" : "[1,2]", body);
    }
  }

  /** {@code {"code":"(xs) => xs","data":[1,2],...}} valid in every field except {@code field}, which is {@code value}. */
  private static String validJobWith(String field, String value) {
    Map<String, String> fields = new java.util.LinkedHashMap<>();
    fields.put("code", "\"(xs) => xs\"");
    fields.put("data", "[1,2]");
    fields.put("mode", "\"map\"");
    fields.put("partitions", "1");
    fields.put("reduce", "\"(ps) => ps.flat()\"");
    fields.put("timeoutMs", "5000");
    fields.put(field, value);
    StringBuilder json = new StringBuilder("{");
    fields.forEach((k, v) -> json.append(json.length() > 1 ? "," : "").append('"').append(k).append("\":").append(v));
    return json.append('}').toString();
  }

  @Test
  @Order(5)
  @DisplayName("any JSON data comes back unchanged from an identity job, in broadcast and in map mode")
  void identityJobs(TestInfo info) throws Exception {
    Fuzz fuzz = fuzz(info);
    for (int i = 0; i < 40; i++) {
      String data = fuzz.value(4, false);
      String body = "{\"mode\":\"broadcast\",\"code\":\"(d) => d\",\"data\":" + data + "}";
      JsonObject view = checks.assertCompleted(checks.post(body.getBytes(StandardCharsets.UTF_8)), body);
      Object sent = Json.decodeValue(data);
      assertTrue(Fuzz.sameJson(new JsonArray().add(sent), view.getJsonArray("result")),
          "broadcast echo of " + data + " came back as " + view.getValue("result"));
    }
    for (int i = 0; i < 40; i++) {
      String data = fuzz.array(4, false);
      int partitions = 1 + fuzz.random().nextInt(4);
      String body = "{\"code\":\"(xs) => xs\",\"partitions\":" + partitions + ",\"data\":" + data + "}";
      JsonObject view = checks.assertCompleted(checks.post(body.getBytes(StandardCharsets.UTF_8)), body);
      assertEquals(partitions, view.getJsonArray("result").size(), "one result per partition: " + view);
      JsonArray joined = new JsonArray();
      view.getJsonArray("result").forEach(part -> ((JsonArray) part).forEach(joined::add));
      assertTrue(Fuzz.sameJson(Json.decodeValue(data), joined), "map echo of " + data + " came back as " + view.getValue("result"));
    }
  }

  @Test
  @Order(6)
  @DisplayName("mutated valid jobs get 200 with a plausible result or an exact JSON error")
  void mutatedJobs(TestInfo info) throws Exception {
    Fuzz fuzz = fuzz(info);
    List<String> bases = List.of(
        "{\"code\":\"(xs, ctx) => xs.map(x => x * 2)\",\"data\":[1,2,3,4],\"partitions\":2,\"timeoutMs\":5000}",
        "{\"mode\":\"broadcast\",\"code\":\"(d, ctx) => ({n: d.n + 1, node: ctx.node})\",\"data\":{\"n\":41}}",
        "{\"code\":\"(xs) => xs.length\",\"data\":[\"a\",\"b\",\"c\"],\"reduce\":\"(ps) => ps.reduce((a, b) => a + b, 0)\"}");
    for (int i = 0; i < 300; i++) {
      String body = fuzz.mutate(bases.get(i % bases.size()));
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      RawHttp.Answer answer = checks.post(bytes);
      Object json = decode(bytes);
      if (!(json instanceof JsonObject object) || !Fuzz.JOB_FIELDS.containsAll(object.fieldNames())) {
        checks.assertError(answer, 400, "bad_request", show(bytes));
      } else {
        checks.assertAllowed(answer, show(bytes));
      }
    }
  }

  // ---------------------------------------------------------------- HTTP: numbers, nesting, encodings, limits

  @Test
  @Order(7)
  @DisplayName("huge, negative and fractional partitions and timeoutMs are refused with 400 naming the field")
  void hugeNumbersInLimits() throws Exception {
    for (String field : List.of("partitions", "timeoutMs")) {
      for (String value : List.of("1e18", "1000000000000000000", "123456789012345678901234567890", "1e400", "-1e400",
          "-1", "0", "1.5", "2.0", "1e30", "9223372036854775808", "-9223372036854775809", "\"2\"", "1025", "600001")) {
        if (field.equals("timeoutMs") && value.equals("1025")) {
          continue;
        }
        byte[] body = validJobWith(field, value).getBytes(StandardCharsets.UTF_8);
        JsonObject error = checks.assertError(checks.post(body), 400, "bad_request", show(body));
        assertTrue(error.getString("message").contains("'" + field + "'"), error + " for " + show(body));
      }
    }
    RawHttp.Answer shortest = checks.post(validJobWith("timeoutMs", "1").getBytes(StandardCharsets.UTF_8));
    if (shortest.status() != 200) {
      checks.assertError(shortest, 504, "timed_out", "timeoutMs 1");
    }
  }

  @Test
  @Order(8)
  @DisplayName("big and tiny numbers in data reach the job as the nearest double")
  void bigNumbersInData() throws Exception {
    String data = "[123456789012345678901234567890,-123456789012345678901234567890,9007199254740993,1.7976931348623157e308,"
        + "5e-324,1e-400,-0,2147483648,9223372036854775808]";
    String body = "{\"code\":\"(xs) => xs.map(x => [typeof x, x])\",\"data\":" + data + "}";
    JsonArray result = checks.assertCompleted(checks.post(body.getBytes(StandardCharsets.UTF_8)), body).getJsonArray("result").getJsonArray(0);
    JsonArray sent = new JsonArray(data);
    for (int i = 0; i < sent.size(); i++) {
      assertEquals("number", result.getJsonArray(i).getString(0), "element " + i + " of " + data + ": " + result);
      assertEquals(((Number) sent.getValue(i)).doubleValue(), ((Number) result.getJsonArray(i).getValue(1)).doubleValue(),
          "element " + i + " of " + data + ": " + result);
    }
  }

  @Test
  @Order(9)
  @DisplayName("a number beyond double range (1e400) is refused with 400 or reaches the job as a number, never as a string")
  void numbersBeyondDoubleRange() throws Exception {
    for (String number : List.of("1e400", "-1e400")) {
      for (String body : List.of("{\"code\":\"(xs) => xs.map(x => typeof x)\",\"data\":[" + number + "]}",
          "{\"mode\":\"broadcast\",\"code\":\"(d) => typeof d.n\",\"data\":{\"n\":" + number + "}}")) {
        RawHttp.Answer answer = checks.post(body.getBytes(StandardCharsets.UTF_8));
        if (answer.status() == 400) {
          checks.assertError(answer, 400, "bad_request", body);
        } else {
          JsonArray result = checks.assertCompleted(answer, body).getJsonArray("result");
          assertEquals("number", result.getValue(0) instanceof JsonArray a ? a.getString(0) : result.getString(0),
              "the job saw " + number + " as a " + result + " (the node passed it on as the string \"Infinity\"): " + body);
        }
      }
    }
  }

  @Test
  @Order(10)
  @DisplayName("10,000-deep arrays and objects, as the body or as data, are refused with 400; 900-deep data runs")
  void deepNesting() throws Exception {
    int deep = 10_000;
    String arrays = "[".repeat(deep) + "]".repeat(deep);
    String objects = "{\"a\":".repeat(deep) + "1" + "}".repeat(deep);
    String mixed = "[{\"a\":".repeat(deep / 2) + "1" + "}]".repeat(deep / 2);
    for (String value : List.of(arrays, objects, mixed)) {
      checks.assertError(checks.post(value.getBytes(StandardCharsets.UTF_8)), 400, "bad_request", "a 10,000-deep body");
      String job = "{\"code\":\"(xs) => xs\",\"data\":[" + value + "]}";
      checks.assertError(checks.post(job.getBytes(StandardCharsets.UTF_8)), 400, "bad_request", "10,000-deep data");
      String broadcast = "{\"mode\":\"broadcast\",\"code\":\"(d) => 1\",\"data\":" + value + "}";
      checks.assertError(checks.post(broadcast.getBytes(StandardCharsets.UTF_8)), 400, "bad_request", "10,000-deep broadcast data");
    }
    String data = "[" + "[".repeat(900) + "]".repeat(900) + "]";
    String body = "{\"code\":\"(xs) => xs\",\"data\":" + data + "}";
    JsonObject view = checks.assertCompleted(checks.post(body.getBytes(StandardCharsets.UTF_8)), "900-deep data");
    assertEquals(new JsonArray().add(new JsonArray(data)), view.getJsonArray("result"), "900-deep data comes back unchanged");
    // a result is checked to be one JSON value without recursion, so a deep one comes back whole (deeper than a
    // JSON library here parses: the text is checked)
    String deepResult = "{\"code\":\"(xs) => { let a = []; for (let i = 0; i < 5000; i++) a = [a]; return a; }\",\"data\":[1]}";
    RawHttp.Answer deepAnswer = checks.post(deepResult.getBytes(StandardCharsets.UTF_8));
    assertEquals(200, deepAnswer.status(), "a 5,000-deep result: " + deepAnswer);
    assertTrue(deepAnswer.text().contains("\"status\":\"completed\"") && deepAnswer.text().contains("[".repeat(5_001) + "]"),
        "a 5,000-deep result comes back whole: " + deepAnswer);
  }

  @Test
  @Order(11)
  @DisplayName("invalid UTF-8 outside strings is refused with 400; inside strings it is refused or read as U+FFFD")
  void invalidUtf8() throws Exception {
    List<byte[]> bad = List.of(bytes(0xff), bytes(0xfe, 0xff), bytes(0xc0, 0xaf), bytes(0xe0, 0x80, 0xaf), bytes(0xed, 0xa0, 0x80),
        bytes(0xf8, 0x88, 0x80, 0x80, 0x80), bytes(0xf4, 0x90, 0x80, 0x80), bytes(0xc3), bytes(0xe2, 0x82), bytes(0x80));
    for (byte[] sequence : bad) {
      byte[] structural = join("{\"code\":\"(xs) => xs\",", sequence, "\"data\":[1]}");
      checks.assertError(checks.post(structural), 400, "bad_request", show(structural));
      byte[] key = join("{\"co", sequence, "de\":\"(xs) => xs\",\"data\":[1]}");
      checks.assertError(checks.post(key), 400, "bad_request", show(key));
      byte[] inData = join("{\"code\":\"(xs) => xs\",\"data\":[\"a", sequence, "b\"]}");
      RawHttp.Answer answer = checks.post(inData);
      if (answer.status() == 400) {
        checks.assertError(answer, 400, "bad_request", show(inData));
      } else {
        String expected = new String(join("a", sequence, "b"), StandardCharsets.UTF_8);
        assertEquals(new JsonArray().add(new JsonArray().add(expected)), checks.assertCompleted(answer, show(inData)).getJsonArray("result"),
            "the string with invalid UTF-8 comes back with U+FFFD: " + show(inData));
      }
      byte[] inCode = join("{\"code\":\"(xs) => xs /* ", sequence, " */\",\"data\":[1]}");
      answer = checks.post(inCode);
      if (answer.status() != 400) {
        checks.assertCompletedWith(answer, "[[1]]", show(inCode));
      }
    }
  }

  @Test
  @Order(12)
  @DisplayName("a body at the limit runs, one byte over is refused with 413, and code over the code limit with 413")
  void bodyLimits() throws Exception {
    byte[] atLimit = padded(DOUBLE_JOB, MAX_BODY);
    checks.assertCompletedWith(checks.post(atLimit), "[[2,4,6]]", "a body of exactly " + MAX_BODY + " bytes");
    checks.assertError(checks.post(padded(DOUBLE_JOB, MAX_BODY + 1)), 413, "payload_too_large", "a body of " + (MAX_BODY + 1) + " bytes");
    checks.assertError(checks.post(padded(DOUBLE_JOB, 5 * MAX_BODY)), 413, "payload_too_large", "a body of " + 5 * MAX_BODY + " bytes");
    byte[] chunked = RawHttp.concat(("POST /api/jobs HTTP/1.1\r\nHost: fuzz\r\nContent-Type: application/json\r\n"
        + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + Integer.toHexString(MAX_BODY + 1) + "\r\n").getBytes(StandardCharsets.UTF_8),
        RawHttp.concat(padded(DOUBLE_JOB, MAX_BODY + 1), "\r\n0\r\n\r\n".getBytes(StandardCharsets.UTF_8)));
    checks.assertError(checks.send(chunked, "a chunked body one byte over"), 413, "payload_too_large", "a chunked body one byte over");
    String code = "(xs) => xs /* " + "x".repeat(MAX_CODE) + " */";
    for (String field : List.of("code", "reduce")) {
      String job = new JsonObject().put("code", field.equals("code") ? code : "(xs) => xs").put("data", new JsonArray().add(1))
          .put("reduce", field.equals("reduce") ? code : null).encode();
      checks.assertError(checks.post(job.getBytes(StandardCharsets.UTF_8)), 413, "payload_too_large", "'" + field + "' over the code limit");
    }
  }

  /** {@code json} followed by spaces up to {@code length} bytes. */
  private static byte[] padded(String json, int length) {
    return (json + " ".repeat(length - json.length())).getBytes(StandardCharsets.UTF_8);
  }

  @Test
  @Order(13)
  @DisplayName("any content type, or none, gets the job's result or a JSON error; an empty body gets 400")
  void contentTypes() throws Exception {
    for (String type : new String[] {null, "text/plain", "application/xml", "application/json; charset=ISO-8859-1", "%%%;;=",
        "application/x-www-form-urlencoded", "multipart/form-data; boundary=xyz", "application/octet-stream", "*/*"}) {
      byte[] request = RawHttp.request("POST", "/api/jobs", type, DOUBLE_JOB.getBytes(StandardCharsets.UTF_8));
      RawHttp.Answer answer = checks.send(request, "content type " + type);
      if (answer.status() == 200) {
        checks.assertCompletedWith(answer, "[[2,4,6]]", "content type " + type);
      } else if (answer.status() == 415) {
        checks.assertError(answer, 415, "unsupported_media_type", "content type " + type);
      } else {
        checks.assertError(answer, 400, "bad_request", "content type " + type);
      }
      checks.assertError(checks.send(RawHttp.request("POST", "/api/jobs", type, new byte[0]), "empty body, " + type), 400, "bad_request",
          "an empty body with content type " + type);
    }
    checks.assertError(checks.send(RawHttp.request("POST", "/api/jobs", null, null), "no body, no length"), 400, "bad_request", "no body at all");
  }

  // ---------------------------------------------------------------- HTTP: methods, ids, URLs

  @Test
  @Order(14)
  @DisplayName("GET, PUT, PATCH, DELETE and others on /api/jobs/{random id} get 404 or 405 with a JSON error")
  void methodsOnRandomIds(TestInfo info) throws Exception {
    Fuzz fuzz = fuzz(info);
    String safe = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&'()*+,;=:@";
    for (int i = 0; i < 120; i++) {
      StringBuilder id = new StringBuilder();
      // long ids stay under the 4,096-byte request line even when every character is escaped
      int length = i % 10 == 0 ? 1_200 : 1 + fuzz.random().nextInt(60);
      for (int c = 0; c < length; c++) {
        int b = fuzz.random().nextInt(256);
        // no escaped '/', '.' or '\\': dot segments would leave /api/jobs, which is not what this checks
        id.append(fuzz.random().nextInt(4) == 0 && b != '/' && b != '.' && b != '\\' ? String.format("%%%02X", b)
            : String.valueOf(safe.charAt(fuzz.random().nextInt(safe.length()))));
      }
      String method = fuzz.pick(List.of("GET", "DELETE", "PUT", "PATCH", "POST", "OPTIONS", "HEAD", "TRACE", "FUZZ"));
      byte[] body = method.equals("GET") || method.equals("HEAD") ? null : DOUBLE_JOB.getBytes(StandardCharsets.UTF_8);
      String what = method + " /api/jobs/" + Fuzz.shorten(id.toString(), 200);
      RawHttp.Answer answer = checks.send(RawHttp.request(method, "/api/jobs/" + id, body == null ? null : "application/json", body), what);
      if (method.equals("HEAD")) {
        assertEquals(404, answer.status(), what + ": " + answer);
      } else if (method.equals("GET") || method.equals("DELETE")) {
        checks.assertError(answer, 404, "not_found", what);
      } else if (answer.status() == 405) {
        checks.assertError(answer, 405, "method_not_allowed", what);
      } else {
        checks.assertError(answer, 404, "not_found", what);
      }
    }
  }

  @Test
  @Order(15)
  @DisplayName("an async job answers 202 with its id, and GET of that id shows it completed with the right result")
  void asyncJobIsReadable() throws Exception {
    RawHttp.Answer accepted = checks.send(RawHttp.post("/api/jobs?async=true", DOUBLE_JOB.getBytes(StandardCharsets.UTF_8)), "async job");
    assertEquals(202, accepted.status(), accepted.toString());
    String id = accepted.json().getString("id");
    assertNotNull(id, accepted.toString());
    JsonObject view = Eventually.until("the async job " + id + " completes",
        () -> checks.send(RawHttp.request("GET", "/api/jobs/" + id, null, null), "GET the async job").json(),
        v -> v != null && !"running".equals(v.getString("status")));
    assertEquals("completed", view.getString("status"), view.encode());
    assertEquals(new JsonArray("[[2,4,6]]"), view.getJsonArray("result"), view.encode());
    for (String query : List.of("?async=true", "?async=%zz", "?async=" + "x".repeat(2_000), "?async&async=true")) {
      checks.assertError(checks.send(RawHttp.post("/api/jobs" + query, "{\"data\":[1]}".getBytes(StandardCharsets.UTF_8)), query), 400,
          "bad_request", "a job without code, " + Fuzz.shorten(query, 40));
    }
  }

  @Test
  @Order(16)
  @DisplayName("DELETE of a job that already ended answers a 4xx JSON error, not 500")
  void deleteEndedJob() throws Exception {
    RawHttp.Answer done = checks.post(DOUBLE_JOB.getBytes(StandardCharsets.UTF_8));
    String id = checks.assertCompletedWith(done, "[[2,4,6]]", "a normal job").getString("id");
    RawHttp.Answer answer = checks.send(RawHttp.request("DELETE", "/api/jobs/" + id, null, null), "DELETE of an ended job");
    assertTrue(answer.status() >= 400 && answer.status() < 500, "DELETE /api/jobs/" + id + " of a completed job: " + answer);
    checks.assertError(answer, answer.status(), "not_running", "DELETE of an ended job");
  }

  @Test
  @Order(17)
  @DisplayName("a path that cannot be decoded (/api/jobs/%, %zz) gets a JSON error, not the static handler's plain text")
  void undecodablePaths() throws Exception {
    Map<String, byte[]> requests = new java.util.LinkedHashMap<>();
    for (String path : List.of("/api/jobs/%", "/api/jobs/%zz", "/api/jobs/%e", "/api/jobs/a%", "/api/jobs%", "/api/%%")) {
      requests.put("GET " + path, RawHttp.request("GET", path, null, null));
      requests.put("DELETE " + path, RawHttp.request("DELETE", path, null, null));
      requests.put("POST " + path, RawHttp.post(path, DOUBLE_JOB.getBytes(StandardCharsets.UTF_8)));
    }
    assertJsonErrors(requests);
  }

  @Test
  @Order(18)
  @DisplayName("requests the HTTP decoder refuses (URL or header too long, bad Content-Length) get a JSON error")
  void refusedByTheDecoder() throws Exception {
    Map<String, byte[]> requests = new java.util.LinkedHashMap<>();
    requests.put("GET of a 5,000-character id", RawHttp.request("GET", "/api/jobs/" + "a".repeat(5_000), null, null));
    requests.put("POST with a 100,000-character query",
        RawHttp.post("/api/jobs?" + "a".repeat(100_000), DOUBLE_JOB.getBytes(StandardCharsets.UTF_8)));
    for (String length : List.of("abc", "-1", "99999999999999999999", "1, 2")) {
      requests.put("Content-Length: " + length, ("POST /api/jobs HTTP/1.1\r\nHost: fuzz\r\nContent-Length: " + length
          + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
    }
    requests.put("a header of 10,000 bytes", ("GET /api/jobs HTTP/1.1\r\nHost: fuzz\r\nX-Fuzz: " + "a".repeat(10_000)
        + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
    assertJsonErrors(requests);
  }

  /** Sends each request; fails listing every one not answered with a 4xx and a JSON {"error", "message"}. */
  private static void assertJsonErrors(Map<String, byte[]> requests) throws IOException {
    List<String> failures = new ArrayList<>();
    for (Map.Entry<String, byte[]> request : requests.entrySet()) {
      RawHttp.Answer answer = checks.send(request.getValue(), request.getKey());
      JsonObject json = answer.json();
      if (answer.status() < 400 || answer.status() >= 500 || json == null || !(json.getValue("error") instanceof String)
          || !(json.getValue("message") instanceof String)
          || !answer.headers().getOrDefault("content-type", "").startsWith("application/json")) {
        failures.add(request.getKey() + " -> " + answer);
      }
    }
    assertTrue(failures.isEmpty(), "answers without a 4xx JSON error (seed " + SEED + "):\n  " + String.join("\n  ", failures));
  }

  // ---------------------------------------------------------------- WebSocket

  @Test
  @Order(20)
  @DisplayName("every malformed WebSocket message gets one error event and the socket still runs a job")
  void webSocketGarbage(TestInfo info) throws Exception {
    Fuzz fuzz = fuzz(info);
    try (RawWebSocket ws = RawWebSocket.open(node.address())) {
      for (int i = 0; i < 200; i++) {
        String what;
        Integer ref = null;
        switch (i % 6) {
          case 0 -> {
            byte[] bytes = fuzz.bytes(1_000);
            ws.send(RawWebSocket.BINARY, bytes, true, true);
            what = "binary frame " + Fuzz.show(bytes, 100);
          }
          case 1 -> {
            String text = new String(fuzz.bytes(300), StandardCharsets.ISO_8859_1).replace('{', '(');
            ws.sendText(text);
            what = "text " + Fuzz.shorten(text, 100);
          }
          case 2 -> {
            String value = fuzz.pick(List.of(fuzz.array(3, true), fuzz.string(), fuzz.number(true), "null", "true"));
            ws.sendText(value);
            what = "JSON value " + Fuzz.shorten(value, 100);
          }
          case 3 -> {
            String field = fuzz.pick(List.of("code", "data", "mode", "partitions", "reduce", "timeoutMs"));
            ref = i;
            String job = validJobWith(field, fuzz.wrongValue(field));
            job = job.substring(0, job.length() - 1) + ",\"ref\":" + ref + "}";
            ws.sendText(job);
            what = "job " + Fuzz.shorten(job, 200);
          }
          case 4 -> {
            String object = fuzz.object(3, true);
            ws.sendText(object.equals("{}") ? "{\"x\":1}" : object);
            what = "object " + Fuzz.shorten(object, 200);
          }
          default -> {
            String cancel = fuzz.pick(List.of("{\"type\":\"cancel\"}", "{\"type\":\"cancel\",\"id\":null}",
                "{\"type\":" + fuzz.number(false) + "}", "{\"type\":[\"cancel\"]}", "{\"type\":{\"type\":\"cancel\"}}"));
            ws.sendText(cancel);
            what = cancel;
          }
        }
        webSocketMessages++;
        JsonObject event = ws.readJson(ANSWER, what);
        assertEquals("error", event.getString("type"), what + " -> " + event);
        assertEquals("bad_request", event.getString("error"), what + " -> " + event);
        assertEquals(400, event.getInteger("status"), what + " -> " + event);
        assertFalse(event.getString("message", "").isBlank(), what + " -> " + event);
        assertEquals(ref, event.getValue("ref"), "the job's ref is echoed: " + what + " -> " + event);
      }
      assertWebSocketRunsAJob(ws);
    }
  }

  @Test
  @Order(21)
  @DisplayName("a WebSocket cancel for an unknown id gets one error event naming that id, with a 4xx status")
  void webSocketCancelUnknown(TestInfo info) throws Exception {
    Fuzz fuzz = fuzz(info);
    try (RawWebSocket ws = RawWebSocket.open(node.address())) {
      for (int i = 0; i < 20; i++) {
        // no lone surrogates: UTF-8 cannot carry them, so no echo could return them unchanged
        String id = i == 0 ? "\"" + UUID.randomUUID() + "\"" : i % 3 == 0 ? fuzz.number(false) : Json.encode(fuzz.text(40));
        String cancel = "{\"type\":\"cancel\",\"id\":" + id + "}";
        // the node reads the id as a string: a number is an id too, and an unknown one
        String expectedId = new JsonObject(cancel).getString("id");
        ws.sendText(cancel);
        webSocketMessages++;
        JsonObject event = ws.readJson(ANSWER, cancel);
        assertEquals("error", event.getString("type"), cancel + " -> " + event);
        assertEquals("not_found", event.getString("error"), "no such job in the cluster: " + cancel + " -> " + event);
        assertEquals(expectedId, event.getString("id"), cancel + " -> " + event);
        int status = event.getInteger("status");
        assertTrue(status >= 400 && status < 500, "a cancel of an unknown id is a client error, not " + status + ": " + event);
      }
      assertWebSocketRunsAJob(ws);
    }
  }

  @Test
  @Order(22)
  @DisplayName("WebSocket protocol abuse (bad UTF-8, frames over the limit, bad opcodes, unmasked) gets an error event or a clean close")
  void webSocketProtocolAbuse() throws Exception {
    byte[] big = new byte[MAX_BODY + 1];
    java.util.Arrays.fill(big, (byte) ' ');
    byte[] third = new byte[MAX_BODY / 2];
    java.util.Arrays.fill(third, (byte) ' ');
    record Abuse(String what, ThrowingSender send) { }
    List<Abuse> abuses = List.of(
        new Abuse("text frame with invalid UTF-8", ws -> ws.send(RawWebSocket.TEXT, bytes('{', 0xff, 0xfe, '}'), true, true)),
        new Abuse("text frame with a UTF-8 surrogate", ws -> ws.send(RawWebSocket.TEXT, bytes('"', 0xed, 0xa0, 0x80, '"'), true, true)),
        new Abuse("text frame of " + big.length + " bytes", ws -> ws.send(RawWebSocket.TEXT, big, true, true)),
        new Abuse("binary frame of " + big.length + " bytes", ws -> ws.send(RawWebSocket.BINARY, big, true, true)),
        new Abuse("three fragments of " + third.length + " bytes", ws -> {
          ws.send(RawWebSocket.TEXT, third, false, true);
          ws.send(RawWebSocket.CONTINUATION, third, false, true);
          ws.send(RawWebSocket.CONTINUATION, third, true, true);
        }),
        new Abuse("reserved opcode 3", ws -> ws.send(0x3, bytes('x'), true, true)),
        new Abuse("reserved opcode 11", ws -> ws.send(0xB, bytes('x'), true, true)),
        new Abuse("unmasked text frame", ws -> ws.send(RawWebSocket.TEXT, DOUBLE_JOB.getBytes(StandardCharsets.UTF_8), true, false)),
        new Abuse("continuation without a start", ws -> ws.send(RawWebSocket.CONTINUATION, bytes('x'), true, true)),
        new Abuse("ping of 200 bytes", ws -> ws.send(RawWebSocket.PING, new byte[200], true, true)),
        new Abuse("fragmented ping", ws -> ws.send(RawWebSocket.PING, bytes('x'), false, true)),
        new Abuse("close with an invalid code", ws -> ws.send(RawWebSocket.CLOSE, bytes(0x03, 0xe7), true, true)));
    List<String> failures = new ArrayList<>();
    for (Abuse abuse : abuses) {
      try (RawWebSocket ws = RawWebSocket.open(node.address())) {
        String sent = "";
        try {
          abuse.send().send(ws);
        } catch (IOException e) {
          sent = " (the node closed the connection while it was sent: " + e.getMessage() + ")";
        }
        webSocketMessages++;
        RawWebSocket.Frame frame = ws.read(ANSWER);
        System.out.println("FuzzIT WebSocket " + abuse.what() + " -> " + (frame == null ? "nothing within " + ANSWER : frame) + sent);
        if (frame == null) {
          failures.add(abuse.what() + ": no answer and no close within " + ANSWER);
        } else if (frame.opcode() == RawWebSocket.TEXT) {
          JsonObject event = frame.json();
          if (!"error".equals(event.getString("type")) || !(event.getValue("message") instanceof String)) {
            failures.add(abuse.what() + ": " + frame);
          }
        } else if (frame.opcode() != RawWebSocket.CLOSE && frame.opcode() != -1) {
          // -1: failing the connection (RFC 6455 7.1.7) may end TCP without a close frame, which is still clean
          failures.add(abuse.what() + ": " + frame + " instead of an error event or a close");
        } else if (frame.opcode() == RawWebSocket.CLOSE && !Set.of(1000, 1002, 1003, 1007, 1009).contains(frame.closeCode())) {
          failures.add(abuse.what() + ": closed with " + frame);
        }
      }
    }
    assertTrue(failures.isEmpty(), "WebSocket abuse not answered cleanly:\n  " + String.join("\n  ", failures));
    try (RawWebSocket ws = RawWebSocket.open(node.address())) {
      assertWebSocketRunsAJob(ws);
    }
  }

  @FunctionalInterface
  private interface ThrowingSender {
    void send(RawWebSocket ws) throws IOException;
  }

  @Test
  @Order(23)
  @DisplayName("rapid WebSocket open and close, some with a running job, leaves no part running")
  void webSocketRapidOpenClose(TestInfo info) throws Exception {
    Fuzz fuzz = fuzz(info);
    String endless = "{\"code\":\"(xs) => { while (true) { } }\",\"data\":[1],\"timeoutMs\":60000}";
    for (int i = 0; i < 60; i++) {
      RawWebSocket ws = RawWebSocket.open(node.address());
      if (i % 4 == 0) {
        ws.sendText(endless);
        webSocketMessages++;
        if (fuzz.random().nextBoolean()) {
          assertEquals("accepted", ws.readJson(ANSWER, "an endless job").getString("type"));
        }
      }
      if (fuzz.random().nextBoolean()) {
        ws.close();
      } else {
        ws.abort();
      }
    }
    // parts that outlive their socket would run until the part time limit (10 s), far past this wait
    awaitNoParts("jobs of closed sockets are cancelled and their parts stopped");
  }

  private static void assertWebSocketRunsAJob(RawWebSocket ws) throws IOException {
    ws.sendText(DOUBLE_JOB.replace("}", ",\"ref\":\"last\"}"));
    JsonObject accepted = ws.readJson(ANSWER, "a normal job");
    assertEquals("accepted", accepted.getString("type"), accepted.encode());
    assertEquals("last", accepted.getString("ref"), accepted.encode());
    JsonObject event;
    do {
      event = ws.readJson(ANSWER, "a normal job");
    } while ("partition".equals(event.getString("type")));
    assertEquals("completed", event.getString("type"), event.encode());
    assertEquals(new JsonArray("[[2,4,6]]"), event.getJsonArray("result"), event.encode());
  }

  // ---------------------------------------------------------------- slow clients

  @Test
  @Order(30)
  @DisplayName("unfinished headers, a stalled body and a trickled body are each answered or closed by the node "
      + "(headerTimeoutMs, bodyTimeoutMs), and the node serves others meanwhile")
  void slowUploads() throws Exception {
    byte[] trickled = padded(DOUBLE_JOB, 2_000);
    assertAnsweredOrClosed(List.of(
        slowClient("headers never finished", HEAD, null),
        slowClient("headers, then 8 of 100 body bytes, then nothing", HEAD + "Content-Length: 100\r\n\r\n{\"code\":", null),
        slowClient("a 2,000-byte body at 5 bytes a second", HEAD + "Content-Length: 2000\r\n\r\n", trickled)));
  }

  private static final String HEAD = "POST /api/jobs HTTP/1.1\r\nHost: fuzz\r\nContent-Type: application/json\r\n";
  /** The node's header and body timeouts in this test: small, so the slow clients are cut off within seconds. */
  private static final long SLOW_LIMIT_MS = 2_000;
  /** How long a slow client waits for the node to answer or close: far above the node's limits. */
  private static final Duration SLOW_BOUND = Duration.ofSeconds(60);

  /** Runs normal jobs until the slow clients are all done, then fails unless each got an answer or a close. */
  private static void assertAnsweredOrClosed(List<CompletableFuture<String>> clients) throws Exception {
    CompletableFuture<Void> all = CompletableFuture.allOf(clients.toArray(CompletableFuture[]::new));
    Eventually.until("the slow clients are each answered or closed, while the node serves normal jobs", () -> {
      checks.assertCompletedWith(checks.post(DOUBLE_JOB.getBytes(StandardCharsets.UTF_8)), "[[2,4,6]]", "a normal job while slow clients wait");
      return all.isDone();
    });
    List<String> outcomes = new ArrayList<>();
    for (CompletableFuture<String> client : clients) {
      outcomes.add(client.get(SLOW_BOUND.toSeconds() + 10, TimeUnit.SECONDS));
    }
    outcomes.forEach(o -> System.out.println("FuzzIT slow client: " + o));
    assertTrue(outcomes.stream().noneMatch(o -> o.contains(RawHttp.Outcome.NO_ANSWER_IN_TIME.name())),
        "the node must answer or close a slow client within " + SLOW_BOUND + ":\n  " + String.join("\n  ", outcomes));
  }

  /** Sends {@code head}, then {@code trickle} one byte each 200 ms (if any), and reports how the node answered. */
  private static CompletableFuture<String> slowClient(String what, String head, byte[] trickle) {
    return CompletableFuture.supplyAsync(() -> {
      long start = System.nanoTime();
      try (Socket socket = RawHttp.connect(node.address())) {
        OutputStream out = socket.getOutputStream();
        out.write(head.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        if (trickle != null) {
          Thread.ofVirtual().start(() -> {
            try {
              for (byte b : trickle) {
                Thread.sleep(200);
                out.write(b);
                out.flush();
              }
            } catch (IOException | InterruptedException e) {
              // the node closed the connection: that is what the check waits for
            }
          });
        }
        InputStream in = new java.io.BufferedInputStream(socket.getInputStream());
        RawHttp.Answer answer = RawHttp.read(socket, in, false, start, SLOW_BOUND);
        return what + ": " + answer;
      } catch (IOException e) {
        return what + ": " + e;
      }
    }, SLOW_CLIENTS);
  }

  // ---------------------------------------------------------------- after the run

  @Test
  @Order(99)
  @DisplayName("after the fuzz run the node has no running or queued parts, is UP and runs a normal job right")
  void nodeIsClean() throws Exception {
    awaitNoParts("no part is left after the fuzz run");
    RawHttp.Answer health = checks.send(RawHttp.request("GET", "/health", null, null), "GET /health");
    assertEquals(200, health.status(), health.toString());
    assertEquals("UP", health.json().getString("status"), health.toString());
    assertEquals(0L, health.json().getLong("runningJobs"), "no job still runs: " + health);
    checks.assertCompletedWith(checks.post(DOUBLE_JOB.getBytes(StandardCharsets.UTF_8)), "[[2,4,6]]", "a normal job after the fuzz run");
    String log = node.log();
    for (String sign : List.of("OutOfMemoryError", "StackOverflowError", "has been blocked for")) {
      assertFalse(log.contains(sign), "the node log shows " + sign + ":\n" + log);
    }
  }

  private static void awaitNoParts(String what) throws Exception {
    Eventually.until(what, () -> {
      RawHttp.Answer peers = checks.send(RawHttp.request("GET", "/api/peers", null, null), "GET /api/peers");
      assertEquals(200, peers.status(), peers.toString());
      return peers.json().getJsonArray("peers").getJsonObject(0);
    }, self -> Integer.valueOf(0).equals(self.getInteger("running")) && Integer.valueOf(0).equals(self.getInteger("queued")));
  }

  /** The body decoded as the node would (UTF-8, then JSON), or a marker when it is not JSON. */
  private static Object decode(byte[] body) {
    try {
      return Json.decodeValue(new String(body, StandardCharsets.UTF_8));
    } catch (DecodeException e) {
      return DecodeException.class;
    }
  }

  private static String show(byte[] body) {
    return Fuzz.show(body, 300);
  }

  private static byte[] bytes(int... values) {
    byte[] bytes = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      bytes[i] = (byte) values[i];
    }
    return bytes;
  }

  private static byte[] join(String before, byte[] middle, String after) {
    return RawHttp.concat(RawHttp.concat(before.getBytes(StandardCharsets.UTF_8), middle), after.getBytes(StandardCharsets.UTF_8));
  }
}
