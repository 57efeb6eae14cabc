package org.disruptor.gateway;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.bridge.PermittedOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.ext.web.handler.sockjs.SockJSBridgeOptions;
import io.vertx.ext.web.handler.sockjs.SockJSHandler;
import io.vertx.micrometer.PrometheusScrapingHandler;
import java.util.List;
import java.util.regex.Pattern;
import org.disruptor.Addresses;
import org.disruptor.cluster.HostPort;
import org.disruptor.cluster.Peer;
import org.disruptor.cluster.PeerRegistry;
import org.disruptor.job.JobError;
import org.disruptor.job.JobService;
import org.disruptor.job.NodeCounters;
import org.disruptor.sandbox.JsEngine;
import org.disruptor.stats.StatsBoard;
import org.disruptor.stats.StatsRecord;

/**
 * The node's HTTP face on its one address: the job API and WebSocket, the peer list, health, the
 * bootstrap endpoint that tells joining nodes this node's Hazelcast member address, the page, and the
 * SockJS event-bus bridge (outbound {@code disruptor.ui.*} only).
 */
public final class GatewayVerticle extends VerticleBase {

  private static final long STATS_TIMEOUT_MS = 500;
  private final PeerRegistry registry;
  private final JsEngine sandbox;
  private final NodeCounters counters;
  private final HostPort self;
  private final HostPort member;
  private final org.disruptor.job.WorkerVerticle worker;
  private final org.disruptor.job.JobStore store;
  private final StatsBoard board;
  private final org.disruptor.module.Modules modules;
  private JobService jobs;
  private TokenAuth auth;

  public GatewayVerticle(PeerRegistry registry, JsEngine sandbox, NodeCounters counters, HostPort self, HostPort member,
      org.disruptor.job.WorkerVerticle worker, org.disruptor.job.JobStore store, StatsBoard board,
      org.disruptor.module.Modules modules) {
    this.modules = modules;
    this.worker = worker;
    this.store = store;
    this.board = board;
    this.registry = registry;
    this.sandbox = sandbox;
    this.counters = counters;
    this.self = self;
    this.member = member;
  }

