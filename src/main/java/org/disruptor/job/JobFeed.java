package org.disruptor.job;

import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;
import org.disruptor.Addresses;
import org.disruptor.cluster.PeerRegistry;

/**
 * The page's live job list, cluster-wide. This node's job events reach its own page at once (local
 * publications); for the other nodes' pages, the latest summary of each job that changed is gathered and
 * published to every node in one message every {@value #PERIOD_MS} ms, so the cost stays a few messages a
 * second per node however many jobs run. Each node hands the others' summaries to its own page.
 * Confined to the coordinator's event loop.
 */
final class JobFeed {

  static final long PERIOD_MS = 250;
  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);

  private final Vertx vertx;
  private final String self;
  private final Map<String, JsonObject> changed = new LinkedHashMap<>();

  JobFeed(Vertx vertx, PeerRegistry registry) {
    this.vertx = vertx;
    this.self = registry.self().id();
    registry.<JsonObject>consumer(Addresses.JOB_FEED, m -> {
      if (!self.equals(m.body().getString("from"))) {
        m.body().getJsonArray("jobs").forEach(j -> vertx.eventBus().publish(Addresses.UI_JOBS, j, LOCAL));
      }
    });
    vertx.setPeriodic(PERIOD_MS, t -> flush());
  }

  /** A job event of this node, as a short summary. */
  void accept(JsonObject summary) {
    vertx.eventBus().publish(Addresses.UI_JOBS, summary, LOCAL);
    changed.put(summary.getString("id"), summary);
  }

  private void flush() {
    if (changed.isEmpty()) {
      return;
    }
    JsonArray jobs = new JsonArray();
    changed.values().forEach(jobs::add);
    changed.clear();
    vertx.eventBus().publish(Addresses.JOB_FEED, new JsonObject().put("from", self).put("jobs", jobs));
  }
}
