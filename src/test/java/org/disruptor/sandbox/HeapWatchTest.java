package org.disruptor.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class HeapWatchTest {

  private static final long MIB = 1L << 20;

  private static List<String> toStop(long held, Map<String, Long> parts, java.util.function.Predicate<String> stopping) {
    return HeapWatch.toStop(held, 100 * MIB, 0.75, 0.9, 8 * MIB, parts, stopping);
  }

  @Test
  @DisplayName("at or below the ratio no part is stopped, however much the parts allocated")
  void belowRatio() {
    assertEquals(List.of(), toStop(70 * MIB, Map.of("a", 500 * MIB, "b", 90 * MIB), k -> false));
    assertEquals(List.of(), toStop(75 * MIB, Map.of("a", 500 * MIB), k -> false));
  }

  @Test
  @DisplayName("above the ratio the part that allocated the most is the one to stop")
  void worstPart() {
    assertEquals(List.of("b"), toStop(80 * MIB, Map.of("a", 20 * MIB, "b", 70 * MIB, "c", 9 * MIB), k -> false));
  }

  @Test
  @DisplayName("parts that allocated little are never blamed, and no parts (or no heap maximum) means no stop")
  void smallParts() {
    assertEquals(List.of(), toStop(99 * MIB, Map.of("a", 7 * MIB, "b", MIB), k -> false));
    assertEquals(List.of("a"), toStop(85 * MIB, Map.of("a", 8 * MIB), k -> false));
    assertEquals(List.of(), toStop(99 * MIB, Map.of(), k -> false));
    assertEquals(List.of(), HeapWatch.toStop(99 * MIB, 0, 0.75, 0.9, 8 * MIB, Map.of("a", 80 * MIB), k -> false));
  }

  @Test
  @DisplayName("while the part that allocated the most is already stopping, the next one is blamed")
  void worstAlreadyStopping() {
    Map<String, Long> parts = Map.of("a", 60 * MIB, "b", 16 * MIB, "c", 4 * MIB);
    assertEquals(List.of("b"), toStop(85 * MIB, parts, "a"::equals));
    assertEquals(List.of("a"), toStop(85 * MIB, parts, "b"::equals));
    assertEquals(List.of(), toStop(85 * MIB, parts, k -> !k.equals("c")));
  }

  @Test
  @DisplayName("above the critical share every part that allocated its share is stopped, the largest first")
  void critical() {
    Map<String, Long> parts = Map.of("a", 40 * MIB, "b", 50 * MIB, "c", 4 * MIB, "d", 9 * MIB);
    assertEquals(List.of("b", "a", "d"), toStop(95 * MIB, parts, k -> false));
    assertEquals(List.of("b", "d"), toStop(95 * MIB, parts, "a"::equals));
    assertEquals(List.of("b"), toStop(90 * MIB, parts, k -> false));
  }

  @Test
  @DisplayName("the watchdog asks for a collection only when the old generation is above the ratio, grew a step "
      + "since the last judgement, and a part could be blamed")
  void collectNow() {
    assertTrue(HeapWatch.collectNow(80 * MIB, 100 * MIB, 0.75, true, 60 * MIB, 6 * MIB));
    assertFalse(HeapWatch.collectNow(80 * MIB, 100 * MIB, 0.75, false, 60 * MIB, 6 * MIB));
    assertFalse(HeapWatch.collectNow(74 * MIB, 100 * MIB, 0.75, true, 0, 6 * MIB));
    assertFalse(HeapWatch.collectNow(80 * MIB, 100 * MIB, 0.75, true, 76 * MIB, 6 * MIB));
    assertTrue(HeapWatch.collectNow(82 * MIB, 100 * MIB, 0.75, true, 76 * MIB, 6 * MIB));
    assertFalse(HeapWatch.collectNow(99 * MIB, 0, 0.75, true, 0, 6 * MIB));
  }

  @Test
  @DisplayName("the old generation's reading counts a large array held now (G1 puts it there at once)")
  void tenuredReading() {
    org.junit.jupiter.api.Assumptions.assumeTrue(java.lang.management.ManagementFactory.getMemoryPoolMXBeans()
        .stream().anyMatch(p -> p.getName().equals("G1 Old Gen")), "G1 runs the tests");
    byte[] held = new byte[48 << 20];
    long tenured = HeapWatch.tenuredBytes();
    assertTrue(tenured >= held.length, "tenured " + tenured + " holds the " + held.length + " bytes just allocated");
    assertTrue(tenured <= Runtime.getRuntime().maxMemory(), "within the heap: " + tenured);
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
