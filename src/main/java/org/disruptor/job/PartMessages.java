package org.disruptor.job;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageCodec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The part protocol between a coordinator and the nodes that run its parts, as typed records with their
 * event-bus codecs. A part's outcome is always a normal reply ({@link PartOutcome}: done, failed or
 * refused); a failed event-bus request therefore means only that the node could not be reached or did not
 * answer in time, never that the job's code failed. A part's input and result are JSON text that the node
 * never looks into: they cross the wire as length-prefixed UTF-8, and within one node the (immutable)
 * records are handed over as they are.
 */
public final class PartMessages {

  /** The index a job's reduce runs under: it goes through the same path as the parts, on the coordinator. */
  public static final int REDUCE = -1;
  /** {@link StopParts#index} for "every part of the job". */
  public static final int ALL = -2;

  private PartMessages() {
  }

  /**
   * A coordinator asks a node to run attempt {@code attempt} of part {@code index} (or the reduce).
   * {@code modules}: the job's store modules pinned at submit (name and content hash, never the source: the
   * node fetches a source by hash once and keeps it). A part of a {@code durable} job stores its own result
   * in the cluster's job store when it ends, and keeps running when its coordinator leaves: whoever adopts
   * the job counts it.
   */
  public record PartRequest(String jobId, String coordinator, int index, int attempt, int partitions, String code,
      byte[] input, long remainingMs, boolean durable, List<String> modules) {
    public PartRequest(String jobId, String coordinator, int index, int attempt, int partitions, String code,
        byte[] input, long remainingMs) {
      this(jobId, coordinator, index, attempt, partitions, code, input, remainingMs, false, List.of());
    }

    public PartRequest(String jobId, String coordinator, int index, int attempt, int partitions, String code,
        byte[] input, long remainingMs, boolean durable) {
      this(jobId, coordinator, index, attempt, partitions, code, input, remainingMs, durable, List.of());
    }
  }

  /** What became of one attempt of a part. */
  public sealed interface PartOutcome permits PartDone, PartFailed, PartRefused {
    int index();

    int attempt();

    /** The user-facing address of the node that answered. */
    String node();
  }

  /** The part ran: its result as JSON text, its run time, its console lines and when it ran (epoch ms). */
  public record PartDone(int index, int attempt, String node, byte[] result, double elapsedMs, List<String> logs,
      long startedAt, long endedAt) implements PartOutcome {
  }

  /**
   * The part ran and failed, or a limit stopped it: {@code code} is an API error code ({@code job_error},
   * {@code time_limit}, {@code cancelled}, ...); {@code line}/{@code column} are 0 when unknown.
   */
  public record PartFailed(int index, int attempt, String node, String code, String message, int line, int column,
      List<String> logs) implements PartOutcome {
  }

  /** The node did not run the part: it is saturated, stopping, or knows the coordinator left. */
  public record PartRefused(int index, int attempt, String node, String reason) implements PartOutcome {
    public static final String SATURATED = "saturated";
    public static final String COORDINATOR_GONE = "coordinator_gone";
    public static final String STOPPING = "stopping";
  }

  /**
   * Stops a job's parts on a node: all of them ({@code index} {@link #ALL}), or one part, and then only the
   * given attempt (a moved part's old copy) unless {@code attempt} is 0.
   */
  public record StopParts(String jobId, int index, int attempt, String reason) {
    public static StopParts all(String jobId, String reason) {
      return new StopParts(jobId, ALL, 0, reason);
    }

    /** Whether this stop applies to attempt {@code attempt} of part {@code part}. */
    public boolean covers(int part, int partAttempt) {
      return index == ALL || (index == part && (attempt == 0 || attempt == partAttempt));
    }
  }

  /** Registers every codec of the protocol as the default for its record (every node does the same). */
  public static void register(EventBus bus) {
    bus.registerDefaultCodec(PartRequest.class, new RequestCodec());
    // one wire form (tagged) for the three outcomes; Vert.x wants a codec of its own name per class
    bus.registerDefaultCodec(PartDone.class, new OutcomeCodec("disruptor-part-done").as());
    bus.registerDefaultCodec(PartFailed.class, new OutcomeCodec("disruptor-part-failed").as());
    bus.registerDefaultCodec(PartRefused.class, new OutcomeCodec("disruptor-part-refused").as());
    bus.registerDefaultCodec(StopParts.class, new StopCodec());
  }

  static final class RequestCodec extends Codec<PartRequest> {
    RequestCodec() {
      super("disruptor-part-request");
    }

    @Override
    public void encodeToWire(Buffer out, PartRequest r) {
      putString(out, r.jobId());
      putString(out, r.coordinator());
      out.appendInt(r.index()).appendInt(r.attempt()).appendInt(r.partitions()).appendLong(r.remainingMs())
          .appendByte((byte) (r.durable() ? 1 : 0));
      putString(out, r.code());
      putBytes(out, r.input());
      out.appendInt(r.modules().size());
      for (String module : r.modules()) {
        putString(out, module);
      }
    }

