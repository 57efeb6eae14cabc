package org.disruptor.job;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.disruptor.sandbox.SandboxException;

/**
 * Refuses a job whose code (or JavaScript reduce) does not compile once, with 422 and where, before it is
 * split - not once per part. Each distinct code is compiled once by the engine (off the event loop) and its
 * verdict kept, so a job with code seen before pays nothing. Confined to the coordinator's event loop.
 */
final class CodeChecks {

  private static final int KEPT = 512;
  private static final JobError OK = new JobError("ok", "");

  private final Function<String, Future<Void>> compile;
  private final Map<String, JobError> verdicts = new LinkedHashMap<>(64, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, JobError> eldest) {
      return size() > KEPT;
    }
  };

  /** {@code compile} checks one code in the engine; it fails with {@link SandboxException} when it does not compile. */
  CodeChecks(Function<String, Future<Void>> compile) {
    this.compile = compile;
  }

  /** Succeeds when the job's code and reduce compile (or the engine could not tell: the parts will). */
  Future<Void> check(JobSpec spec) {
    Future<Void> code = check(spec.code(), false);
    String reduce = spec.reduce();
    return reduce == null || BuiltinReduce.isBuiltin(reduce) ? code : code.compose(v -> check(reduce, true));
  }

  private Future<Void> check(String source, boolean reduce) {
    JobError known = verdicts.get(source);
    if (known != null) {
      return known == OK ? Future.succeededFuture() : Future.failedFuture(known);
    }
    return compile.apply(source).transform(ar -> {
      if (ar.succeeded()) {
        verdicts.put(source, OK);
        return Future.succeededFuture();
      }
      if (ar.cause() instanceof SandboxException e && e.code().equals("compile_error")) {
        JsonObject details = new JsonObject().put("stage", reduce ? "reduce" : "code");
        if (e.line() != null) {
          details.put("line", e.line()).put("column", e.column());
        }
        JobError error = new JobError("compile_error", (reduce ? "reduce: " : "") + e.getMessage(), details);
        verdicts.put(source, error);
        return Future.failedFuture(error);
      }
      return Future.succeededFuture(); // no verdict (the engine is busy or stopping): the parts will tell
    });
  }
}
