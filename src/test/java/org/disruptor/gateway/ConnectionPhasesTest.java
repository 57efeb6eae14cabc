package org.disruptor.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.disruptor.gateway.ConnectionPhases.Expired;
import org.disruptor.gateway.ConnectionPhases.Expiry;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Connection phases: the header and keep-alive limits on a clock of our own")
class ConnectionPhasesTest {

  private static final long HEAD = 1_000;
  private static final long IDLE = 5_000;
  private final ConnectionPhases<String> phases = new ConnectionPhases<>(HEAD, IDLE);

  @Test
  @DisplayName("a connection whose first head is not complete within headerTimeoutMs is expired for its head")
  void slowFirstHead() {
    phases.opened("a", 0);
    phases.bytesArrived("a", 10);
    assertEquals(List.of(), phases.expire(HEAD - 1));
    assertEquals(List.of(new Expired<>("a", Expiry.HEAD_TIMEOUT)), phases.expire(HEAD));
    assertEquals(0, phases.size(), "an expired connection is forgotten");
  }

  @Test
  @DisplayName("a request in progress is never expired, however long its answer takes")
  void requestInProgress() {
    AtomicBoolean answered = new AtomicBoolean();
    phases.opened("a", 0);
    phases.headComplete("a", answered::get, () -> false);
    assertEquals(List.of(), phases.expire(100 * IDLE));
    assertEquals(1, phases.size());
  }

  @Test
  @DisplayName("after its answer a connection is idle: closed after keepAliveTimeoutMs, counted from when the answer was seen")
  void idleAfterAnswer() {
    AtomicBoolean answered = new AtomicBoolean();
    phases.opened("a", 0);
    phases.headComplete("a", answered::get, () -> false);
    answered.set(true);
    assertEquals(List.of(), phases.expire(10_000));
    assertEquals(List.of(), phases.expire(10_000 + IDLE - 1));
    assertEquals(List.of(new Expired<>("a", Expiry.IDLE_TIMEOUT)), phases.expire(10_000 + IDLE));
  }

  @Test
  @DisplayName("bytes on an idle connection start the next head, which has headerTimeoutMs from its first byte (each request of a keep-alive connection)")
  void nextHeadOnKeepAlive() {
    AtomicBoolean answered = new AtomicBoolean(true);
    phases.opened("a", 0);
    phases.headComplete("a", answered::get, () -> false);
    phases.expire(100);
    phases.bytesArrived("a", 2_000);
    phases.bytesArrived("a", 2_500);
    assertEquals(List.of(), phases.expire(2_000 + HEAD - 1));
    assertEquals(List.of(new Expired<>("a", Expiry.HEAD_TIMEOUT)), phases.expire(2_000 + HEAD));
  }

  @Test
  @DisplayName("a head completed in time resets nothing for the others: each connection has its own deadline")
  void connectionsApart() {
    phases.opened("slow", 0);
    phases.opened("quick", 500);
    phases.headComplete("quick", () -> false, () -> false);
    assertEquals(List.of(new Expired<>("slow", Expiry.HEAD_TIMEOUT)), phases.expire(HEAD));
    assertEquals(1, phases.size());
  }

  @Test
  @DisplayName("a connection upgraded to a WebSocket leaves these limits once its 101 has been sent; a refused upgrade stays")
  void upgraded() {
    phases.opened("ws", 0);
    phases.headComplete("ws", () -> true, () -> true);
    phases.opened("refused", 0);
    phases.headComplete("refused", () -> true, () -> false);
    assertEquals(List.of(), phases.expire(10));
    assertEquals(1, phases.size(), "the upgraded one is forgotten");
    assertEquals(List.of(new Expired<>("refused", Expiry.IDLE_TIMEOUT)), phases.expire(10 + IDLE));
  }

  @Test
  @DisplayName("a closed connection is forgotten")
  void forgotten() {
    phases.opened("a", 0);
    phases.forget("a");
    phases.bytesArrived("a", 1);
    assertEquals(List.of(), phases.expire(100 * IDLE));
    assertEquals(0, phases.size());
  }
}
