package org.disruptor.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A job's state")
class JobTest {

  private static byte[] utf8(String json) {
    return json.getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  private static Job job(int parts) {
    JobSpec spec = new JobSpec("(x) => x", null, JobSpec.Mode.MAP, parts, null, 1000, null);
    return new Job("j1", spec, java.util.Collections.nCopies(parts, utf8("[]")));
  }

  @Test
  @DisplayName("collects results in part order whatever order they arrive in")
  void collectsInOrder() {
    Job job = job(3);
    assertTrue(job.complete(2, "n", utf8("3"), 1, List.of()));
    assertTrue(job.complete(0, "n", utf8("1"), 1, List.of()));
    assertFalse(job.allDone());
    assertTrue(job.complete(1, "n", utf8("{\"a\":2}"), 1, List.of()));
    assertTrue(job.allDone());
    assertEquals("[1,{\"a\":2},3]", new String(job.resultsArray(), java.nio.charset.StandardCharsets.UTF_8));
  }

  @Test
  @DisplayName("counts a part once: a duplicate or late reply is ignored")
  void countsOnce() {
    Job job = job(2);
    job.assign(0, "a", "a:1");
    job.assign(0, "b", "b:1");
    assertTrue(job.complete(0, "b:1", utf8("1"), 1, List.of()));
    assertFalse(job.complete(0, "a:1", utf8("999"), 1, List.of()));
    assertEquals(1, job.doneCount());
    assertEquals(2, job.part(0).attempts());
  }

  @Test
  @DisplayName("ends exactly once, and ignores results after it ended")
  void endsOnce() {
    Job job = job(2);
    assertTrue(job.finish(JobStatus.TIMED_OUT, null, new JobError("timed_out", "late")));
    assertFalse(job.finish(JobStatus.COMPLETED, utf8("[]"), null));
    assertFalse(job.finish(JobStatus.CANCELLED, null, new JobError("cancelled", "x")));
    assertFalse(job.complete(0, "n", utf8("1"), 1, List.of()));
    assertEquals(JobStatus.TIMED_OUT, job.status());
  }

  @Test
  @DisplayName("refuses to 'finish' into the running state")
  void notFinishedByRunning() {
    assertFalse(job(1).finish(JobStatus.RUNNING, null, null));
  }

  @Test
  @DisplayName("shows the result verbatim in its view once completed, and the error when failed")
  void view() {
    Job done = job(1);
    done.complete(0, "n", utf8("[1,2]"), 5, List.of("hi"));
    done.finish(JobStatus.COMPLETED, utf8("[[1,2]]"), null);
    JsonObject view = new JsonObject(done.view());
    assertEquals(new JsonArray("[[1,2]]"), view.getJsonArray("result"));
    assertEquals("completed", view.getString("status"));
    assertEquals("hi", view.getJsonArray("partitions").getJsonObject(0).getJsonArray("logs").getString(0));

    Job failed = job(1);
    failed.finish(JobStatus.FAILED, null, new JobError("job_error", "boom", new JsonObject().put("line", 3)));
    JsonObject failure = new JsonObject(failed.view());
    assertEquals("job_error", failure.getString("error"));
    assertEquals(3, failure.getInteger("line"));
    assertFalse(failure.containsKey("result"));
  }

  @Test
  @DisplayName("splices raw JSON into an object without re-encoding it")
  void withRaw() {
    assertEquals("{\"result\":[1, 2],\"a\":1}", Job.withRaw(new JsonObject().put("a", 1), "result", "[1, 2]"));
    assertEquals("{\"result\":null}", Job.withRaw(new JsonObject(), "result", "null"));
    assertEquals("{\"a\":1}", Job.withRaw(new JsonObject().put("a", 1), "result", (String) null));
    assertEquals("{\"result\":[\"\u00e9\"],\"a\":1}", Job.withRaw(new JsonObject().put("a", 1), "result",
        utf8("[\"\u00e9\"]")).toString(java.nio.charset.StandardCharsets.UTF_8));
  }
}
