package org.disruptor.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayName("Job validation and error mapping")
class JobSpecTest {

  private static final JobSpec.Limits LIMITS = new JobSpec.Limits(100, 16, 30_000, 60_000);

  private static JobError rejected(String json) {
    return assertThrows(JobError.class, () -> JobSpec.parse(new JsonObject(json), LIMITS));
  }

  @Test
  @DisplayName("fills defaults: map mode and the configured timeout")
  void defaults() {
    JobSpec spec = JobSpec.parse(new JsonObject("{\"code\":\"(x)=>x\",\"data\":[1]}"), LIMITS);
    assertEquals(JobSpec.Mode.MAP, spec.mode());
    assertEquals(30_000, spec.timeoutMs());
    assertEquals(null, spec.partitions());
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', value = {
      "{}|bad_request",
      "{\"code\":\"\"}|bad_request",
      "{\"code\":42,\"data\":[]}|bad_request",
      "{\"code\":\"(x)=>x\",\"data\":{}}|bad_request",
      "{\"code\":\"(x)=>x\"}|bad_request",
      "{\"code\":\"(x)=>x\",\"data\":[],\"mode\":\"fold\"}|bad_request",
      "{\"code\":\"(x)=>x\",\"data\":[],\"partitions\":0}|bad_request",
      "{\"code\":\"(x)=>x\",\"data\":[],\"partitions\":17}|bad_request",
      "{\"code\":\"(x)=>x\",\"data\":[],\"partitions\":1.5}|bad_request",
      "{\"code\":\"(x)=>x\",\"data\":[],\"timeoutMs\":\"soon\"}|bad_request",
      "{\"code\":\"(x)=>x\",\"data\":[],\"timeoutMs\":60001}|bad_request",
      "{\"code\":\"(x)=>x\",\"data\":[],\"reduce\":[]}|bad_request",
      "{\"code\":\"(x)=>x\",\"data\":[],\"partition\":3}|bad_request",
      "{\"code\":\"(x)=>x\",\"mode\":\"broadcast\",\"partitions\":2}|bad_request",
  })
  void rejectsMalformed(String json, String code) {
    assertEquals(code, rejected(json).code());
  }

  @Test
  @DisplayName("refuses code over the size limit with 413")
  void codeTooLarge() {
    JobError e = rejected("{\"code\":\"" + "x".repeat(101) + "\",\"data\":[]}");
    assertEquals("payload_too_large", e.code());
    assertEquals(413, e.status());
  }

  @Test
  @DisplayName("accepts broadcast without data")
  void broadcastWithoutData() {
    assertEquals(JobSpec.Mode.BROADCAST,
        JobSpec.parse(new JsonObject("{\"code\":\"(x)=>x\",\"mode\":\"broadcast\"}"), LIMITS).mode());
  }

  @ParameterizedTest(name = "{0} is HTTP {1}")
  @CsvSource({"bad_request,400", "unauthorized,401", "not_found,404", "cancelled,409", "not_running,409", "method_not_allowed,405", "payload_too_large,413",
      "compile_error,422", "not_a_function,422", "job_error,422", "memory_limit,422", "time_limit,422",
      "output_limit,422", "stack_limit,422", "saturated,429", "no_nodes,503", "timed_out,504", "whatever,500"})
  void mapsErrorCodes(String code, int status) {
    assertEquals(status, JobError.status(code));
  }

  @Test
  @DisplayName("round-trips an error with its details through JSON")
  void errorJson() {
    JobError e = new JobError("job_error", "boom", new JsonObject().put("partition", 3).put("line", 2));
    JobError back = JobError.fromJson(e.toJson());
    assertEquals("job_error", back.code());
    assertEquals("boom", back.getMessage());
    assertEquals(e.toJson(), back.toJson());
  }
}
