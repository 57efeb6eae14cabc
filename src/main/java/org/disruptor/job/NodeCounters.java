package org.disruptor.job;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** The node's counters: parts done and failed, sandbox stops by reason, jobs by final status, retries. */
public final class NodeCounters {

  private final LongAdder partsCompleted = new LongAdder();
  private final LongAdder partsFailed = new LongAdder();
  private final LongAdder retries = new LongAdder();
  private final Map<String, LongAdder> stops = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> jobs = new ConcurrentHashMap<>();

  public void partCompleted() {
    partsCompleted.increment();
  }

  public void partFailed() {
    partsFailed.increment();
  }

  public void retry() {
    retries.increment();
  }

  public void stop(String reason) {
    stops.computeIfAbsent(reason, k -> new LongAdder()).increment();
  }

  public void jobEnded(JobStatus status) {
    jobs.computeIfAbsent(status.wire(), k -> new LongAdder()).increment();
  }

  public JsonObject toJson() {
    return new JsonObject().put("completed", partsCompleted.sum()).put("failed", partsFailed.sum())
        .put("retries", retries.sum()).put("stops", sums(stops)).put("jobs", sums(jobs));
  }

  private static JsonObject sums(Map<String, LongAdder> counts) {
    JsonObject json = new JsonObject();
    new TreeMap<>(counts).forEach((k, v) -> json.put(k, v.sum()));
    return json;
  }
}
