package org.disruptor.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Typed data (binary parts)")
class TypedDataTest {

  private static byte[] doubles(double... values) {
    ByteBuffer out = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    for (double v : values) {
      out.putDouble(v);
    }
    return TypedData.tag(TypedData.Dtype.FLOAT64, out.array());
  }

  private static String json(byte[] typed) {
    return new String(TypedData.json(typed), StandardCharsets.UTF_8);
  }

  @Test
  @DisplayName("is told from JSON by its first byte, and sliced, joined and written as JSON element for element")
  void sliceJoinJson() {
    byte[] all = doubles(1, 2.5, -3, 4);
    assertTrue(TypedData.isTyped(all));
    assertFalse(TypedData.isTyped("[1]".getBytes(StandardCharsets.UTF_8)));
    assertEquals(4, TypedData.length(all));
    byte[] middle = TypedData.tag(TypedData.Dtype.FLOAT64, all, TypedData.HEADER, 1, 3);
    assertEquals("[2.5,-3]", json(middle));
    assertTrue(TypedData.allOneType(List.of(all, middle)));
    assertEquals("[1,2.5,-3,4,2.5,-3]", json(TypedData.concat(List.of(all, middle))));
    byte[] ints = TypedData.tag(TypedData.Dtype.UINT32, new byte[] {-1, -1, -1, -1, 5, 0, 0, 0});
    assertEquals("[4294967295,5]", json(ints));
    assertFalse(TypedData.allOneType(List.of(all, ints)));
    assertEquals("[]", json(TypedData.tag(TypedData.Dtype.INT8, new byte[0])));
  }

  @Test
  @DisplayName("writes 20,000 random doubles and floats exactly as node's JSON.stringify(Array.from(a)) does")
  void numbersAsNodeWritesThem() throws Exception {
    Random random = new Random(20261202);
    int n = 10_000;
    ByteBuffer d = ByteBuffer.allocate(n * 8).order(ByteOrder.LITTLE_ENDIAN);
    ByteBuffer f = ByteBuffer.allocate(n * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i++) {
      double v = switch (i % 5) {
        case 0 -> Double.longBitsToDouble(random.nextLong()); // any bit pattern: NaN, subnormals, huge
        case 1 -> random.nextGaussian() * Math.pow(10, random.nextInt(60) - 30);
        case 2 -> random.nextInt(2_000_000) - 1_000_000;
        case 3 -> random.nextInt(1000) / 8.0;
        default -> (random.nextDouble() - 0.5) * 1e22;
      };
      d.putDouble(v);
      f.putFloat((float) v);
    }
    Path dir = Files.createTempDirectory("typed");
    Files.write(dir.resolve("d.bin"), d.array());
    Files.write(dir.resolve("f.bin"), f.array());
    String script = "const fs = require('fs'); const b = (p) => { const x = fs.readFileSync(p); "
        + "return x.buffer.slice(x.byteOffset, x.byteOffset + x.length) };"
        + "process.stdout.write(JSON.stringify(Array.from(new Float64Array(b(process.argv[1])))) + '\\n'"
        + " + JSON.stringify(Array.from(new Float32Array(b(process.argv[2])))))";
    Process node = new ProcessBuilder("node", "-e", script, dir.resolve("d.bin").toString(), dir.resolve("f.bin").toString())
        .redirectErrorStream(true).start();
    String[] out = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8).split("\n");
    assertTrue(node.waitFor(60, TimeUnit.SECONDS) && node.exitValue() == 0, "node failed: " + String.join("\n", out));
    assertEquals(out[0], json(TypedData.tag(TypedData.Dtype.FLOAT64, d.array())));
    assertEquals(out[1], json(TypedData.tag(TypedData.Dtype.FLOAT32, f.array())));
  }
}
