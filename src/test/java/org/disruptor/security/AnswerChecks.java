package org.disruptor.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.disruptor.e2e.NodeProcess;

/**
 * What every answer of one node must be, as assertions: an answer at all (no close without one, no silence
 * past {@link #ANSWER}), no 5xx but 503 and 504, and errors as JSON {@code {"error", "message"}}. Counts
 * the statuses it saw, for the run's summary.
 */
final class AnswerChecks {

  static final Duration ANSWER = Duration.ofSeconds(30);
  private static final Set<String> JOB_FAILURES = Set.of("compile_error", "not_a_function", "job_error", "memory_limit",
      "time_limit", "output_limit", "stack_limit");
  private final NodeProcess node;
  private final long seed;
  private final Map<Integer, Integer> statuses = new TreeMap<>();

  AnswerChecks(NodeProcess node, long seed) {
    this.node = node;
    this.seed = seed;
  }

  synchronized Map<Integer, Integer> statuses() {
    return new TreeMap<>(statuses);
  }

  RawHttp.Answer post(byte[] body) throws IOException {
    return send(RawHttp.post("/api/jobs", body), "POST " + Fuzz.show(body, 300));
  }

  /** Sends one request; fails unless an answer comes within {@link #ANSWER}, and on any 5xx but 503 and 504. */
  RawHttp.Answer send(byte[] request, String what) throws IOException {
    RawHttp.Answer answer = RawHttp.exchange(node.address(), request, ANSWER);
    assertEquals(RawHttp.Outcome.ANSWERED, answer.outcome(), what + " (seed " + seed + "): " + answer);
    synchronized (this) {
      statuses.merge(answer.status(), 1, Integer::sum);
    }
    assertTrue(answer.status() < 500 || answer.status() == 503 || answer.status() == 504,
        "a 5xx that is not by design for " + what + " (seed " + seed + "): " + answer);
    return answer;
  }

  /** Asserts the status, a JSON content type and body {"error": code, "message": non-blank}; returns the body. */
  JsonObject assertError(RawHttp.Answer answer, int status, String code, String what) {
    assertEquals(status, answer.status(), what + " (seed " + seed + "): " + answer);
    assertTrue(answer.headers().getOrDefault("content-type", "").startsWith("application/json"),
        "a JSON content type for " + what + ": " + answer);
    JsonObject json = answer.json();
    assertNotNull(json, "a JSON object body for " + what + ": " + answer);
    assertEquals(code, json.getValue("error"), what + " (seed " + seed + "): " + answer);
    assertTrue(json.getValue("message") instanceof String m && !m.isBlank(), "a message for " + what + ": " + answer);
    return json;
  }

  /** Any answer a job the test cannot judge may get: a plausible 200, or an exact error of the API. */
  void assertAllowed(RawHttp.Answer answer, String what) {
    switch (answer.status()) {
      case 200 -> assertCompleted(answer, what);
      case 400 -> assertError(answer, 400, "bad_request", what);
      case 413 -> assertError(answer, 413, "payload_too_large", what);
      case 422 -> {
        JsonObject json = assertError(answer, 422, answer.json() == null ? "?" : String.valueOf(answer.json().getValue("error")), what);
        assertTrue(JOB_FAILURES.contains(json.getString("error")), "a 422 error code of the API for " + what + ": " + answer);
        // code that does not compile is refused before a job exists; every other 422 is a job that failed
        if (!"compile_error".equals(json.getString("error"))) {
          assertEquals("failed", json.getString("status"), what + ": " + answer);
        }
      }
      case 429 -> assertError(answer, 429, "saturated", what);
      case 504 -> assertEquals("timed_out", assertError(answer, 504, "timed_out", what).getString("status"), what + ": " + answer);
      default -> fail("status " + answer.status() + " for " + what + " (seed " + seed + "): " + answer);
    }
  }

  /** Asserts a completed job: 200, its id, one result and one partition entry per part, all on this node. */
  JsonObject assertCompleted(RawHttp.Answer answer, String what) {
    assertEquals(200, answer.status(), what + " (seed " + seed + "): " + answer);
    JsonObject view = answer.json();
    assertNotNull(view, "a JSON body for " + what + ": " + answer);
    assertEquals("completed", view.getString("status"), what + ": " + answer);
    assertTrue(view.getString("id", "").matches("[0-9a-f-]{36}"), "a job id for " + what + ": " + answer);
    JsonArray partitions = view.getJsonArray("partitions");
    assertEquals(view.getInteger("parts"), partitions.size(), what + ": " + answer);
    assertEquals(view.getInteger("parts"), view.getInteger("done"), what + ": " + answer);
    for (int i = 0; i < partitions.size(); i++) {
      assertEquals(i, partitions.getJsonObject(i).getInteger("index"), what + ": " + answer);
      assertEquals(node.address(), partitions.getJsonObject(i).getString("node"), what + ": " + answer);
    }
    assertTrue(view.containsKey("result"), "a result for " + what + ": " + answer);
    return view;
  }

  JsonObject assertCompletedWith(RawHttp.Answer answer, String result, String what) {
    JsonObject view = assertCompleted(answer, what);
    assertEquals(Json.decodeValue(result), view.getValue("result"), what + ": " + answer);
    return view;
  }
}
