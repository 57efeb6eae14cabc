package org.disruptor.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.disruptor.job.PartMessages.PartDone;
import org.disruptor.job.PartMessages.PartFailed;
import org.disruptor.job.PartMessages.PartOutcome;
import org.disruptor.job.PartMessages.PartRefused;
import org.disruptor.job.PartMessages.StopParts;
import org.disruptor.job.PartMessages.PartRequest;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Part messages on the event bus")
class PartMessagesTest {

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  @DisplayName("a part request crosses the wire field for field, its input byte for byte (after other data)")
  void requestRoundTrip() {
    PartRequest sent = new PartRequest("job-\u00e9", "coordinator-1", 7, 2, 12, "(x) => x.map(s => s + '\u4e2d' + '\ud800')",
        utf8("[\"\ud83d\ude00\", 1.5e3, {\"a\": null}]"), 29_999);
    PartMessages.RequestCodec codec = new PartMessages.RequestCodec();
    Buffer wire = Buffer.buffer("header bytes Vert.x wrote first");
    int pos = wire.length();
    codec.encodeToWire(wire, sent);
    PartRequest got = codec.decodeFromWire(pos, wire);
    assertEquals(sent.jobId(), got.jobId());
    assertEquals(sent.coordinator(), got.coordinator());
    assertEquals(7, got.index());
    assertEquals(2, got.attempt());
    assertEquals(12, got.partitions());
    assertEquals(sent.code(), got.code());
    assertArrayEquals(sent.input(), got.input());
    assertEquals(29_999, got.remainingMs());
  }

  @Test
  @DisplayName("each part outcome crosses the wire field for field, lone surrogates in its text included")
  void outcomeRoundTrips() {
    PartMessages.OutcomeCodec codec = new PartMessages.OutcomeCodec("test");
    List<PartOutcome> sent = List.of(
        new PartDone(3, 1, "127.0.0.1:8081", utf8("{\"r\":\"\u00e9\"}"), 1.25, List.of("one", "", "tr\u00e8s \udc00"),
            1_700_000_000_000L, 1_700_000_000_002L),
        new PartFailed(PartMessages.REDUCE, 2, "n:1", "job_error", "Error: \ud800 bad", 3, 14, List.of("log")),
        new PartRefused(9, 4, "n:2", PartRefused.SATURATED));
    for (PartOutcome outcome : sent) {
      Buffer wire = Buffer.buffer("xx");
      codec.encodeToWire(wire, outcome);
      PartOutcome got = codec.decodeFromWire(2, wire);
      if (outcome instanceof PartDone done) {
        PartDone back = (PartDone) got;
        assertArrayEquals(done.result(), back.result());
        assertEquals(done.logs(), back.logs());
        assertEquals(new PartDone(done.index(), done.attempt(), done.node(), back.result(), done.elapsedMs(), done.logs(),
            done.startedAt(), done.endedAt()), back);
      } else {
        assertEquals(outcome, got);
      }
    }
  }

  @Test
  @DisplayName("a stop crosses the wire, and covers all parts, one part, or one attempt of one part")
  void stopRoundTripAndScope() {
    PartMessages.StopCodec codec = new PartMessages.StopCodec();
    StopParts one = new StopParts("j", 4, 2, "cancelled");
    Buffer wire = Buffer.buffer();
    codec.encodeToWire(wire, one);
    assertEquals(one, codec.decodeFromWire(0, wire));
    assertEquals(true, one.covers(4, 2));
    assertEquals(false, one.covers(4, 3));
    assertEquals(false, one.covers(5, 2));
    assertEquals(true, new StopParts("j", 4, 0, "x").covers(4, 9));
    assertEquals(true, StopParts.all("j", "timed_out").covers(PartMessages.REDUCE, 1));
  }

  @Test
  @DisplayName("within one node a message is handed over as it is, not copied")
  void localTransformIsIdentity() {
    PartOutcome reply = new PartRefused(0, 1, "n", PartRefused.STOPPING);
    assertSame(reply, new PartMessages.OutcomeCodec("test").transform(reply));
  }
}
