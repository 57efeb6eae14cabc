package org.disruptor.sandbox;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The pipe protocol between a node and its V8 runners: length-prefixed binary frames, {@code int length}
 * then {@code byte type} then the payload. Strings travel as UTF-16 code units (lossless: lone surrogates
 * survive), bytes as they are. Node to runner: {@link #RUN}, {@link #STOP}, {@link #CHECK}, {@link #SHUTDOWN};
 * runner to node: {@link #READY}, {@link #RESULT}, {@link #FAILURE}, {@link #CHECKED}. Each answer carries the
 * runner's heap reading, so the node's stats never need a round trip.
 */
final class Frames {

  static final byte RUN = 1;
  static final byte STOP = 2;
  static final byte CHECK = 3;
  static final byte SHUTDOWN = 4;
  static final byte READY = 10;
  static final byte RESULT = 11;
  static final byte FAILURE = 12;
  static final byte CHECKED = 13;
  /** Larger frames are refused: a part's input and result are bounded far below this. */
  static final int MAX_FRAME = 512 * 1024 * 1024;

  private Frames() {
  }

  /** One frame read: its type and a stream over its payload. */
  record Frame(byte type, DataInputStream body) {
  }

  /** A frame's payload, built then written in one piece. */
  static final class Builder {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
    private final DataOutputStream out = new DataOutputStream(bytes);
    private final byte type;

    Builder(byte type) {
      this.type = type;
    }

    Builder putLong(long v) throws IOException {
      out.writeLong(v);
      return this;
    }

    Builder putInt(int v) throws IOException {
      out.writeInt(v);
      return this;
    }

    Builder putDouble(double v) throws IOException {
      out.writeDouble(v);
      return this;
    }

    Builder putBoolean(boolean v) throws IOException {
      out.writeBoolean(v);
      return this;
    }

    Builder putString(String s) throws IOException {
      if (s == null) {
        out.writeInt(-1);
        return this;
      }
      out.writeInt(s.length());
      out.writeChars(s);
      return this;
    }

    Builder putBytes(byte[] b) throws IOException {
      out.writeInt(b.length);
      out.write(b);
      return this;
    }

    Builder putStrings(List<String> list) throws IOException {
      out.writeInt(list.size());
      for (String s : list) {
        putString(s);
      }
      return this;
    }

    /** Writes the frame; callers share {@code to} under its own lock. */
    void writeTo(OutputStream to) throws IOException {
      synchronized (to) {
        DataOutputStream data = new DataOutputStream(to);
        data.writeInt(bytes.size() + 1);
        data.writeByte(type);
        bytes.writeTo(to);
        to.flush();
      }
    }
  }

  /** The next frame, or null at the end of the stream. */
  static Frame read(DataInputStream in) throws IOException {
    int length;
    try {
      length = in.readInt();
    } catch (EOFException end) {
      return null;
    }
    if (length < 1 || length > MAX_FRAME) {
      throw new IOException("bad frame length " + length);
    }
    byte type = in.readByte();
    byte[] payload = in.readNBytes(length - 1);
    if (payload.length != length - 1) {
      return null;
    }
    return new Frame(type, new DataInputStream(new ByteArrayInputStream(payload)));
  }

  static DataInputStream input(InputStream in) {
    return new DataInputStream(new java.io.BufferedInputStream(in, 65536));
  }

  static String getString(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0) {
      return null;
    }
    char[] chars = new char[n];
    for (int i = 0; i < n; i++) {
      chars[i] = in.readChar();
    }
    return new String(chars);
  }

  static byte[] getBytes(DataInputStream in) throws IOException {
    int n = in.readInt();
    return in.readNBytes(n);
  }

  static List<String> getStrings(DataInputStream in) throws IOException {
    int n = in.readInt();
    List<String> list = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      list.add(getString(in));
    }
    return list;
  }
}