    @Override
    public PartRequest decodeFromWire(int pos, Buffer in) {
      Reader r = new Reader(in, pos);
      String jobId = r.string();
      String coordinator = r.string();
      int index = r.integer();
      int attempt = r.integer();
      int partitions = r.integer();
      long remainingMs = r.longValue();
      boolean durable = r.flag();
      String code = r.string();
      byte[] input = r.bytes();
      int count = r.integer();
      List<String> modules = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        modules.add(r.string());
      }
      return new PartRequest(jobId, coordinator, index, attempt, partitions, code, input, remainingMs, durable,
          List.copyOf(modules));
    }
  }

  /** One codec for the three outcomes: a tag byte, then the record's fields. */
  static final class OutcomeCodec extends Codec<PartOutcome> {
    private static final byte DONE = 1;
    private static final byte FAILED = 2;
    private static final byte REFUSED = 3;

    OutcomeCodec(String name) {
      super(name);
    }

    /** This codec typed for one of the outcome records (Vert.x registers a default codec per class). */
    @SuppressWarnings("unchecked")
    <T extends PartOutcome> MessageCodec<T, T> as() {
      return (MessageCodec<T, T>) (MessageCodec<?, ?>) this;
    }

    @Override
    public void encodeToWire(Buffer out, PartOutcome outcome) {
      switch (outcome) {
        case PartDone d -> {
          out.appendByte(DONE);
          head(out, d);
          out.appendDouble(d.elapsedMs()).appendLong(d.startedAt()).appendLong(d.endedAt());
          putLines(out, d.logs());
          putBytes(out, d.result());
        }
        case PartFailed f -> {
          out.appendByte(FAILED);
          head(out, f);
          putString(out, f.code());
          putString(out, f.message());
          out.appendInt(f.line()).appendInt(f.column());
          putLines(out, f.logs());
        }
        case PartRefused r -> {
          out.appendByte(REFUSED);
          head(out, r);
          putString(out, r.reason());
        }
      }
    }

    private static void head(Buffer out, PartOutcome outcome) {
      out.appendInt(outcome.index()).appendInt(outcome.attempt());
      putString(out, outcome.node());
    }

    @Override
    public PartOutcome decodeFromWire(int pos, Buffer in) {
      byte tag = in.getByte(pos);
      Reader r = new Reader(in, pos + 1);
      int index = r.integer();
      int attempt = r.integer();
      String node = r.string();
      return switch (tag) {
        case DONE -> {
          double elapsed = r.doubleValue();
          long startedAt = r.longValue();
          long endedAt = r.longValue();
          List<String> logs = r.lines();
          yield new PartDone(index, attempt, node, r.bytes(), elapsed, logs, startedAt, endedAt);
        }
        case FAILED -> {
          String code = r.string();
          String message = r.string();
          int line = r.integer();
          int column = r.integer();
          yield new PartFailed(index, attempt, node, code, message, line, column, r.lines());
        }
        case REFUSED -> new PartRefused(index, attempt, node, r.string());
        default -> throw new IllegalStateException("unknown part outcome tag " + tag);
      };
    }
  }

  static final class StopCodec extends Codec<StopParts> {
    StopCodec() {
      super("disruptor-stop-parts");
    }

    @Override
    public void encodeToWire(Buffer out, StopParts s) {
      putString(out, s.jobId());
      out.appendInt(s.index()).appendInt(s.attempt());
      putString(out, s.reason());
    }

    @Override
    public StopParts decodeFromWire(int pos, Buffer in) {
      Reader r = new Reader(in, pos);
      String jobId = r.string();
      int index = r.integer();
      int attempt = r.integer();
      return new StopParts(jobId, index, attempt, r.string());
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

  /**
   * A string as UTF-8, or as UTF-16 code units when it holds a lone surrogate (JSON may carry one, e.g.
   * {@code "\\ud800"} in code or a log line, and UTF-8 would turn it into '?').
   */
  private static void putString(Buffer out, String text) {
    if (JsonText.wellFormed(text)) {
      out.appendByte((byte) 0);
      putBytes(out, text.getBytes(StandardCharsets.UTF_8));
    } else {
      out.appendByte((byte) 1).appendInt(text.length());
      for (int i = 0; i < text.length(); i++) {
        out.appendShort((short) text.charAt(i));
      }
    }
  }

  private static void putBytes(Buffer out, byte[] bytes) {
    out.appendInt(bytes.length).appendBytes(bytes);
  }

  private static void putLines(Buffer out, List<String> lines) {
    out.appendInt(lines.size());
    lines.forEach(line -> putString(out, line));
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

    boolean flag() {
      return in.getByte(pos++) != 0;
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
      byte form = in.getByte(pos++);
      if (form == 0) {
        return new String(bytes(), StandardCharsets.UTF_8);
      }
      int length = integer();
      char[] chars = new char[length];
      for (int i = 0; i < length; i++) {
        chars[i] = (char) in.getShort(pos);
        pos += 2;
      }
      return new String(chars);
    }

    List<String> lines() {
      int count = integer();
      List<String> lines = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        lines.add(string());
      }
      return List.copyOf(lines);
    }
  }
}
