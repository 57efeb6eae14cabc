package org.disruptor.sandbox;

import io.vertx.core.json.JsonObject;

/** Per-part limits, from the node configuration (the same keys and meanings on both engines). */
public record SandboxLimits(long partTimeLimitMs, int partMemoryLimitMb, int maxResultBytes, int maxLogBytes) {

  public static SandboxLimits from(JsonObject conf) {
    return new SandboxLimits(conf.getLong("partTimeLimitMs"), conf.getInteger("partMemoryLimitMb"),
        conf.getInteger("maxResultBytes"), conf.getInteger("maxLogBytes"));
  }
}
