package org.disruptor.gateway;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.bridge.BridgeEventType;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.sockjs.BridgeEvent;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.disruptor.Addresses;
import org.disruptor.job.JobError;

/**
 * The optional access token. When one is configured, the job API, the job WebSocket, the browser bridge
 * (and the peer list unless {@code publicPeers}) need it: {@code Authorization: Bearer TOKEN}, or for
 * browsers a first WebSocket message {@code {"type":"auth","token"}} and bridge frames with an
 * {@code authorization} header. Tokens are compared in constant time.
 */
final class TokenAuth {

  private final byte[] expected;
  private final boolean publicPeers;

  TokenAuth(String token, boolean publicPeers) {
    this.expected = token == null || token.isEmpty() ? null : digest(token);
    this.publicPeers = publicPeers;
  }

  boolean enabled() {
    return expected != null;
  }

  boolean peersPublic() {
    return !enabled() || publicPeers;
  }

  /** Whether {@code presented} is the token (true when no token is configured). */
  boolean valid(String presented) {
    return expected == null || (presented != null && MessageDigest.isEqual(expected, digest(presented)));
  }

  /** Whether an {@code Authorization} header value carries the token. */
  boolean validHeader(String header) {
    if (expected == null) {
      return true;
    }
    return header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) && valid(header.substring(7).trim());
  }

  /** Route handler: 401 with a JSON error unless the request carries the token. */
  void require(RoutingContext ctx) {
    if (validHeader(ctx.request().getHeader("Authorization"))) {
      ctx.next();
    } else {
      ctx.response().putHeader("WWW-Authenticate", "Bearer");
      HttpErrors.error(ctx, unauthorized());
    }
  }

  /**
   * Bridge guard: registering for live updates needs the token, except the peer list and the node stats
   * (what {@code GET /api/peers} tells) when peers are public.
   */
  void bridge(BridgeEvent event) {
    if (event.type() != BridgeEventType.REGISTER) {
      event.complete(true);
      return;
    }
    JsonObject raw = event.getRawMessage();
    String address = raw == null ? null : raw.getString("address");
    if ((Addresses.UI_PEERS.equals(address) || Addresses.UI_STATS.equals(address)) && peersPublic()) {
      event.complete(true);
      return;
    }
    JsonObject headers = raw == null ? null : raw.getJsonObject("headers");
    event.complete(validHeader(headers == null ? null : headers.getString("authorization")));
  }

  static JobError unauthorized() {
    return new JobError("unauthorized", "a valid access token is required (Authorization: Bearer TOKEN)");
  }

  private static byte[] digest(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
