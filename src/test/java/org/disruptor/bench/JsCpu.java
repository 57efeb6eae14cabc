package org.disruptor.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The CPU time a node spends running JS, from the kernel's per-thread scheduler counters
 * ({@code /proc/PID/task/TID/schedstat}, nanoseconds): for v8 every thread of the node's runner processes
 * (JS, V8's compiler and GC threads, the frame I/O), for graaljs the node's JS worker threads. Unlike wall
 * time it does not grow when other work on a shared machine takes the cores, so it is the figure to hold
 * against node's own CPU time for the same function.
 */
final class JsCpu {

  private final long nodePid;

  JsCpu(long nodePid) {
    this.nodePid = nodePid;
  }

  /** The JS CPU so far, in nanoseconds. */
  long nanos() {
    long runners = ProcessHandle.of(nodePid).stream().flatMap(ProcessHandle::descendants)
        .mapToLong(p -> threads(p.pid(), false)).sum();
    return runners + threads(nodePid, true);
  }

  /** The summed run time of a process's threads, or only of its JS worker threads ({@code disruptor-js-N}). */
  private static long threads(long pid, boolean jsWorkersOnly) {
    try (Stream<Path> tasks = Files.list(Path.of("/proc", String.valueOf(pid), "task"))) {
      return tasks.mapToLong(task -> {
        try {
          if (jsWorkersOnly && !Files.readString(task.resolve("comm")).startsWith("disruptor-js-")) {
            return 0;
          }
          return Long.parseLong(Files.readString(task.resolve("schedstat")).trim().split(" ")[0]);
        } catch (IOException | RuntimeException e) {
          return 0; // the thread ended meanwhile
        }
      }).sum();
    } catch (IOException e) {
      return 0; // the process ended meanwhile
    }
  }
}
