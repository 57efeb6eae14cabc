package org.disruptor.job;

import java.util.function.Supplier;

/**
 * Receives a job's events: accepted, partition, retry, final. {@code json} gives the JSON text the WebSocket
 * sends, built only when a listener asks for it (a synchronous HTTP request needs only the final state).
 */
@FunctionalInterface
public interface JobListener {
  void onEvent(Job job, String type, Supplier<String> json);

  JobListener NONE = (job, type, json) -> { };
}
