package org.disruptor.job;

import java.util.ArrayList;
import java.util.List;

/** Splits {@code size} elements into {@code parts} contiguous slices whose sizes differ by at most one. */
public final class Slicer {

  private Slicer() {
  }

  /** A half-open range {@code [from, to)} of the data array. */
  public record Slice(int from, int to) {
    public int size() {
      return to - from;
    }
  }

  public static List<Slice> slices(int size, int parts) {
    if (parts < 1) {
      throw new IllegalArgumentException("parts must be at least 1");
    }
    List<Slice> slices = new ArrayList<>(parts);
    int base = size / parts;
    int extra = size % parts;
    int from = 0;
    for (int i = 0; i < parts; i++) {
      int to = from + base + (i < extra ? 1 : 0);
      slices.add(new Slice(from, to));
      from = to;
    }
    return slices;
  }
}
