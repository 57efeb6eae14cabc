package org.disruptor.stats;

import io.vertx.core.json.JsonObject;
import java.util.List;
import org.disruptor.cluster.Peer;

/**
 * One node's stats record as it is published: who (address, id), which engine, the worker's own counters
 * (taken from its stats answer, never counted twice), and the process's heap and CPU load at {@code at}.
 */
public final class StatsRecord {

  /** The worker's fields that travel as they are, when it reports them. */
  private static final List<String> WORKER_FIELDS = List.of("engine", "running", "queued", "workers", "busy", "stuck",
      "completed", "failed", "retries", "stops", "js");

  private StatsRecord() {
  }

  /** The worker's own fields of its stats answer (none when {@code worker} is null). */
  public static JsonObject counters(JsonObject worker) {
    JsonObject counters = new JsonObject();
    if (worker != null) {
      for (String field : WORKER_FIELDS) {
        Object value = worker.getValue(field);
        if (value != null) {
          counters.put(field, value);
        }
      }
    }
    return counters;
  }

  /**
   * The record of {@code self}; {@code worker} is the worker's stats answer (null when it did not answer in
   * time); {@code engine} and {@code workers} stand in when the worker does not report them itself.
   */
  static JsonObject of(Peer self, JsonObject worker, String engine, int workers, long heapUsed, long heapMax,
      double cpu, long at) {
    JsonObject record = new JsonObject().put("address", self.address()).put("id", self.id())
        .put("engine", engine).put("workers", workers);
    record.mergeIn(counters(worker));
    record.put("heapUsed", heapUsed).put("heapMax", heapMax);
    if (cpu >= 0) {
      record.put("cpu", cpu);
    }
    return record.put("at", at);
  }
}
