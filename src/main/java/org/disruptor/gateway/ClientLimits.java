package org.disruptor.gateway;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.impl.ConnectionBase;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.logging.Logger;
import org.disruptor.job.JobError;

/**
 * What one HTTP client may hold open, so slow or idle clients cannot pile up: a request's line and headers
 * must arrive within {@code headerTimeoutMs} (then 408 and close), an idle keep-alive connection is closed
 * after {@code keepAliveTimeoutMs}, a job WebSocket that has no job running and sent no frame (pings
 * included) for {@code webSocketIdleTimeoutMs} is closed, and one remote IP may hold at most
 * {@code maxWebSocketsPerClient} job WebSockets (over it the upgrade is refused with 429). Everything runs
 * on the server's event loop; a sweep every quarter of the shortest HTTP limit finds the expired connections.
 */
final class ClientLimits {

  private static final Logger LOG = Logger.getLogger("org.disruptor.gateway");
  private static final String BYTES_WATCH = "disruptor-head-watch";
  private final Vertx vertx;
  private final long headerTimeoutMs;
  private final long keepAliveTimeoutMs;
  private final long socketIdleMs;
  private final ConnectionPhases<HttpConnection> phases;
  private final ClientQuota sockets;
  /** The client each job WebSocket's connection counts against, until the connection closes. */
  private final Map<HttpConnection, String> socketClients = new HashMap<>();

  ClientLimits(Vertx vertx, JsonObject config) {
    this.vertx = vertx;
    this.headerTimeoutMs = config.getLong("headerTimeoutMs");
    this.keepAliveTimeoutMs = config.getLong("keepAliveTimeoutMs");
    this.socketIdleMs = config.getLong("webSocketIdleTimeoutMs");
    this.phases = new ConnectionPhases<>(headerTimeoutMs, keepAliveTimeoutMs);
    this.sockets = new ClientQuota(config.getInteger("maxWebSocketsPerClient"));
  }

  /** Watches every connection of {@code server} and hands each complete request head to {@code requests}. */
  HttpServer install(HttpServer server, Handler<HttpServerRequest> requests) {
    long tick = Math.max(20, Math.min(1_000, Math.min(headerTimeoutMs, keepAliveTimeoutMs) / 4));
    vertx.setPeriodic(tick, t -> expire());
    return server.connectionHandler(this::opened).requestHandler(request -> {
      headComplete(request);
      requests.handle(request);
    });
  }

  private synchronized void opened(HttpConnection connection) {
    phases.opened(connection, now());
    if (!(connection instanceof ConnectionBase base)) {
      connection.closeHandler(v -> closed(connection));
      return;
    }
    // the channel's own close: a connection upgraded to a WebSocket no longer reports to its close handler
    base.channel().closeFuture().addListener(f -> closed(connection));
    // Vert.x calls no handler before a request's head is complete, so the bytes of a head that trickles in
    // are seen in the connection's channel itself
    base.channel().pipeline().addFirst(BYTES_WATCH, new ChannelInboundHandlerAdapter() {
      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        bytesArrived(connection);
        ctx.fireChannelRead(msg);
      }
    });
  }

  private synchronized void bytesArrived(HttpConnection connection) {
    phases.bytesArrived(connection, now());
  }

  private synchronized void headComplete(HttpServerRequest request) {
    HttpServerResponse response = request.response();
    boolean upgrade = "websocket".equalsIgnoreCase(request.getHeader("upgrade"));
    phases.headComplete(request.connection(), response::ended, () -> upgrade && response.getStatusCode() == 101);
  }

  private synchronized void closed(HttpConnection connection) {
    phases.forget(connection);
    releaseSocket(connection);
  }

  private synchronized void releaseSocket(HttpConnection connection) {
    String client = socketClients.remove(connection);
    if (client != null) {
      sockets.release(client);
    }
  }

  private void expire() {
    List<ConnectionPhases.Expired<HttpConnection>> expired;
    synchronized (this) {
      expired = phases.expire(now());
    }
    for (ConnectionPhases.Expired<HttpConnection> e : expired) {
      if (e.why() == ConnectionPhases.Expiry.HEAD_TIMEOUT) {
        LOG.fine(() -> "closing " + e.connection().remoteAddress() + ": no complete request head within "
            + headerTimeoutMs + " ms");
        answerTimeout(e.connection());
      } else {
        LOG.fine(() -> "closing " + e.connection().remoteAddress() + ": idle for " + keepAliveTimeoutMs + " ms");
        e.connection().close();
      }
    }
  }

  /**
   * Answers 408 with a JSON error and closes. There is no request object yet (its head never completed), so
   * the answer is written to the connection's channel directly; without one the connection is just closed.
   */
  private void answerTimeout(HttpConnection connection) {
    if (!(connection instanceof ConnectionBase base)) {
      connection.close();
      return;
    }
    byte[] body = new JobError("request_timeout", "the request line and headers did not arrive within "
        + headerTimeoutMs + " ms").toJson().encode().getBytes(StandardCharsets.UTF_8);
    FullHttpResponse response = new DefaultFullHttpResponse(io.netty.handler.codec.http.HttpVersion.HTTP_1_1,
        HttpResponseStatus.REQUEST_TIMEOUT, Unpooled.wrappedBuffer(body));
    response.headers().set("content-type", "application/json").set("content-length", body.length)
        .set("connection", "close");
    base.channelHandlerContext().writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
  }

  /**
   * Upgrades a job WebSocket request, unless it is no upgrade request (a failed future with the 400 error) or its
   * client already holds {@code maxWebSocketsPerClient} job WebSockets (429); the socket counts against its client
   * until its connection closes.
   */
  synchronized Future<ServerWebSocket> upgrade(HttpServerRequest request) {
    if (!"websocket".equalsIgnoreCase(request.getHeader("upgrade"))) {
      // checked here: Vert.x would answer a plain request itself, with an empty 400
      return Future.failedFuture(JobError.badRequest("a WebSocket upgrade is expected on " + request.path()));
    }
    HttpConnection connection = request.connection();
    if (!(connection instanceof ConnectionBase)) {
      return request.toWebSocket(); // no channel to see the socket close: better no cap than a count that leaks
    }
    String client = request.remoteAddress() == null ? "" : request.remoteAddress().host();
    if (!sockets.acquire(client)) {
      return Future.failedFuture(new JobError("too_many_websockets", "this client already holds "
          + sockets.max() + " job WebSockets (maxWebSocketsPerClient): close one first"));
    }
    socketClients.put(connection, client);
    return request.toWebSocket().onFailure(e -> releaseSocket(connection));
  }

  /**
   * Closes {@code socket} once it has sent no frame for {@code webSocketIdleTimeoutMs} while {@code busy}
   * (a job running or watched on it) said false; any frame, a ping or pong too, counts as activity.
   */
  void closeWhenIdle(ServerWebSocket socket, BooleanSupplier busy) {
    long[] last = {now()};
    socket.frameHandler(frame -> last[0] = now());
    vertx.setTimer(socketIdleMs, new Handler<Long>() {
      @Override
      public void handle(Long timer) {
        if (socket.isClosed()) {
          return;
        }
        long now = now();
        if (busy.getAsBoolean()) {
          last[0] = now;
        }
        long quiet = now - last[0];
        if (quiet >= socketIdleMs) {
          LOG.fine(() -> "closing idle job WebSocket of " + socket.remoteAddress());
          socket.close((short) 1000, "idle for " + socketIdleMs + " ms");
        } else {
          vertx.setTimer(socketIdleMs - quiet, this);
        }
      }
    });
  }

  private static long now() {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime());
  }
}
