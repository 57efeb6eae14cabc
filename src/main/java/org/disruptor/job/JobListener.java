package org.disruptor.job;

/** Receives a job's events as the JSON text the WebSocket sends: accepted, partition, retry, final. */
@FunctionalInterface
public interface JobListener {
  void onEvent(Job job, String type, String json);

  JobListener NONE = (job, type, json) -> { };
}
