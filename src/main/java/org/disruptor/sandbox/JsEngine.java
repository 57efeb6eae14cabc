package org.disruptor.sandbox;

import io.vertx.core.json.JsonObject;

/**
 * Runs job code: evaluates it to a function (job code may also be an ES module whose default export is the
 * function, importing the store modules the part carries; see {@link ModuleCode}), calls it on a part's JSON input, and answers the JSON text it
 * returned and what it logged, under the part's limits. Two engines keep one contract (same globals, error
 * codes, limits and result checks): {@code v8} (V8 through Javet, in supervised runner processes) and
 * {@code graaljs} (GraalJS in the node's JVM, when the GraalJS layer is on the class path).
 */
public interface JsEngine extends AutoCloseable {

  /** {@code "v8"} or {@code "graaljs"}. */
  String name();

  /**
   * Runs one part, blocking the calling worker thread (never an event loop). Fails with a
   * {@link SandboxException} whose code is one of the API's: {@code compile_error}, {@code not_a_function},
   * {@code job_error}, {@code time_limit}, {@code memory_limit}, {@code output_limit}, {@code stack_limit},
   * {@code timed_out}, {@code cancelled}. {@code handle} stops it from another thread.
   */
  PartResult run(PartTask task, RunHandle handle);

  /**
   * Compiles {@code code} without running it; a {@code compile_error} carries the line and column. Blocks
   * (v8: a round trip to an idle runner, waiting up to 10 s for one): call it from a worker thread. Whether
   * the code evaluates to a function is not told here: that needs running it.
   */
  void check(String code);

  /**
   * Compiles a store module's source (an ES module, or a CommonJS/UMD/classic script) without running it;
   * a {@code compile_error} carries the line and column. Blocks like {@link #check}.
   */
  void checkModule(String source);

  /** The engine's resources, for /api/peers and the page: engine, runners or contexts, restarts, heap. */
  JsonObject stats();

  /** Whether the engine compiles hot JS to machine code (V8 always; GraalJS only with the Graal JIT). */
  boolean jit();

  SandboxLimits limits();

  @Override
  void close();

  /**
   * The engine the node's {@code engine} key names, sized for {@code workers} parts at once. A {@code v8}
   * engine is ready (its runners started) when this returns.
   */
  static JsEngine create(JsonObject conf, int workers) {
    SandboxLimits limits = SandboxLimits.from(conf);
    long graceMs = conf.getLong("stopGraceMs", 1500L);
    String engine = conf.getString("engine", "v8");
    return switch (engine) {
      case "v8" -> V8Engine.start(limits, RunnerSettings.from(conf), graceMs, workers);
      case "graaljs" -> graalJs(limits, graceMs, workers);
      default -> throw new org.disruptor.config.ConfigException("unknown engine '" + engine
          + "': choose v8 or graaljs");
    };
  }

  /**
   * GraalJS is loaded by name: its classes are an optional layer (target/graaljs), absent from a v8 node's
   * class path, and must not be touched unless asked for.
   */
  private static JsEngine graalJs(SandboxLimits limits, long graceMs, int workers) {
    try {
      Class.forName("org.graalvm.polyglot.Engine");
    } catch (ClassNotFoundException | LinkageError e) {
      throw new org.disruptor.config.ConfigException("engine graaljs needs the GraalJS jars (target/graaljs) on the"
          + " class path: start the node with ./run.sh, which adds them when the engine is graaljs");
    }
    return new GraalJsEngine(limits, graceMs, workers);
  }
}
