package org.disruptor.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.disruptor.e2e.Eventually;
import org.disruptor.e2e.NodeProcess;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Metrics")
class MetricsIT {

  @Test
  @DisplayName("/metrics, scraped after a few jobs, shows the counts those jobs produced")
  void countsJobs() throws Exception {
    try (NodeProcess node = NodeProcess.start(NodeProcess.freeAddress(), "--cluster", "metrics-" + UUID.randomUUID())) {
      node.awaitUp(Duration.ofSeconds(60));
      for (int i = 0; i < 3; i++) {
        assertEquals(200, node.post("/api/jobs", "{\"code\":\"(xs) => xs\",\"data\":[1,2,3,4],\"partitions\":2}").statusCode());
      }
      assertEquals(422, node.post("/api/jobs", "{\"code\":\"(x) => { throw new Error('no') }\",\"data\":[1]}").statusCode());
      assertEquals(504, node.post("/api/jobs", "{\"code\":\"(x) => { while (true) {} }\",\"data\":[1],\"timeoutMs\":300}").statusCode());
      assertEquals(400, node.post("/api/jobs", "{\"data\":[1]}").statusCode());

      String text = scrapeWhen(node, "disruptor_sandbox_stops_total{reason=\"timed_out\"}");
      assertEquals(3.0, value(text, "disruptor_jobs_total{status=\"completed\"}"));
      assertEquals(1.0, value(text, "disruptor_jobs_total{status=\"failed\"}"));
      assertEquals(1.0, value(text, "disruptor_jobs_total{status=\"timed_out\"}"));
      assertEquals(6.0, value(text, "disruptor_parts_total{outcome=\"completed\"}"));
      assertEquals(5.0, value(text, "disruptor_job_duration_seconds_count"));
      assertEquals(1.0, value(text, "disruptor_peers"));
      assertEquals(1.0, value(text, "disruptor_js_jit"));
      assertEquals(0.0, value(text, "disruptor_parts_running"));
      assertTrue(text.contains("disruptor_part_duration_seconds_bucket"), "part duration histogram");
      assertTrue(text.contains("vertx_http_server_requests_total"), "Vert.x's own HTTP metrics");
    }
  }

  /**
   * Scrapes until {@code series} appears and no part runs (a stopped part is counted when its worker thread
   * returns, just before it stops counting as running); the last scrape when that does not happen, for the
   * assertions to report.
   */
  private static String scrapeWhen(NodeProcess node, String series) throws Exception {
    String[] last = {""};
    try {
      Eventually.until("/metrics shows " + series + " and no running part", () -> {
        var response = node.get("/metrics");
        assertEquals(200, response.statusCode());
        last[0] = response.body();
        return last[0];
      }, text -> text.contains(series) && text.contains("\ndisruptor_parts_running 0.0"));
    } catch (AssertionError e) {
      // the assertions on the last scrape say what is missing
    }
    return last[0];
  }

  private static double value(String text, String series) {
    Matcher m = Pattern.compile("^" + Pattern.quote(series) + " (\\S+)$", Pattern.MULTILINE).matcher(text);
    if (!m.find()) {
      throw new AssertionError("no series " + series + " in:\n" + text.lines().filter(l -> l.startsWith("disruptor_"))
          .filter(l -> !l.contains("bucket")).reduce("", (a, b) -> a + b + "\n"));
    }
    return Double.parseDouble(m.group(1));
  }
}
