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
}
