package org.disruptor.sandbox;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * A typed array travelling as bytes: a part's input or result that is numbers in a binary layout instead of
 * JSON text. It is tagged so every holder of a part's bytes can tell it from JSON: byte 0 is 0 (never the
 * first byte of JSON text), byte 1 the element type's code, then the elements, little-endian. Engines give
 * job code a view of the JavaScript typed array of that type, and a part that returns a typed array
 * produces one; where JSON is wanted it is written as the array of its numbers, as node's
 * {@code JSON.stringify(Array.from(a))} writes it.
 */
public final class TypedData {

  /** The element types, by the names a job gives them (and their JavaScript array's name). */
  public enum Dtype {
    INT8("int8", "Int8Array", 1), UINT8("uint8", "Uint8Array", 1), INT16("int16", "Int16Array", 2),
    UINT16("uint16", "Uint16Array", 2), INT32("int32", "Int32Array", 4), UINT32("uint32", "Uint32Array", 4),
    FLOAT32("float32", "Float32Array", 4), FLOAT64("float64", "Float64Array", 8);

    private final String wire;
    private final String js;
    private final int size;

    Dtype(String wire, String js, int size) {
      this.wire = wire;
      this.js = js;
      this.size = size;
    }

    public String wire() {
      return wire;
    }

    public String js() {
      return js;
    }

    public int size() {
      return size;
    }

    byte code() {
      return (byte) (ordinal() + 1);
    }

    /** The type a job names ({@code "float64"}), or null. */
    public static Dtype named(String name) {
      for (Dtype d : values()) {
        if (d.wire.equals(name)) {
          return d;
        }
      }
      return null;
    }

    /** The type of a JavaScript typed array's name ({@code "Float64Array"}), or null (BigInt64Array, say). */
    public static Dtype ofJs(String name) {
      for (Dtype d : values()) {
        if (d.js.equals(name)) {
          return d;
        }
      }
      return null;
    }

    /** All the names, for error messages. */
    public static String names() {
      StringBuilder out = new StringBuilder();
      for (Dtype d : values()) {
        out.append(out.isEmpty() ? "" : ", ").append(d.wire);
      }
      return out.toString();
    }
  }

  /** Bytes of tag before the elements. */
  public static final int HEADER = 2;

  private TypedData() {
  }

  /** Whether these part bytes are a typed array (else they are JSON text). */
  public static boolean isTyped(byte[] bytes) {
    return bytes != null && bytes.length >= HEADER && bytes[0] == 0;
  }

  public static Dtype dtype(byte[] typed) {
    return Dtype.values()[typed[1] - 1];
  }

  /** The number of elements. */
  public static int length(byte[] typed) {
    return (typed.length - HEADER) / dtype(typed).size();
  }

  /** The elements' bytes, without the tag. */
  public static byte[] elements(byte[] typed) {
    return java.util.Arrays.copyOfRange(typed, HEADER, typed.length);
  }

  /** Writes the elements' bytes (no tag) to {@code out} at {@code at}; answers how many. */
  public static int copyElements(byte[] typed, byte[] out, int at) {
    System.arraycopy(typed, HEADER, out, at, typed.length - HEADER);
    return typed.length - HEADER;
  }

  /** Elements {@code [from, to)} of {@code count} elements stored at {@code offset} of {@code source}, tagged. */
  public static byte[] tag(Dtype dtype, byte[] source, int offset, int from, int to) {
    int bytes = (to - from) * dtype.size();
    byte[] out = new byte[HEADER + bytes];
    out[1] = dtype.code();
    System.arraycopy(source, offset + from * dtype.size(), out, HEADER, bytes);
    return out;
  }

  /** A tagged array of {@code bytes} bytes of elements, all zero, for an engine to fill from {@link #HEADER}. */
  public static byte[] allocate(Dtype dtype, int bytes) {
    byte[] out = new byte[HEADER + bytes];
    out[1] = dtype.code();
    return out;
  }

  /** Raw elements, tagged (one copy). */
  public static byte[] tag(Dtype dtype, byte[] elements) {
    return tag(dtype, elements, 0, 0, elements.length / dtype.size());
  }

  /** Whether every one is a typed array of one same type (and there is at least one). */
  public static boolean allOneType(List<byte[]> values) {
    if (values.isEmpty()) {
      return false;
    }
    for (byte[] v : values) {
      if (!isTyped(v) || v[1] != values.getFirst()[1]) {
        return false;
      }
    }
    return true;
  }

  /** Typed arrays of one type joined end to end, in order (one copy). */
  public static byte[] concat(List<byte[]> values) {
    int bytes = HEADER;
    for (byte[] v : values) {
      bytes += v.length - HEADER;
    }
    byte[] out = new byte[bytes];
    out[1] = values.getFirst()[1];
    int at = HEADER;
    for (byte[] v : values) {
      at += copyElements(v, out, at);
    }
    return out;
  }

  /** JSON text for part bytes: a typed array as the array of its numbers, JSON text as it is. */
  public static byte[] json(byte[] value) {
    if (!isTyped(value)) {
      return value;
    }
    Dtype dtype = dtype(value);
    ByteBuffer in = ByteBuffer.wrap(value, HEADER, value.length - HEADER).slice().order(ByteOrder.LITTLE_ENDIAN);
    int n = length(value);
    StringBuilder out = new StringBuilder(n * (dtype.size() > 2 ? 12 : 4) + 2).append('[');
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        out.append(',');
      }
      switch (dtype) {
        case INT8 -> out.append(in.get(i));
        case UINT8 -> out.append(in.get(i) & 0xff);
        case INT16 -> out.append(in.getShort(i * 2));
        case UINT16 -> out.append(in.getShort(i * 2) & 0xffff);
        case INT32 -> out.append(in.getInt(i * 4));
        case UINT32 -> out.append(in.getInt(i * 4) & 0xffffffffL);
        case FLOAT32 -> out.append(JsNumbers.json(in.getFloat(i * 4)));
        case FLOAT64 -> out.append(JsNumbers.json(in.getDouble(i * 8)));
      }
    }
    return out.append(']').toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  }
}
