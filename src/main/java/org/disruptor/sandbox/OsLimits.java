package org.disruptor.sandbox;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The OS memory limit a V8 runner puts on itself once it has started: RLIMIT_DATA (Linux counts private
 * writable mappings against it, which is where malloc, ArrayBuffer backing stores and V8's heap pages live),
 * set to the runner's start-up footprint plus a headroom. An allocation past it fails instead of growing the
 * process: V8 turns a failed ArrayBuffer allocation into a RangeError, and a failed heap growth aborts the
 * runner (which its node replaces). RLIMIT_AS would not do: V8 and the JVM reserve terabytes of address space
 * they never use. cgroup memory limits need a writable cgroup v2 hierarchy, which a node cannot count on.
 */
final class OsLimits {

  private static final int RLIMIT_DATA = 2; // Linux, all architectures

  private OsLimits() {
  }

  /** The process's data segment size now (VmData), in bytes; -1 where /proc does not tell. */
  static long dataBytes() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmData:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux, or /proc not mounted
    }
    return -1;
  }

  /** Limits the data segment to its current size plus {@code headroomBytes}; answers the limit set, or -1. */
  static long limitData(long headroomBytes) {
    long now = dataBytes();
    if (now < 0) {
      return -1;
    }
    long limit = now + headroomBytes;
    try {
      Linker linker = Linker.nativeLinker();
      MethodHandle setrlimit = linker.downcallHandle(linker.defaultLookup().find("setrlimit").orElseThrow(),
          FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
      try (Arena arena = Arena.ofConfined()) {
        MemorySegment rlimit = arena.allocate(16);
        rlimit.set(ValueLayout.JAVA_LONG, 0, limit);
        rlimit.set(ValueLayout.JAVA_LONG, 8, limit);
        return (int) setrlimit.invokeExact(RLIMIT_DATA, rlimit) == 0 ? limit : -1;
      }
    } catch (Throwable e) {
      return -1;
    }
  }
}
