package org.disruptor.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class HeapWatchTest {

  private static final long MIB = 1L << 20;

  @Test
  @DisplayName("below the ratio no part is stopped, however much the parts allocated")
  void belowRatio() {
    assertNull(HeapWatch.culprit(80 * MIB, 100 * MIB, 0.85, 8 * MIB, Map.of("a", 500 * MIB, "b", 90 * MIB), k -> false));
    assertNull(HeapWatch.culprit(85 * MIB, 100 * MIB, 0.85, 8 * MIB, Map.of("a", 500 * MIB), k -> false));
  }

  @Test
  @DisplayName("above the ratio the part that allocated the most is the one to stop")
  void worstPart() {
    assertEquals("b", HeapWatch.culprit(90 * MIB, 100 * MIB, 0.85, 8 * MIB,
        Map.of("a", 20 * MIB, "b", 70 * MIB, "c", 9 * MIB), k -> false));
  }

  @Test
  @DisplayName("above the ratio, parts that allocated little are not blamed, and no parts means no stop")
  void smallParts() {
    assertNull(HeapWatch.culprit(99 * MIB, 100 * MIB, 0.85, 8 * MIB, Map.of("a", 7 * MIB, "b", MIB), k -> false));
    assertEquals("a", HeapWatch.culprit(99 * MIB, 100 * MIB, 0.85, 8 * MIB, Map.of("a", 8 * MIB), k -> false));
    assertNull(HeapWatch.culprit(99 * MIB, 100 * MIB, 0.85, 8 * MIB, Map.of(), k -> false));
    assertNull(HeapWatch.culprit(99 * MIB, 0, 0.85, 8 * MIB, Map.of("a", 80 * MIB), k -> false));
  }

  @Test
  @DisplayName("while the part that allocated the most is already stopping, no other part is blamed")
  void worstAlreadyStopping() {
    Map<String, Long> parts = Map.of("a", 80 * MIB, "b", 16 * MIB);
    assertNull(HeapWatch.culprit(95 * MIB, 100 * MIB, 0.85, 8 * MIB, parts, "a"::equals));
    assertEquals("a", HeapWatch.culprit(95 * MIB, 100 * MIB, 0.85, 8 * MIB, parts, "b"::equals));
  }

  @Test
  @DisplayName("the listener hears the JVM's collections and reports the heap they left")
  void hearsCollections() throws Exception {
    AtomicLong heard = new AtomicLong(-1);
    try (HeapWatch watch = HeapWatch.listen(heard::set)) {
      long end = System.nanoTime() + 30_000_000_000L;
      while (heard.get() < 0 && System.nanoTime() < end) {
        System.gc();
        Thread.sleep(50);
      }
      assertTrue(heard.get() > 0, "a collection reported its heap: " + heard.get());
      assertTrue(heard.get() <= Runtime.getRuntime().maxMemory(), "within the heap: " + heard.get());
    }
  }
}
