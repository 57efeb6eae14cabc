package org.disruptor.job;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.disruptor.cluster.Peer;
import org.disruptor.cluster.PeerView;
import org.disruptor.job.PartMessages.PartDone;
import org.disruptor.job.PartMessages.PartFailed;
import org.disruptor.job.PartMessages.PartOutcome;
import org.disruptor.job.PartMessages.PartRefused;
import org.disruptor.job.PartMessages.PartRequest;
import org.disruptor.job.PartMessages.StopParts;

/**
 * A cluster in memory for coordinator tests: a peer list the test edits, and a transport that records
 * every part request and stop; the test answers each request when and how it likes (done, failed,
 * refused, unreachable, never), so any interleaving of replies, leaves and timers can be played.
 */
final class InMemoryCluster implements PeerView, PartTransport {

  /** A part request that reached a node, waiting for the test to answer it. */
  final class Sent {
    final String node;
    final PartRequest request;
    final Promise<PartOutcome> promise = Promise.promise();

    Sent(String node, PartRequest request) {
      this.node = node;
      this.request = request;
    }

    int index() {
      return request.index();
    }

    int attempt() {
      return request.attempt();
    }

    String input() {
      return new String(request.input(), StandardCharsets.UTF_8);
    }

    /** Answers with a result (JSON text). */
    void done(String json) {
      promise.complete(new PartDone(request.index(), request.attempt(), addressOf(node),
          json.getBytes(StandardCharsets.UTF_8), 1.5, List.of(), 10, 20));
    }

    void failed(String code, String message) {
      promise.complete(new PartFailed(request.index(), request.attempt(), addressOf(node), code, message, 1, 8,
          List.of()));
    }

    void refused(String reason) {
      promise.complete(new PartRefused(request.index(), request.attempt(), addressOf(node), reason));
    }

    void unreachable(String reason) {
      promise.fail(new Unreachable(reason, "no answer"));
    }

    boolean answered() {
      return promise.future().isComplete();
    }
  }

  final List<Peer> peers = new ArrayList<>();
  final List<Sent> sent = new ArrayList<>();
  final List<StopParts> stops = new ArrayList<>();
  final List<String> stopTargets = new ArrayList<>();
  final List<String> pings = new ArrayList<>();
  final Set<String> silent = new HashSet<>();
  private final Peer self;

  InMemoryCluster(String... nodes) {
    for (int i = 0; i < nodes.length; i++) {
      peers.add(new Peer(nodes[i], nodes[i] + ":80", i));
    }
    self = peers.getFirst();
  }

  @Override
  public Peer self() {
    return self;
  }

  @Override
  public List<Peer> peers() {
    return List.copyOf(peers);
  }

  @Override
  public String addressOf(String nodeId) {
    return nodeId + ":80";
  }

  /** Gives a node labels (as its labels config key would). */
  void label(String node, String... labels) {
    peers.replaceAll(p -> p.id().equals(node) ? new Peer(p.id(), p.address(), p.since(), List.of(labels)) : p);
  }

  void leave(String node) {
    peers.removeIf(p -> p.id().equals(node));
  }

  @Override
  public Future<PartOutcome> run(String nodeId, PartRequest request, long timeoutMs) {
    Sent s = new Sent(nodeId, request);
    sent.add(s);
    return s.promise.future();
  }

  @Override
  public void stop(String nodeId, StopParts stop) {
    stopTargets.add(nodeId);
    stops.add(stop);
  }

  @Override
  public Future<Void> ping(String nodeId, long timeoutMs) {
    pings.add(nodeId);
    return silent.contains(nodeId) ? Promise.<Void>promise().future() : Future.succeededFuture();
  }

  /** Requests not answered yet. */
  List<Sent> open() {
    return sent.stream().filter(s -> !s.answered()).toList();
  }

  /** The one unanswered request for part {@code index}. */
  Sent openFor(int index) {
    List<Sent> matching = open().stream().filter(s -> s.index() == index).toList();
    if (matching.size() != 1) {
      throw new AssertionError("expected one open request for part " + index + ", found " + matching.size()
          + " among " + describe());
    }
    return matching.getFirst();
  }

  /** The latest request sent for part {@code index}, answered or not. */
  Sent latest(int index) {
    return sent.stream().filter(s -> s.index() == index).reduce((a, b) -> b).orElseThrow();
  }

  List<Sent> sentTo(String node) {
    return sent.stream().filter(s -> s.node.equals(node)).toList();
  }

  String describe() {
    StringBuilder out = new StringBuilder();
    for (Sent s : sent) {
      out.append("\n  part ").append(s.index()).append(" attempt ").append(s.attempt()).append(" -> ").append(s.node)
          .append(s.answered() ? " (answered)" : " (open)");
    }
    return out.toString();
  }
}
