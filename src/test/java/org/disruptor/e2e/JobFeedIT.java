package org.disruptor.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The page's job feed is cluster-wide: a browser on node A sees, live, the jobs node B coordinates. */
@DisplayName("The job feed")
class JobFeedIT {

  @Test
  @DisplayName("a job coordinated by B reaches A's event-bus bridge, up to its end")
  void clusterWide() throws Exception {
    try (Cluster cluster = Cluster.start(2)) {
      BlockingQueue<JsonObject> feed = new LinkedBlockingQueue<>();
      WebSocket bridge = NodeProcess.HTTP.newWebSocketBuilder().buildAsync(
          URI.create("ws://" + cluster.node(0).address() + "/eventbus/websocket"), new WebSocket.Listener() {
            private final StringBuilder text = new StringBuilder();

            @Override
            public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
              text.append(data);
              if (last) {
                feed.add(new JsonObject(text.toString()));
                text.setLength(0);
              }
              ws.request(1);
              return null;
            }

            @Override
            public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
              byte[] bytes = new byte[data.remaining()];
              data.get(bytes);
              return onText(ws, new String(bytes, StandardCharsets.UTF_8), last);
            }
          }).get(10, TimeUnit.SECONDS);
      bridge.sendText(new JsonObject().put("type", "register").put("address", "disruptor.ui.jobs").encode(), true)
          .get(10, TimeUnit.SECONDS);
      String id = null;
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      // registration is asynchronous: submit to B until one of B's jobs shows up on A's bridge
      while (id == null && System.nanoTime() < end) {
        String submitted = new JsonObject(cluster.node(1).post("/api/jobs",
            "{\"code\":\"(xs) => xs\",\"data\":[1,2],\"partitions\":1}").body()).getString("id");
        JsonObject message;
        while ((message = feed.poll(2, TimeUnit.SECONDS)) != null) {
          JsonObject summary = message.getJsonObject("body");
          if (summary != null && submitted.equals(summary.getString("id"))
              && "completed".equals(summary.getString("status"))) {
            id = submitted;
            assertEquals(cluster.node(1).address(), summary.getString("coordinator"));
            break;
          }
        }
      }
      bridge.abort();
      assertEquals(true, id != null, "no job of B reached A's page feed within 60 s");
    }
  }
}
