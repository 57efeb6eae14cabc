package org.disruptor.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class HeapReadingTest {

  private static final long STALE = 20;
  private final AtomicLong clock = new AtomicLong();
  private final HeapReading<String> reading = new HeapReading<>(clock::get, STALE);

  @Test
  @DisplayName("an answered reading lets the next question go at once; a pending one holds it back")
  void answeredAndPending() {
    assertTrue(reading.mayAsk(), "nothing asked yet");
    CompletableFuture<String> first = new CompletableFuture<>();
    reading.asked(first);
    assertTrue(reading.outstanding());
    assertFalse(reading.mayAsk(), "one question at a time while it is fresh");
    first.complete("heap");
    assertTrue(reading.current(first));
    assertFalse(reading.outstanding());
    assertTrue(reading.mayAsk(), "answered: the next round asks again");
    assertEquals(0, reading.lost());
  }

  @Test
  @DisplayName("a reading never answered stops holding back questions once stale, and its late answer is ignored")
  void lostReading() {
    CompletableFuture<String> lost = new CompletableFuture<>();
    reading.asked(lost);
    clock.addAndGet(STALE - 1);
    assertFalse(reading.mayAsk());
    clock.addAndGet(1);
    assertTrue(reading.mayAsk(), "stale: asked again");
    CompletableFuture<String> next = new CompletableFuture<>();
    reading.asked(next);
    assertEquals(1, reading.lost());
    lost.complete("old heap");
    assertFalse(reading.current(lost), "the replaced question's answer is not the current heap");
    assertTrue(reading.current(next));
  }

  @Test
  @DisplayName("a part's end gives up the pending question: asked again at once, and a late answer is ignored")
  void abandonedAtPartEnd() {
    CompletableFuture<String> pending = new CompletableFuture<>();
    reading.asked(pending);
    reading.abandon();
    assertFalse(reading.outstanding());
    assertTrue(reading.mayAsk(), "no waiting for it to go stale");
    pending.complete("late");
    assertFalse(reading.current(pending));
    assertEquals(1, reading.lost());
    reading.abandon();
    assertEquals(1, reading.lost(), "nothing pending: nothing more lost");
  }
}
