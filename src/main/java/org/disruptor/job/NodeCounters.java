package org.disruptor.job;

import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The node's metrics, in one Micrometer registry that /metrics exposes in Prometheus text (names start
 * with {@code disruptor_}) and that /api/peers summarizes: jobs by final status, job and part durations,
 * parts completed and failed, retries, sandbox stops by reason, and gauges registered by their owners.
 */
public final class NodeCounters implements CoordinatorMetrics, Worker.Metrics {

  private final PrometheusMeterRegistry registry;
  private final Counter partsCompleted;
  private final Counter partsFailed;
  private final Timer partDuration;

  public NodeCounters(PrometheusMeterRegistry registry) {
    this.registry = registry;
    this.partsCompleted = Counter.builder("disruptor.parts").tag("outcome", "completed")
        .description("parts run on this node").register(registry);
    this.partsFailed = Counter.builder("disruptor.parts").tag("outcome", "failed")
        .description("parts run on this node").register(registry);
    this.partDuration = Timer.builder("disruptor.part.duration").description("time a part ran in the sandbox")
        .publishPercentileHistogram().register(registry);
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  @Override
  public void partCompleted(double elapsedMs) {
    partsCompleted.increment();
    partDuration.record(Duration.ofNanos((long) (elapsedMs * 1e6)));
  }

  @Override
  public void partFailed() {
    partsFailed.increment();
  }

  @Override
  public void retry(String reason) {
    Counter.builder("disruptor.retries").tag("reason", reason).description("parts moved to another node")
        .register(registry).increment();
  }

  @Override
  public void stop(String reason) {
    Counter.builder("disruptor.sandbox.stops").tag("reason", reason)
        .description("parts stopped or refused, by reason").register(registry).increment();
  }

  @Override
  public void jobEnded(JobStatus status, long elapsedMs) {
    Counter.builder("disruptor.jobs").tag("status", status.wire()).description("jobs coordinated here, by final status")
        .register(registry).increment();
    Timer.builder("disruptor.job.duration").description("job duration, submit to end").publishPercentileHistogram()
        .register(registry).record(Duration.ofMillis(elapsedMs));
  }

  /** Registers a gauge read on each scrape, e.g. parts running or peers. */
  public void gauge(String name, String description, Supplier<Number> value) {
    io.micrometer.core.instrument.Gauge.builder(name, value).description(description).register(registry);
  }

  public JsonObject toJson() {
    return new JsonObject().put("completed", (long) partsCompleted.count()).put("failed", (long) partsFailed.count())
        .put("retries", (long) sum("disruptor.retries")).put("stops", byTag("disruptor.sandbox.stops", "reason"))
        .put("jobs", byTag("disruptor.jobs", "status"));
  }

  private double sum(String name) {
    return registry.find(name).counters().stream().mapToDouble(Counter::count).sum();
  }

  private JsonObject byTag(String name, String tag) {
    TreeMap<String, Long> counts = new TreeMap<>();
    registry.find(name).counters().forEach(c -> counts.merge(c.getId().getTag(tag), (long) c.count(), Long::sum));
    JsonObject json = new JsonObject();
    counts.forEach(json::put);
    return json;
  }
}
