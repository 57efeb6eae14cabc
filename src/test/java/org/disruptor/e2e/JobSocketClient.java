package org.disruptor.e2e;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A real WebSocket client of a node's {@code /api/jobs/ws}: sends jobs and records every event in the order
 * it arrived, so tests can check what arrived and in what order.
 */
final class JobSocketClient implements AutoCloseable {

  /** One event from the node. */
  record Event(JsonObject json) {
    String type() {
      return json.getString("type");
    }

    String id() {
      return json.getString("id");
    }

    boolean isFinal() {
      return List.of("completed", "failed", "timed_out", "cancelled").contains(type());
    }
  }

  private final List<Event> events = new ArrayList<>();
  private final CompletableFuture<Integer> closed = new CompletableFuture<>();
  private final WebSocket socket;

  private JobSocketClient(String address) throws Exception {
    socket = NodeProcess.HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
        .buildAsync(URI.create("ws://" + address + "/api/jobs/ws"), new Listener()).get(10, TimeUnit.SECONDS);
  }

  static JobSocketClient connect(String address) throws Exception {
    return new JobSocketClient(address);
  }

  void send(JsonObject message) throws Exception {
    send(message.encode());
  }

  /** Sends a message as the given text, byte for byte. */
  void send(String text) throws Exception {
    socket.sendText(text, true).get(10, TimeUnit.SECONDS);
  }

  /** The first event (in arrival order) that matches, waiting up to {@code timeout} for it. */
  synchronized Event await(Predicate<Event> match, Duration timeout, String what) throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    while (true) {
      for (Event event : events) {
        if (match.test(event)) {
          return event;
        }
      }
      long left = end - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("no " + what + " within " + timeout + "; events so far: " + events);
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
  }

  /** The final event of job {@code id}. */
  Event awaitFinal(String id, Duration timeout) throws InterruptedException {
    return await(e -> id.equals(e.id()) && e.isFinal(), timeout, "final event of job " + id);
  }

  /** The {@code accepted} event that echoes {@code ref} (how a client tells its jobs on one socket apart). */
  Event awaitAccepted(String ref, Duration timeout) throws InterruptedException {
    return await(e -> "accepted".equals(e.type()) && ref.equals(e.json().getValue("ref")), timeout,
        "accepted event of ref " + ref);
  }

  /**
   * The {@code n}-th {@code accepted} event (0-based), for a socket with one job at a time: jobs sent back to
   * back may be accepted in another order (each one's code is checked on its own), so such tests use refs.
   */
  Event awaitAccepted(int n, Duration timeout) throws InterruptedException {
    return await(e -> "accepted".equals(e.type()) && acceptedBefore(e) == n, timeout, "accepted event #" + n);
  }

  private synchronized int acceptedBefore(Event event) {
    int count = 0;
    for (Event e : events) {
      if (e == event) {
        return count;
      }
      if ("accepted".equals(e.type())) {
        count++;
      }
    }
    return -1;
  }

  /** All events of job {@code id} so far, in arrival order. */
  synchronized List<Event> eventsOf(String id) {
    return events.stream().filter(e -> id.equals(e.id())).toList();
  }

  private synchronized void add(Event event) {
    events.add(event);
    notifyAll();
  }

  /** Closes the socket as a browser tab would, and waits for the node to close its side. */
  @Override
  public void close() throws Exception {
    if (!socket.isOutputClosed()) {
      socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(10, TimeUnit.SECONDS);
    }
    try {
      closed.get(5, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      socket.abort();
    }
  }

  private final class Listener implements WebSocket.Listener {
    private final StringBuilder text = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      text.append(data);
      if (last) {
        add(new Event(new JsonObject(text.toString())));
        text.setLength(0);
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      closed.complete(statusCode);
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      closed.completeExceptionally(error);
    }
  }
}
