package org.disruptor.job;

import io.vertx.core.Future;
import org.disruptor.job.PartMessages.PartOutcome;
import org.disruptor.job.PartMessages.PartRequest;
import org.disruptor.job.PartMessages.StopParts;

/**
 * How a coordinator reaches the nodes that run its parts. The future of {@link #run} carries the part's
 * outcome whatever it was (done, failed, refused); it fails, with {@link Unreachable}, only when the node
 * could not be reached or did not answer in time. In a node this is the event bus (and a direct call for
 * the node's own share); unit tests use an in-memory cluster.
 */
public interface PartTransport {

  Future<PartOutcome> run(String nodeId, PartRequest request, long timeoutMs);

  /** Fire and forget: a node that is gone has nothing left to stop. */
  void stop(String nodeId, StopParts stop);

  /** Succeeds when the node answers within {@code timeoutMs}. */
  Future<Void> ping(String nodeId, long timeoutMs);

  /** The node did not answer: {@code reason} is how the retry is reported (node_unavailable, node_timeout, ...). */
  final class Unreachable extends RuntimeException {
    private final String reason;

    public Unreachable(String reason, String message) {
      super(message, null, false, false);
      this.reason = reason;
    }

    public String reason() {
      return reason;
    }
  }
}
