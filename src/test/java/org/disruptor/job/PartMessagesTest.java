package org.disruptor.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.disruptor.job.PartMessages.PartReply;
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
    PartRequest sent = new PartRequest("job-\u00e9", "coordinator-1", 7, 12, "(x) => x.map(s => s + '\u4e2d')",
        utf8("[\"\ud83d\ude00\", 1.5e3, {\"a\": null}]"), 29_999);
    PartMessages.RequestCodec codec = new PartMessages.RequestCodec();
    Buffer wire = Buffer.buffer("header bytes Vert.x wrote first");
    int pos = wire.length();
    codec.encodeToWire(wire, sent);
    PartRequest got = codec.decodeFromWire(pos, wire);
    assertEquals(sent.jobId(), got.jobId());
    assertEquals(sent.coordinator(), got.coordinator());
    assertEquals(7, got.index());
    assertEquals(12, got.partitions());
    assertEquals(sent.code(), got.code());
    assertArrayEquals(sent.input(), got.input());
    assertEquals(29_999, got.remainingMs());
  }

  @Test
  @DisplayName("a part reply crosses the wire with its result, time and console lines")
  void replyRoundTrip() {
    PartReply sent = new PartReply(3, "127.0.0.1:8081", utf8("{\"r\":\"\u00e9\"}"), 1.25, List.of("one", "", "tr\u00e8s"));
    PartMessages.ReplyCodec codec = new PartMessages.ReplyCodec();
    Buffer wire = Buffer.buffer();
    codec.encodeToWire(wire, sent);
    PartReply got = codec.decodeFromWire(0, wire);
    assertEquals(3, got.index());
    assertEquals(sent.node(), got.node());
    assertArrayEquals(sent.result(), got.result());
    assertEquals(1.25, got.elapsedMs());
    assertEquals(sent.logs(), got.logs());
  }

  @Test
  @DisplayName("within one node a message is handed over as it is, not copied")
  void localTransformIsIdentity() {
    PartReply reply = new PartReply(0, "n", utf8("1"), 0, List.of());
    assertSame(reply, new PartMessages.ReplyCodec().transform(reply));
  }
}
