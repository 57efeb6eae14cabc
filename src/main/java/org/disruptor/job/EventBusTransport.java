package org.disruptor.job;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import org.disruptor.Addresses;
import org.disruptor.job.PartMessages.PartOutcome;
import org.disruptor.job.PartMessages.PartRequest;
import org.disruptor.job.PartMessages.StopParts;

/**
 * The part transport of a node: each node's own event-bus addresses (a send to a shared address would
 * reach only one consumer), and a direct call for this node's own parts.
 */
final class EventBusTransport implements PartTransport {

  private final Vertx vertx;
  private final String self;
  private final LocalParts local;

  EventBusTransport(Vertx vertx, String self, LocalParts local) {
    this.vertx = vertx;
    this.self = self;
    this.local = local;
  }

  @Override
  public Future<PartOutcome> run(String nodeId, PartRequest request, long timeoutMs) {
    if (nodeId.equals(self)) {
      return local.run(request);
    }
    return vertx.eventBus().<PartOutcome>request(Addresses.parts(nodeId), request,
        new DeliveryOptions().setSendTimeout(timeoutMs)).map(Message::body).recover(EventBusTransport::unreachable);
  }

  @Override
  public void stop(String nodeId, StopParts stop) {
    if (nodeId.equals(self)) {
      local.stop(stop);
    } else {
      vertx.eventBus().send(Addresses.cancel(nodeId), stop);
    }
  }

  @Override
  public Future<Void> ping(String nodeId, long timeoutMs) {
    return vertx.eventBus().request(Addresses.stats(nodeId), null, new DeliveryOptions().setSendTimeout(timeoutMs))
        .<Void>mapEmpty().recover(EventBusTransport::unreachable);
  }

  private static <T> Future<T> unreachable(Throwable cause) {
    String reason = cause instanceof ReplyException re ? switch (re.failureType()) {
      case NO_HANDLERS -> "node_unavailable";
      case TIMEOUT -> "node_timeout";
      default -> "node_error";
    } : "node_error";
    return Future.failedFuture(new PartTransport.Unreachable(reason, String.valueOf(cause.getMessage())));
  }
}
