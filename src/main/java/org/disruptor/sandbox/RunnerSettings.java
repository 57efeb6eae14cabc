package org.disruptor.sandbox;

import io.vertx.core.json.JsonObject;

/**
 * How a node starts its V8 runner processes: V8's own heap limit ({@code runnerHeapMb}, well above the
 * per-part budget, since reaching it aborts the runner), the OS data limit above the runner's start-up
 * footprint ({@code runnerMemoryMb}, RLIMIT_DATA: bounds ArrayBuffers and everything else malloc'd), and
 * V8's stack limit ({@code runnerStackKb}, the JS recursion depth).
 */
public record RunnerSettings(int heapMb, int memoryMb, int stackKb) {

  public static RunnerSettings from(JsonObject conf) {
    return new RunnerSettings(conf.getInteger("runnerHeapMb", 1024), conf.getInteger("runnerMemoryMb", 1536),
        conf.getInteger("runnerStackKb", 1200));
  }
}
