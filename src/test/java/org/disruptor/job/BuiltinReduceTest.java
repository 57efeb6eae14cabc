package org.disruptor.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The built-in reduces against their JavaScript equivalents, computed by node on the same random results. */
@DisplayName("Built-in reduces")
class BuiltinReduceTest {

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String reduce(String name, String... parts) {
    return new String(BuiltinReduce.apply(name, java.util.Arrays.stream(parts).map(BuiltinReduceTest::utf8).toList()),
        StandardCharsets.UTF_8);
  }

  @Test
  @DisplayName("give what their JavaScript equivalents give, on 600 random sets of part results (node computes those)")
  void matchJavaScript() throws Exception {
    Path script = Path.of("src/test/resources/builtin-reduces.js").toAbsolutePath();
    Process node = new ProcessBuilder("node", script.toString(), "20261202", "600").redirectErrorStream(true).start();
    String out = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(node.waitFor(60, TimeUnit.SECONDS) && node.exitValue() == 0, "node failed: " + out);
    List<String> lines = out.lines().toList();
    assertEquals(600, lines.size());
    int checked = 0;
    for (String line : lines) {
      JsonObject c = new JsonObject(line);
      List<byte[]> parts = c.getJsonArray("parts").stream().map(p -> utf8((String) p)).toList();
      String got = new String(BuiltinReduce.apply(c.getString("name"), parts), StandardCharsets.UTF_8);
      assertEquals(c.getString("expected"), got, () -> c.getString("name") + " of " + c.getJsonArray("parts"));
      checked++;
    }
    assertEquals(600, checked);
  }

  @Test
  @DisplayName("flat splices array results byte for byte and keeps other results as elements")
  void flat() {
    assertEquals("[1,2,\"a,]\",[3],{\"k\":[4]},5]", reduce("flat", "[1,2]", "[\"a,]\",[3]]", "[]", " [ {\"k\":[4]} ] ", "5"));
    assertEquals("[]", reduce("flat"));
    assertEquals("[]", reduce("flat", "[]", "[ ]"));
  }

  @Test
  @DisplayName("count counts top-level elements without decoding them")
  void count() {
    assertEquals("6", reduce("count", "[1,[2,3],\"x,y\"]", "[{\"a\":1,\"b\":2}]", "[]", "null", "\"s\""));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', value = {"0|0", "-0.0|0", "1|1", "100|100", "1.5|1.5", "0.1|0.1", "1e21|1e+21",
      "123456789012345680000|123456789012345680000", "1e-7|1e-7", "0.000001|0.000001", "-2.5e-10|-2.5e-10",
      "1.7976931348623157e308|1.7976931348623157e+308", "5e-324|5e-324", "0.30000000000000004|0.30000000000000004"})
  @DisplayName("numbers are written as JavaScript writes them")
  void jsNumbers(double value, String js) {
    assertEquals(js, BuiltinReduce.jsNumber(value));
  }

  @Test
  @DisplayName("a result it cannot reduce fails with 422, naming the part and what it returned")
  void unsuitable() {
    JobError e = assertThrows(JobError.class, () -> reduce("sum", "[1,2]", "[3]", "[\"x\"]"));
    assertEquals(422, e.status());
    assertEquals(2, e.toJson().getInteger("partition"));
    assertEquals("reduce", e.toJson().getString("stage"));
    assertTrue(e.getMessage().contains("part 2"), e.getMessage());
    JobError s = assertThrows(JobError.class, () -> reduce("max", "1", "\"a\""));
    assertTrue(s.getMessage().contains("part 1 returned a string"), s.getMessage());
    JobError c = assertThrows(JobError.class, () -> reduce("concat", "[1]", "2"));
    assertEquals(1, c.toJson().getInteger("partition"));
    assertEquals("null", reduce("min"));
  }
}
