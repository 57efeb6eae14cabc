package org.disruptor.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The CPU time a node spends running JS, from the kernel's per-thread scheduler counters
 * ({@code /proc/PID/task/TID/schedstat}, nanoseconds) of the threads that run JS: for v8 the JS thread of
 * each of the node's runner processes, for graaljs the node's JS worker threads (each also prepares the
 * next fresh context after a part: that is counted too). Unlike wall
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
        .mapToLong(p -> threads(p.pid(), "disruptor-v8-js")).sum();
    return runners + threads(nodePid, "disruptor-js-");
  }

  /** The summed run time of a process's threads whose name starts with {@code prefix}. */
  private static long threads(long pid, String prefix) {
    try (Stream<Path> tasks = Files.list(Path.of("/proc", String.valueOf(pid), "task"))) {
      return tasks.mapToLong(task -> {
        try {
          if (!Files.readString(task.resolve("comm")).startsWith(prefix)) {
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
