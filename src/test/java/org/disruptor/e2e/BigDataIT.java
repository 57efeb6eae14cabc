package org.disruptor.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Big data jobs on the default configuration (issue 17): three nodes with run.sh's default heap and no
 * limit raised; a map over a million numbers with a flattening reduce completes with the exact result,
 * and a job over the body limit is refused naming the key to raise.
 */
@DisplayName("Big data jobs on the defaults")
class BigDataIT {

  private static final int COUNT = 1_000_000;
  private static final List<NodeProcess> nodes = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    String cluster = "bigdata-" + UUID.randomUUID();
    String seed = NodeProcess.freeAddress();
    nodes.add(NodeProcess.startWithHeap(NodeProcess.DEFAULT_HEAP, seed, "--cluster", cluster));
    for (int i = 0; i < 2; i++) {
      nodes.add(NodeProcess.startWithHeap(NodeProcess.DEFAULT_HEAP, NodeProcess.freeAddress(), seed, "--cluster", cluster));
    }
    java.util.Set<String> all = new java.util.TreeSet<>(nodes.stream().map(NodeProcess::address).toList());
    for (NodeProcess node : nodes) {
      node.awaitUp(Duration.ofSeconds(120)).awaitPeers(all, Duration.ofSeconds(120));
    }
  }

  @AfterAll
  static void stop() throws Exception {
    NodeProcess.closeAll(nodes);
  }

  /** {"code": squares, "data": [0..COUNT), "partitions": 8, "reduce": ...} as bytes, built without a JSON tree. */
  private static byte[] millionSquares(String reduce) {
    StringBuilder json = new StringBuilder(COUNT * 8);
    json.append("{\"code\":\"(xs) => xs.map(x => x * x)\",\"partitions\":8,\"timeoutMs\":120000,\"reduce\":")
        .append(io.vertx.core.json.Json.encode(reduce)).append(",\"data\":[");
    for (int i = 0; i < COUNT; i++) {
      if (i > 0) {
        json.append(',');
      }
      json.append(i);
    }
    return json.append("]}").toString().getBytes(StandardCharsets.UTF_8);
  }

  private static HttpResponse<byte[]> post(byte[] body) throws Exception {
    return NodeProcess.HTTP.send(HttpRequest.newBuilder(URI.create("http://" + nodes.get(0).address() + "/api/jobs"))
        .timeout(Duration.ofSeconds(180)).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  @ParameterizedTest(name = "reduce {0}")
  @ValueSource(strings = {"flat", "(parts) => parts.flat()"})
  @DisplayName("a map over a million numbers with a flattening reduce completes with the exact result")
  void millionNumbers(String reduce) throws Exception {
    HttpResponse<byte[]> response = post(millionSquares(reduce));
    String text = new String(response.body(), StandardCharsets.UTF_8);
    assertEquals(200, response.statusCode(), () -> text.length() > 2000 ? text.substring(0, 2000) : text);
    int start = text.indexOf("\"result\":[") + "\"result\":[".length();
    assertTrue(start > 10, "a result array");
    int at = start;
    for (long i = 0; i < COUNT; i++) {
      int end = text.indexOf(i + 1 < COUNT ? ',' : ']', at);
      long value = Long.parseLong(text, at, end, 10);
      if (value != i * i) {
        throw new AssertionError("element " + i + " is " + value + ", not " + i * i);
      }
      at = end + 1;
    }
    JsonObject rest = new JsonObject("{" + text.substring(at + 1)); // the view's other fields, after the result
    assertEquals("completed", rest.getString("status"));
    assertEquals(8, rest.getJsonArray("partitions").size());
  }

  @org.junit.jupiter.api.Test
  @DisplayName("a 40 MB job is refused with 413, naming maxBodyBytes")
  void overTheBodyLimit() throws Exception {
    byte[] big = new byte[40 << 20];
    java.util.Arrays.fill(big, (byte) ' ');
    byte[] head = "{\"code\":\"(x) => x\",\"data\":[1]".getBytes(StandardCharsets.UTF_8);
    System.arraycopy(head, 0, big, 0, head.length);
    big[big.length - 1] = '}';
    HttpResponse<byte[]> response = post(big);
    assertEquals(413, response.statusCode());
    JsonObject error = new JsonObject(new String(response.body(), StandardCharsets.UTF_8));
    assertEquals("payload_too_large", error.getString("error"));
    assertTrue(error.getString("message").contains("maxBodyBytes"), error.getString("message"));
  }

  private static HttpResponse<byte[]> postBinary(String header, byte[] elements, String accept) throws Exception {
    byte[] head = (header + "\n").getBytes(StandardCharsets.UTF_8);
    byte[] body = java.util.Arrays.copyOf(head, head.length + elements.length);
    System.arraycopy(elements, 0, body, head.length, elements.length);
    return NodeProcess.HTTP.send(HttpRequest.newBuilder(URI.create("http://" + nodes.get(1).address() + "/api/jobs"))
        .timeout(Duration.ofSeconds(180)).header("content-type", "application/octet-stream").header("accept", accept)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  @org.junit.jupiter.api.Test
  @DisplayName("a binary job (Float64 in, Float64 out) gives what the same job in JSON gives, as bytes or as JSON")
  void binaryRoundTrip() throws Exception {
    int n = 200_000;
    java.util.Random random = new java.util.Random(17);
    java.nio.ByteBuffer in = java.nio.ByteBuffer.allocate(n * 8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    StringBuilder json = new StringBuilder("{\"code\":\"(xs) => xs.map(x => x * 3 + 0.5)\",\"partitions\":8,"
        + "\"reduce\":\"flat\",\"data\":[");
    for (int i = 0; i < n; i++) {
      double v = random.nextGaussian() * 1e3;
      in.putDouble(v);
      json.append(i > 0 ? "," : "").append(org.disruptor.sandbox.JsNumbers.json(v));
    }
    String header = "{\"code\":\"(xs) => xs instanceof Float64Array ? xs.map(x => x * 3 + 0.5) : null\","
        + "\"partitions\":8,\"dtype\":\"float64\"}";
    HttpResponse<byte[]> asJson = post(json.append("]}").toString().getBytes(StandardCharsets.UTF_8));
    assertEquals(200, asJson.statusCode());
    io.vertx.core.json.JsonArray expected = new JsonObject(new String(asJson.body(), StandardCharsets.UTF_8))
        .getJsonArray("result");
    assertEquals(n, expected.size());

    HttpResponse<byte[]> binary = postBinary(header, in.array(), "application/octet-stream");
    assertEquals(200, binary.statusCode(), () -> new String(binary.body(), StandardCharsets.UTF_8));
    assertEquals("application/octet-stream", binary.headers().firstValue("content-type").orElse(""));
    byte[] body = binary.body();
    int newline = 0;
    while (body[newline] != '\n') {
      newline++;
    }
    JsonObject head = new JsonObject(new String(body, 0, newline, StandardCharsets.UTF_8));
    assertEquals("completed", head.getString("status"));
    assertEquals("float64", head.getString("dtype"));
    assertEquals(n, head.getInteger("length"));
    assertEquals(8, head.getJsonArray("partitions").size());
    assertEquals(n * 8, body.length - newline - 1);
    java.nio.ByteBuffer out = java.nio.ByteBuffer.wrap(body, newline + 1, n * 8).slice().order(java.nio.ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i++) {
      double got = out.getDouble(i * 8);
      if (got != expected.getDouble(i)) {
        throw new AssertionError("element " + i + " is " + got + " in binary, " + expected.getDouble(i) + " in JSON");
      }
    }

    // the same binary job answered as JSON (no Accept: application/octet-stream): the numbers as JSON writes them
    HttpResponse<byte[]> asText = postBinary(header, in.array(), "application/json");
    assertEquals(200, asText.statusCode());
    assertEquals(expected, new JsonObject(new String(asText.body(), StandardCharsets.UTF_8)).getJsonArray("result"));

    HttpResponse<byte[]> bad = postBinary("{\"code\":\"(xs) => xs\",\"dtype\":\"float64\"}", new byte[12],
        "application/octet-stream");
    assertEquals(400, bad.statusCode());
    JsonObject error = new JsonObject(new String(bad.body(), StandardCharsets.UTF_8));
    assertEquals("bad_request", error.getString("error"));
    assertTrue(error.getString("message").contains("whole number of float64"), error.getString("message"));
  }
}