  @Override
  public Future<?> start() {
    jobs = new JobService(vertx, registry, counters, config(), worker, store, board, modules);
    auth = new TokenAuth(config().getString("token"), config().getBoolean("publicPeers"));
    Router router = Router.router(vertx);
    router.route("/eventbus/*").subRouter(SockJSHandler.create(vertx).bridge(new SockJSBridgeOptions()
        .addOutboundPermitted(new PermittedOptions().setAddressRegex(Pattern.quote(Addresses.UI_PREFIX) + ".+")),
        auth::bridge));
    if (!auth.peersPublic()) {
      router.get("/api/peers").handler(auth::require);
    }
    router.get("/api/peers").handler(this::peers);
    router.get("/api/bootstrap").handler(this::bootstrap);
    router.get("/health").handler(this::health);
    router.get("/metrics").handler(PrometheusScrapingHandler.create(counters.registry()));
    ClientLimits limits = new ClientLimits(vertx, config());
    // browsers cannot set headers on a WebSocket: the socket then authenticates with its first message
    router.get("/api/jobs/ws").handler(ctx -> limits.upgrade(ctx.request())
        .onSuccess(ws -> limits.closeWhenIdle(ws,
            new JobSocket(ws, jobs, auth, auth.validHeader(ctx.request().getHeader("Authorization")))::busy))
        .onFailure(e -> HttpErrors.error(ctx, e instanceof JobError error ? error
            : JobError.badRequest("a WebSocket upgrade is expected on /api/jobs/ws"))));
    router.route("/api/jobs*").handler(auth::require);
    new JobsApi(jobs).mount(router, config().getLong("maxBodyBytes"), config().getLong("bodyTimeoutMs"));
    router.route("/api/modules*").handler(auth::require);
    new ModulesApi(vertx, modules, config().getLong("bodyTimeoutMs")).mount(router);
    router.route("/*").handler(StaticHandler.create("webroot").setCachingEnabled(false));
    router.route().failureHandler(HttpErrors::failure);
    // failures outside any handler (a path that cannot be decoded) skip the failure handler
    router.errorHandler(400, ctx -> HttpErrors.json(ctx, 400, new JsonObject().put("error", "bad_request")
        .put("message", "malformed request: " + (ctx.failure() == null ? "?" : ctx.failure().getMessage())).encode()));
    router.route().last().handler(ctx -> ctx.fail(404));
    int maxFrame = (int) Math.min(Integer.MAX_VALUE, config().getLong("maxBodyBytes"));
    HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost(self.ip()).setPort(self.port())
        .setMaxWebSocketFrameSize(maxFrame).setMaxWebSocketMessageSize(maxFrame)
        // curl and others send "Expect: 100-continue" with large bodies and wait a second for it otherwise
        .setHandle100ContinueAutomatically(true)
        // HTTP/1.1 only: with h2c on, Vert.x makes a connection known only once a whole request head has
        // arrived, so a client trickling its head would be out of reach of the header timeout
        .setHttp2ClearTextEnabled(false));
    return limits.install(server.invalidRequestHandler(HttpErrors::invalidRequest), router).listen();
  }

  /**
   * Every live peer with its load, from the stats each node publishes (no peer is asked per request); a peer
   * not heard from yet (it joined within the last second) is asked once, so its counters are not missing.
   */
  private void peers(RoutingContext ctx) {
    List<Peer> peers = registry.peers();
    List<Future<JsonObject>> entries = peers.stream().map(this::peerEntry).toList();
    Future.join(entries).onComplete(ar -> {
      JsonArray list = new JsonArray();
      entries.forEach(entry -> list.add(entry.result()));
      HttpErrors.json(ctx, 200, new JsonObject().put("self", registry.self().address()).put("peers", list).encode());
    });
  }

  private Future<JsonObject> peerEntry(Peer peer) {
    JsonObject stats = board.get(peer.id());
    if (stats != null) {
      return Future.succeededFuture(StatsBoard.merge(peer, stats));
    }
    return vertx.eventBus().<JsonObject>request(Addresses.stats(peer.id()), null,
            new DeliveryOptions().setSendTimeout(STATS_TIMEOUT_MS))
        .map(m -> StatsBoard.merge(peer, StatsRecord.counters(m.body())))
        .otherwise(e -> StatsBoard.merge(peer, null));
  }

  private void bootstrap(RoutingContext ctx) {
    HttpErrors.json(ctx, 200, new JsonObject().put("address", self.toString()).put("member", member.toString())
        .put("cluster", config().getString("cluster")).encode());
  }

  private void health(RoutingContext ctx) {
    boolean up = registry.running();
    JsonObject body = new JsonObject().put("status", up ? "UP" : "DOWN").put("node", self.toString())
        .put("cluster", new JsonObject().put("name", config().getString("cluster"))
            // members counts ready peers only: a node is counted once its HTTP port serves (it announces itself
            // after the gateway listens); Hazelcast's own count includes nodes still starting
            .put("members", up ? registry.peers().size() : 0).put("peers", registry.peers().size())
            .put("hazelcastMembers", up ? registry.memberCount() : 0))
        .put("engine", sandbox.name()).put("jsJit", sandbox.jit()).put("runningJobs", jobs.running()).put("tokenRequired", auth.enabled())
        .put("workers", worker.workers())
        .put("heap", new JsonObject().put("used", Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory())
            .put("max", Runtime.getRuntime().maxMemory()));
    if (up && ctx.request().getParam("safe") != null) {
      // ?safe: also whether the stored data has all its backups (asks every member: off the event loop)
      vertx.executeBlocking(registry::clusterSafe, false).onComplete(safe -> {
        body.getJsonObject("cluster").put("safe", safe.succeeded() && safe.result());
        HttpErrors.json(ctx, 200, body.encode());
      });
      return;
    }
    HttpErrors.json(ctx, up ? 200 : 503, body.encode());
  }
}
