package org.disruptor.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.disruptor.sandbox.SandboxException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Compile checks before a job is split")
class CodeChecksTest {

  private final List<String> compiled = new ArrayList<>();
  private final CodeChecks checks = new CodeChecks(code -> {
    compiled.add(code);
    if (code.contains("busy")) {
      return Future.failedFuture(new RuntimeException("no runner free"));
    }
    return code.contains("(((") ? Future.failedFuture(new SandboxException("compile_error", "SyntaxError: Unexpected end",
        2, 7, List.of())) : Future.succeededFuture();
  });

  private static JobSpec spec(String code, String reduce) {
    String json = new io.vertx.core.json.JsonObject().put("code", code).put("reduce", reduce).put("data",
        new io.vertx.core.json.JsonArray().add(1)).encode();
    return JobSpec.parse(json.getBytes(StandardCharsets.UTF_8), new JobSpec.Limits(65536, 16, 1000, 1000));
  }

  @Test
  @DisplayName("code that does not compile is refused with 422 and where, and compiled only once")
  void refusedOnce() {
    Future<Void> first = checks.check(spec("(xs) => (((", null));
    JobError error = (JobError) first.cause();
    assertEquals("compile_error", error.code());
    assertEquals(422, error.status());
    assertEquals(2, error.toJson().getInteger("line"));
    assertEquals(7, error.toJson().getInteger("column"));
    assertTrue(checks.check(spec("(xs) => (((", null)).failed());
    assertEquals(1, compiled.size(), "the verdict is kept");
  }

  @Test
  @DisplayName("a good code is compiled once; a JS reduce is checked too, a built-in one is not")
  void goodAndReduce() {
    assertTrue(checks.check(spec("(xs) => xs", "flat")).succeeded());
    assertTrue(checks.check(spec("(xs) => xs", "flat")).succeeded());
    assertEquals(List.of("(xs) => xs"), compiled);
    Future<Void> badReduce = checks.check(spec("(xs) => xs", "(p) => (((" ));
    JobError error = (JobError) badReduce.cause();
    assertEquals("reduce", error.toJson().getString("stage"));
    assertTrue(error.getMessage().startsWith("reduce: "));
  }

  @Test
  @DisplayName("no verdict (the engine is busy) lets the job through, and asks again next time")
  void noVerdict() {
    assertTrue(checks.check(spec("(xs) => 'busy'", null)).succeeded());
    assertTrue(checks.check(spec("(xs) => 'busy'", null)).succeeded());
    assertEquals(2, compiled.size());
  }
}
