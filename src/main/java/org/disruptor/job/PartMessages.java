package org.disruptor.job;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageCodec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The two messages of the part protocol and their event-bus codecs. A part's input and result are JSON
 * text that the node never needs to look into: they cross the wire as length-prefixed UTF-8, not as a
 * string escaped inside a JSON message (a megabyte of data would be escaped, copied and unescaped), and
 * within one node they are handed over as they are (the records are immutable).
 */
public final class PartMessages {

  private PartMessages() {
  }

  /** A coordinator asks a node to run part {@code index} of a job. */
  public record PartRequest(String jobId, String coordinator, int index, int partitions, String code, byte[] input,
      long remainingMs) {
  }

  /** A node's answer: the part's result as JSON text, its run time and its captured console lines. */
  public record PartReply(int index, String node, byte[] result, double elapsedMs, List<String> logs) {
  }

  /** Registers both codecs as the default for their record (every node of a cluster does the same). */
  public static void register(EventBus bus) {
    bus.registerDefaultCodec(PartRequest.class, new RequestCodec());
    bus.registerDefaultCodec(PartReply.class, new ReplyCodec());
  }

  static final class RequestCodec extends Codec<PartRequest> {
    RequestCodec() {
      super("disruptor-part-request");
    }

    @Override
    public void encodeToWire(Buffer out, PartRequest r) {
      putString(out, r.jobId());
      putString(out, r.coordinator());
      out.appendInt(r.index()).appendInt(r.partitions()).appendLong(r.remainingMs());
      putString(out, r.code());
      out.appendInt(r.input().length).appendBytes(r.input());
    }

    @Override
    public PartRequest decodeFromWire(int pos, Buffer in) {
      Reader r = new Reader(in, pos);
      String jobId = r.string();
      String coordinator = r.string();
      int index = r.integer();
      int partitions = r.integer();
      long remainingMs = r.longValue();
      return new PartRequest(jobId, coordinator, index, partitions, r.string(), r.bytes(), remainingMs);
    }
  }

  static final class ReplyCodec extends Codec<PartReply> {
    ReplyCodec() {
      super("disruptor-part-reply");
    }

    @Override
    public void encodeToWire(Buffer out, PartReply r) {
      out.appendInt(r.index());
      putString(out, r.node());
      out.appendDouble(r.elapsedMs());
      out.appendInt(r.logs().size());
      r.logs().forEach(line -> putString(out, line));
      out.appendInt(r.result().length).appendBytes(r.result());
    }

    @Override
    public PartReply decodeFromWire(int pos, Buffer in) {
      Reader r = new Reader(in, pos);
      int index = r.integer();
      String node = r.string();
      double elapsed = r.doubleValue();
      int count = r.integer();
      List<String> logs = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        logs.add(r.string());
      }
      return new PartReply(index, node, r.bytes(), elapsed, List.copyOf(logs));
    }
  }

  /** A codec whose local transform hands the (immutable) record over as it is. */
  abstract static class Codec<T> implements MessageCodec<T, T> {
    private final String name;

    Codec(String name) {
      this.name = name;
    }

    @Override
    public T transform(T message) {
      return message;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public byte systemCodecID() {
      return -1;
    }
  }

  private static void putString(Buffer out, String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    out.appendInt(bytes.length).appendBytes(bytes);
  }

  /** Reads fields in the order they were written. */
  private static final class Reader {
    private final Buffer in;
    private int pos;

    Reader(Buffer in, int pos) {
      this.in = in;
      this.pos = pos;
    }

    int integer() {
      int value = in.getInt(pos);
      pos += 4;
      return value;
    }

    long longValue() {
      long value = in.getLong(pos);
      pos += 8;
      return value;
    }

    double doubleValue() {
      double value = in.getDouble(pos);
      pos += 8;
      return value;
    }

    byte[] bytes() {
      int length = integer();
      byte[] value = in.getBytes(pos, pos + length);
      pos += length;
      return value;
    }

    String string() {
      int length = integer();
      String value = in.getString(pos, pos + length, "UTF-8");
      pos += length;
      return value;
    }
  }
}
