package org.disruptor.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Slicing data into parts")
class SlicerTest {

  @Test
  @DisplayName("splits evenly when the size divides")
  void even() {
    assertEquals(List.of(new Slicer.Slice(0, 3), new Slicer.Slice(3, 6), new Slicer.Slice(6, 9)), Slicer.slices(9, 3));
  }

  @Test
  @DisplayName("gives the first slices one extra element when sizes are uneven")
  void uneven() {
    List<Slicer.Slice> slices = Slicer.slices(10, 4);
    assertEquals(List.of(3, 3, 2, 2), slices.stream().map(Slicer.Slice::size).toList());
    assertEquals(0, slices.getFirst().from());
    assertEquals(10, slices.getLast().to());
  }

  @Test
  @DisplayName("leaves trailing slices empty when there are more parts than elements")
  void morePartsThanElements() {
    assertEquals(List.of(1, 1, 0, 0, 0), Slicer.slices(2, 5).stream().map(Slicer.Slice::size).toList());
  }

  @Test
  @DisplayName("makes empty slices of an empty array")
  void empty() {
    assertEquals(List.of(new Slicer.Slice(0, 0), new Slicer.Slice(0, 0)), Slicer.slices(0, 2));
  }

  @Test
  @DisplayName("keeps slices contiguous and covering the whole array")
  void contiguous() {
    for (int size = 0; size < 50; size++) {
      for (int parts = 1; parts < 12; parts++) {
        int next = 0;
        for (Slicer.Slice slice : Slicer.slices(size, parts)) {
          assertEquals(next, slice.from());
          next = slice.to();
        }
        assertEquals(size, next);
      }
    }
  }

  @Test
  @DisplayName("refuses zero parts")
  void zeroParts() {
    assertThrows(IllegalArgumentException.class, () -> Slicer.slices(3, 0));
  }
}
