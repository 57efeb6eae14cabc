package org.disruptor.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayName("Job validation and error mapping")
class JobSpecTest {

  private static final JobSpec.Limits LIMITS = new JobSpec.Limits(100, 16, 30_000, 60_000);

  private static JobError rejected(String json) {
    return assertThrows(JobError.class, () -> parse(json));
  }

  @Test
  @DisplayName("fills defaults: map mode and the configured timeout")
  void defaults() {
    JobSpec spec = parse("{\"code\":\"(x)=>x\",\"data\":[1]}");
    assertEquals(JobSpec.Mode.MAP, spec.mode());
    assertEquals(30_000, spec.timeoutMs());
    assertEquals(null, spec.partitions());
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', value = {
      "{}|bad_request",
      "{\"code\":\"\"}|bad_request",
      "{\"code\":42,\"data\":[]}|bad_request",
      "{\"code\":\"(x)=>x\",\"data\":{}}|bad_request",
      "{\"code\":\"(x)=>x\"}|bad_request",
      "{\"code\":\"(x)=>x\",\"data\":[],\"mode\":\"fold\"}|bad_request",
      "{\"code\":\"(x)=>x\",\"data\":[],\"partitions\":0}|bad_request",
      "{\"code\":\"(x)=>x\",\"data\":[],\"partitions\":17}|bad_request",
      "{\"code\":\"(x)=>x\",\"data\":[],\"partitions\":1.5}|bad_request",
      "{\"code\":\"(x)=>x\",\"data\":[],\"timeoutMs\":\"soon\"}|bad_request",
      "{\"code\":\"(x)=>x\",\"data\":[],\"timeoutMs\":60001}|bad_request",
      "{\"code\":\"(x)=>x\",\"data\":[],\"reduce\":[]}|bad_request",
      "{\"code\":\"(x)=>x\",\"data\":[],\"partition\":3}|bad_request",
      "{\"code\":\"(x)=>x\",\"mode\":\"broadcast\",\"partitions\":2}|bad_request",
  })
  void rejectsMalformed(String json, String code) {
    assertEquals(code, rejected(json).code());
  }

  @Test
  @DisplayName("refuses code over the size limit with 413")
  void codeTooLarge() {
    JobError e = rejected("{\"code\":\"" + "x".repeat(101) + "\",\"data\":[]}");
    assertEquals("payload_too_large", e.code());
    assertEquals(413, e.status());
  }

  @Test
  @DisplayName("accepts broadcast without data")
  void broadcastWithoutData() {
    assertEquals(JobSpec.Mode.BROADCAST,
        parse("{\"code\":\"(x)=>x\",\"mode\":\"broadcast\"}").mode());
  }

  private static String str(byte[] utf8) {
    return new String(utf8, java.nio.charset.StandardCharsets.UTF_8);
  }

  private static JobSpec parse(String json) {
    return JobSpec.parse(json.getBytes(java.nio.charset.StandardCharsets.UTF_8), LIMITS);
  }

  @Test
  @DisplayName("slices data from the request text: whitespace, nesting, strings with brackets and commas, Unicode")
  void slicesText() {
    JobSpec spec = parse("{\"data\": [ 1 ,\n {\"a\": [1, 2]}, \"x,]\u00e9\ud83d\ude00\" ,[3] , null ] , \"code\": \"(x) => x\"}");
    assertEquals(5, spec.data().size());
    assertEquals("[1 ,\n {\"a\": [1, 2]}]", str(spec.data().slice(0, 2)));
    assertEquals("[\"x,]\u00e9\ud83d\ude00\" ,[3] , null]", str(spec.data().slice(2, 5)));
    assertEquals("[]", str(spec.data().slice(3, 3)));
    assertEquals(new io.vertx.core.json.JsonArray("[1,{\"a\":[1,2]},\"x,]\u00e9\ud83d\ude00\",[3],null]"),
        new io.vertx.core.json.JsonArray(str(spec.data().slice(0, 5))));
  }

  @Test
  @DisplayName("any split of random nested data into slices gives back the data, element for element")
  void slicesRandomData() {
    java.util.Random random = new java.util.Random(42);
    for (int round = 0; round < 200; round++) {
      io.vertx.core.json.JsonArray data = new io.vertx.core.json.JsonArray();
      int n = random.nextInt(40);
      for (int i = 0; i < n; i++) {
        data.add(randomValue(random, 3));
      }
      String text = random.nextBoolean() ? data.encode() : data.encodePrettily();
      JobSpec spec = parse("{\"code\":\"(x) => x\",\"data\":" + text + "}");
      assertEquals(n, spec.data().size());
      int parts = 1 + random.nextInt(8);
      io.vertx.core.json.JsonArray joined = new io.vertx.core.json.JsonArray();
      for (Slicer.Slice slice : Slicer.slices(n, parts)) {
        io.vertx.core.json.JsonArray part = new io.vertx.core.json.JsonArray(str(spec.data().slice(slice.from(), slice.to())));
        assertEquals(slice.size(), part.size());
        joined.addAll(part);
      }
      assertEquals(data, joined, text);
    }
  }

  private static Object randomValue(java.util.Random random, int depth) {
    return switch (depth == 0 ? random.nextInt(4) : random.nextInt(6)) {
      case 0 -> random.nextInt(2000) - 1000;
      case 1 -> "s" + random.nextInt(100) + (random.nextBoolean() ? ",]\"}{[" : "\u00e9");
      case 2 -> random.nextBoolean() ? null : random.nextDouble();
      case 3 -> random.nextBoolean();
      case 4 -> {
        io.vertx.core.json.JsonArray a = new io.vertx.core.json.JsonArray();
        for (int i = random.nextInt(4); i > 0; i--) {
          a.add(randomValue(random, depth - 1));
        }
        yield a;
      }
      default -> {
        io.vertx.core.json.JsonObject o = new io.vertx.core.json.JsonObject();
        for (int i = random.nextInt(4); i > 0; i--) {
          o.put("k" + i, randomValue(random, depth - 1));
        }
        yield o;
      }
    };
  }

  @Test
  @DisplayName("refuses a request in UTF-16 with 400: data is sliced by byte offsets of UTF-8 text")
  void refusesUtf16() {
    byte[] text = "{\"code\":\"(x) => x\",\"data\":[1,2]}".getBytes(java.nio.charset.StandardCharsets.UTF_16);
    JobError e = assertThrows(JobError.class, () -> JobSpec.parse(text, LIMITS));
    assertEquals("bad_request", e.code(), e.getMessage());
  }

  @Test
  @DisplayName("keeps broadcast data and a WebSocket ref as their JSON text")
  void rawValues() {
    JobSpec spec = parse("{\"code\":\"(x) => x\",\"mode\":\"broadcast\",\"data\": {\"a\": [1, \"}\"]} ,\"ref\":\"r\\\"1\"}");
    assertEquals("{\"a\": [1, \"}\"]}", str(spec.data().text()));
    assertEquals("\"r\\\"1\"", spec.refJson());
    assertEquals("12.5", str(parse("{\"code\":\"(x) => x\",\"mode\":\"broadcast\",\"data\":12.5}").data().text()));
    assertEquals("null", str(parse("{\"code\":\"(x) => x\",\"mode\":\"broadcast\"}").data().text()));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(delimiter = '|', value = {
      "{\"code\":\"(x)=>x\",\"data\":[1,2,foo]}",
      "{\"code\":\"(x)=>x\",\"data\":[1,2]} trailing",
      "{\"code\":\"(x)=>x\",\"data\":[1,2]",
      "[1,2]",
      "\"job\"",
      "' '",
  })
  @DisplayName("refuses malformed request text with 400")
  void rejectsMalformedText(String text) {
    JobError e = assertThrows(JobError.class, () -> parse(text));
    assertEquals("bad_request", e.code(), e.getMessage());
  }

  @ParameterizedTest(name = "{0} is HTTP {1}")
  @CsvSource({"bad_request,400", "unauthorized,401", "not_found,404", "cancelled,409", "not_running,409", "method_not_allowed,405", "payload_too_large,413",
      "compile_error,422", "not_a_function,422", "job_error,422", "memory_limit,422", "time_limit,422",
      "output_limit,422", "stack_limit,422", "saturated,429", "no_nodes,503", "timed_out,504", "whatever,500"})
  void mapsErrorCodes(String code, int status) {
    assertEquals(status, JobError.status(code));
  }

  @Test
  @DisplayName("round-trips an error with its details through JSON")
  void errorJson() {
    JobError e = new JobError("job_error", "boom", new JsonObject().put("partition", 3).put("line", 2));
    JobError back = JobError.fromJson(e.toJson());
    assertEquals("job_error", back.code());
    assertEquals("boom", back.getMessage());
    assertEquals(e.toJson(), back.toJson());
  }

  @ParameterizedTest(name = "status {0} alone is {1}")
  @CsvSource({"400,bad_request", "404,not_found", "405,method_not_allowed", "413,payload_too_large",
      "415,unsupported_media_type", "500,internal_error", "418,internal_error"})
  @DisplayName("a bare HTTP status maps back to its error code through the same table")
  void codeForStatus(int status, String code) {
    assertEquals(code, JobError.codeFor(status));
    if (!code.equals("internal_error") || status == 500) {
      assertEquals(status, JobError.status(code));
    }
  }

  @Test
  @DisplayName("too deep nesting and too long numbers are refused in plain words, naming the limit")
  void parserLimitsInPlainWords() {
    String deep = "[".repeat(JobSpec.MAX_NESTING + 5) + "]".repeat(JobSpec.MAX_NESTING + 5);
    JobError nested = assertThrows(JobError.class, () -> JobSpec.parse(("{\"code\":\"(x)=>x\",\"data\":" + deep + "}")
        .getBytes(java.nio.charset.StandardCharsets.UTF_8), new JobSpec.Limits(100, 16, 30_000, 60_000)));
    assertEquals("bad_request", nested.code());
    assertEquals("the JSON is nested too deeply: at most " + JobSpec.MAX_NESTING
        + " levels of arrays and objects are accepted", nested.getMessage());
    JobError number = rejected("{\"code\":\"(x)=>x\",\"data\":[" + "1".repeat(2000) + "]}");
    assertEquals("a number in the JSON is too long: at most 1000 characters", number.getMessage());
    for (JobError e : java.util.List.of(nested, number)) {
      assertEquals(false, e.getMessage().contains("StreamReadConstraints"), e.getMessage());
    }
  }

  /** A body big enough for the scanning path: random data padded past its threshold with a long string. */
  private static String big(String data) {
    return "{\"code\":\"(x) => x\", \"data\": " + data + ",\"ref\":\"" + "p".repeat(20_000) + "\", \"mode\":\"map\"}";
  }

  @Test
  @DisplayName("large bodies: the scanning path locates the same data, element for element, as the tokenizer")
  void scannedDataAsTokenized() {
    java.util.Random random = new java.util.Random(7);
    for (int round = 0; round < 200; round++) {
      io.vertx.core.json.JsonArray data = new io.vertx.core.json.JsonArray();
      int n = random.nextInt(60);
      for (int i = 0; i < n; i++) {
        data.add(randomValue(random, 4));
      }
      String text = random.nextBoolean() ? data.encode() : data.encodePrettily();
      JobSpec spec = parse(big(text));
      assertEquals(n, spec.data().size());
      io.vertx.core.json.JsonArray joined = new io.vertx.core.json.JsonArray();
      for (Slicer.Slice slice : Slicer.slices(n, 1 + random.nextInt(8))) {
        joined.addAll(new io.vertx.core.json.JsonArray(str(spec.data().slice(slice.from(), slice.to()))));
      }
      assertEquals(data, joined, text);
      assertEquals("\"" + "p".repeat(20_000) + "\"", spec.refJson(), "the other fields are read as before");
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {"[1,,2]", "[01]", "[1.]", "[tru]", "[\"a]", "[1 2]", "[1,]", "[-]", "[1e]",
      "[\"\\x\"]", "[{\"a\" 1}]", "[{1:2}]"})
  @DisplayName("large bodies with malformed data are refused with 400, as small ones are")
  void scannedMalformed(String data) {
    assertEquals("bad_request", rejected(big(data)).code());
    assertEquals("bad_request", rejected("{\"code\":\"(x) => x\",\"data\":" + data + "}").code());
  }

  @Test
  @DisplayName("large bodies: too deep data is refused in the same plain words")
  void scannedTooDeep() {
    String deep = "[".repeat(JobSpec.MAX_NESTING + 1) + "]".repeat(JobSpec.MAX_NESTING + 1);
    assertEquals(rejected("{\"code\":\"(x)=>x\",\"data\":" + deep + "}").getMessage(), rejected(big(deep)).getMessage());
    String fine = "[".repeat(JobSpec.MAX_NESTING - 2) + "]".repeat(JobSpec.MAX_NESTING - 2);
    assertEquals(1, parse(big("[" + fine + "]")).data().size());
  }

  private static byte[] binary(String header, byte[] elements) {
    byte[] head = (header + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
    byte[] body = java.util.Arrays.copyOf(head, head.length + elements.length);
    System.arraycopy(elements, 0, body, head.length, elements.length);
    return body;
  }

  @Test
  @DisplayName("a binary job: its header line, then elements sliced into tagged typed arrays; no reduce means flat")
  void binaryJob() {
    byte[] elements = new byte[5 * 4];
    for (int i = 0; i < 5; i++) {
      elements[i * 4] = (byte) (i + 1);
    }
    JobSpec spec = JobSpec.parseBinary(binary("{\"code\":\"(xs) => xs\",\"dtype\":\"int32\",\"partitions\":2}", elements),
        LIMITS);
    assertEquals("flat", spec.reduce());
    assertEquals(5, spec.data().size());
    byte[] first = spec.data().slice(0, 3);
    assertEquals(org.disruptor.sandbox.TypedData.Dtype.INT32, org.disruptor.sandbox.TypedData.dtype(first));
    assertEquals("[1,2,3]", new String(org.disruptor.sandbox.TypedData.json(first), java.nio.charset.StandardCharsets.UTF_8));
    assertEquals("[4,5]", new String(org.disruptor.sandbox.TypedData.json(spec.data().slice(3, 5)),
        java.nio.charset.StandardCharsets.UTF_8));
    assertEquals("sum", JobSpec.parseBinary(binary("{\"code\":\"(xs) => xs\",\"dtype\":\"int32\",\"reduce\":\"sum\"}",
        elements), LIMITS).reduce());
  }

  @ParameterizedTest(name = "a binary job is refused with 400: {0}")
  @CsvSource(delimiter = '|', value = {
      "no header line|{\"code\":\"(x) => x\",\"dtype\":\"float64\"}|one line of JSON",
      "no dtype|{\"code\":\"(x) => x\"}NL|needs \"dtype\"",
      "an unknown dtype|{\"code\":\"(x) => x\",\"dtype\":\"float16\"}NL|one of int8",
      "a data field|{\"code\":\"(x) => x\",\"dtype\":\"int8\",\"data\":[1]}NL|not a \"data\" field",
      "a header that is not JSON|code=1NL|must be a JSON object",
      "a partial element|{\"code\":\"(x) => x\",\"dtype\":\"float64\"}NL123|not a whole number of float64"})
  void badBinaryJobs(String what, String body, String message) {
    JobError e = assertThrows(JobError.class, () -> JobSpec.parseBinary(body.replace("NL", "\n")
        .getBytes(java.nio.charset.StandardCharsets.UTF_8), LIMITS));
    assertEquals(400, e.status(), what);
    org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains(message), what + ": " + e.getMessage());
  }

  @Test
  @DisplayName("a data string that never ends is a 400, not an internal error")
  void unterminatedDataString() {
    JobError e = assertThrows(JobError.class, () -> JobSpec.parse(
        "{\"mode\":\"broadcast\",\"code\":\"(d) => d\",\"data\":\":41}}".getBytes(java.nio.charset.StandardCharsets.UTF_8), LIMITS));
    assertEquals(400, e.status());
  }
}
