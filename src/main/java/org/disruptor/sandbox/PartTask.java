package org.disruptor.sandbox;

import java.util.List;

/**
 * One part to run: the job's code, its input as UTF-8 JSON text, the {@code ctx} object as JSON text, the
 * wall time left before the job's deadline and the CPU time the part may use. Data stays bytes end to end:
 * an engine parses it inside the sandbox. {@code modules}: the store modules the job resolved, classic
 * scripts (evaluated before the code, in order) and imports (factories the code's {@code import}s reach).
 */
public record PartTask(String code, byte[] input, String ctxJson, long deadlineMs, long cpuLimitMs,
    List<Module> modules) {

  public PartTask(String code, byte[] input, String ctxJson, long deadlineMs, long cpuLimitMs) {
    this(code, input, ctxJson, deadlineMs, cpuLimitMs, List.of());
  }

  /**
   * A store module as a part uses it: {@code script} (a classic script: {@code text} is its source) or an
   * import under {@code specifier} ({@code text} is its {@link ModuleCode#factory factory}); {@code hash}
   * names the text for the engines' compile caches.
   */
  public record Module(boolean script, String specifier, String hash, String text) {

    /** The key of this module's compiled text in a cache. */
    public String key() {
      return (script ? "s:" : "f:") + hash;
    }

    /** The source name it is compiled under (stack traces). */
    String sourceName() {
      return "module:" + specifier;
    }
  }
}
