package org.disruptor;

import com.hazelcast.config.Config;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.json.JsonObject;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import org.disruptor.cluster.HazelcastSetup;
import org.disruptor.cluster.HostPort;
import org.disruptor.cluster.PeerRegistry;
import org.disruptor.config.ConfigException;
import org.disruptor.gateway.GatewayVerticle;
import org.disruptor.job.NodeCounters;
import org.disruptor.job.WorkerVerticle;
import org.disruptor.sandbox.JsEngine;
import org.disruptor.stats.StatsBoard;
import org.disruptor.stats.StatsVerticle;

/**
 * One disruptor node: a clustered Vert.x instance on Hazelcast, the sandbox, the worker and gateway
 * verticles. The node announces itself to its peers only once its event-bus consumers are registered.
 */
public final class Node {

  private static final Logger LOG = Logger.getLogger("org.disruptor.node");
  private static final long RECONCILE_MS = 2_000;

  private final HostPort self;
  private final Vertx vertx;
  private final JsEngine sandbox;
  private final PeerRegistry registry;

  private Node(HostPort self, Vertx vertx, JsEngine sandbox, PeerRegistry registry) {
    this.self = self;
    this.vertx = vertx;
    this.sandbox = sandbox;
    this.registry = registry;
  }

  /** Characters of module sources a node keeps (the rest it fetches from the store again by hash). */
  private static final long MODULE_CACHE_CHARS = 64L << 20;

  /** Starts a node on {@code self}, joining the cluster of {@code peers} (none: a cluster of its own). */
  public static Node start(JsonObject conf, HostPort self, List<HostPort> peers) throws Exception {
    org.disruptor.config.Config.sized(conf, Runtime.getRuntime().maxMemory());
    HostPort member = memberAddress(self, conf);
    ensureFree(self, "HTTP");
    ensureFree(member, "cluster member (HTTP port + memberPortOffset)");
    List<HostPort> peerMembers = peers.stream().map(p -> discover(p, conf)).toList();
    Config hazelcast = HazelcastSetup.memberConfig(conf, self, member, peerMembers);
    HazelcastClusterManager clusterManager = new HazelcastClusterManager(hazelcast);
    String ip = self.ip();
    VertxOptions options = new VertxOptions().setEventBusOptions(eventBusOptions(conf, ip))
        .setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true).setJvmMetricsEnabled(true));
    PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Vertx vertx = await(Vertx.builder().with(options).withClusterManager(clusterManager)
        .withMetrics(new MicrometerMetricsFactory(metrics)).buildClustered());
    org.disruptor.job.PartMessages.register(vertx.eventBus());
    JsEngine sandbox = JsEngine.create(conf, org.disruptor.job.WorkerVerticle.threads(conf));
    PeerRegistry registry = new PeerRegistry(vertx, clusterManager, self.toString(),
        org.disruptor.cluster.Peer.parseLabels(conf.getString("labels")));
    Node node = new Node(self, vertx, sandbox, registry);
    try {
      NodeCounters counters = new NodeCounters(metrics);
      counters.gauge("disruptor.peers", "live peers this node sees, itself included", () -> registry.peers().size());
      counters.gauge("disruptor.js.jit", "1 when the JS engine compiles hot code (V8 always; GraalJS with the Graal JIT)", () -> sandbox.jit() ? 1 : 0);
      DeploymentOptions deployment = new DeploymentOptions().setConfig(conf);
      org.disruptor.job.JobStore store = new org.disruptor.job.HazelcastJobStore(vertx,
          clusterManager.getHazelcastInstance(), conf.getLong("durableBytes"), conf.getLong("idempotencyKeySeconds"));
      org.disruptor.module.Modules modules = new org.disruptor.module.Modules(
          new org.disruptor.module.HazelcastModuleStore(clusterManager.getHazelcastInstance()),
          org.disruptor.module.Modules.Limits.from(conf), sandbox::checkModule, System::currentTimeMillis, MODULE_CACHE_CHARS);
      WorkerVerticle worker = new WorkerVerticle(sandbox, registry, counters, store, modules);
      StatsBoard board = new StatsBoard();
      await(vertx.deployVerticle(worker, deployment)
          .compose(id -> vertx.deployVerticle(new StatsVerticle(registry, board), deployment))
          .compose(id -> vertx.deployVerticle(new GatewayVerticle(registry, sandbox, counters, self, member, worker,
              store, board, modules), deployment))
          .compose(id -> registry.start(RECONCILE_MS)));
    } catch (Exception e) {
      node.stop();
      throw e;
    }
    LOG.info("node " + self + " started: cluster '" + conf.getString("cluster") + "', member " + member + ", "
        + (conf.getString("tlsCa") != null ? "event bus TLS, " : "")
        + registry.peers().size() + " node(s), JS engine " + sandbox.name()
        + (sandbox.jit() ? "" : " with JIT OFF (interpreter only: 20-70x slower)"));
    node.reportNamedPeers(peers);
    return node;
  }

  /**
   * Says once when none of the peers named at start is in this node's cluster, and once when the first of
   * them shows up (Hazelcast's merge check finds a peer that came up later).
   */
  private void reportNamedPeers(List<HostPort> named) {
    List<String> wanted = named.stream().map(HostPort::toString).toList();
    if (wanted.isEmpty()) {
      return;
    }
    // listening before looking, so a merge right after the look is not missed; one lock orders the two lines
    boolean[] unreachable = {false};
    io.vertx.core.eventbus.MessageConsumer<Object> watch = vertx.eventBus().localConsumer(Addresses.UI_PEERS);
    watch.handler(m -> {
      synchronized (unreachable) {
        List<String> up = wanted.stream().filter(this::listed).toList();
        if (unreachable[0] && !up.isEmpty()) {
          watch.unregister();
          unreachable[0] = false;
          LOG.info("merged with named peer " + String.join(", ", up) + ": " + registry.peers().size() + " nodes");
        }
      }
    });
    synchronized (unreachable) {
      if (wanted.stream().anyMatch(this::listed)) {
        watch.unregister();
        return;
      }
      unreachable[0] = true;
      LOG.info("no named peer reachable yet at " + String.join(", ", wanted) + "; "
          + (registry.alone() ? "running alone" : "running with " + registry.peers().size() + " node(s)")
          + " and retrying: the node merges once one is up");
    }
  }

  private boolean listed(String address) {
    return registry.peers().stream().anyMatch(p -> p.address().equals(address));
  }

  public HostPort address() {
    return self;
  }

  public Vertx vertx() {
    return vertx;
  }

  public PeerRegistry registry() {
    return registry;
  }

  /** Leaves the cluster at once (peers see the leave immediately) and frees the ports. */
  public void stop() {
    LOG.info("node " + self + " stopping");
    try {
      await(registry.stop());
    } catch (Exception e) {
      LOG.warning("node " + self + " could not withdraw from the peer list: " + e);
    }
    try {
      // called from this (non Vert.x) thread: a close chained on an event-loop context would complete on a
      // loop that the close itself terminates
      await(vertx.close());
    } catch (Exception e) {
      LOG.warning("node " + self + " did not stop cleanly: " + e);
    }
    sandbox.close();
    LOG.info("node " + self + " stopped");
  }

  /**
   * The event bus between nodes; with {@code tlsKey}/{@code tlsCert}/{@code tlsCa} set it is mutual TLS: a
   * node whose certificate is not signed by the configured CA can neither send to nor receive from the others.
   */
  static EventBusOptions eventBusOptions(JsonObject conf, String ip) {
    EventBusOptions options = new EventBusOptions().setHost(ip).setPort(conf.getInteger("eventBusPort"))
        .setClusterPublicHost(ip);
    String key = conf.getString("tlsKey");
    String cert = conf.getString("tlsCert");
    String ca = conf.getString("tlsCa");
    if (key == null && cert == null && ca == null) {
      return options;
    }
    if (key == null || cert == null || ca == null) {
      throw new ConfigException("event-bus TLS needs all of --tls-key, --tls-cert and --tls-ca");
    }
    for (String file : List.of(key, cert, ca)) {
      if (!java.nio.file.Files.isReadable(java.nio.file.Path.of(file))) {
        throw new ConfigException("cannot read TLS file " + file);
      }
    }
    return options.setSsl(true).setClientAuth(ClientAuth.REQUIRED)
        .setKeyCertOptions(new PemKeyCertOptions().setKeyPath(key).setCertPath(cert))
        .setTrustOptions(new PemTrustOptions().addCertPath(ca));
  }

  static HostPort memberAddress(HostPort self, JsonObject conf) {
    int port = self.port() + conf.getInteger("memberPortOffset");
    if (port < 1 || port > 65535) {
      throw new ConfigException("the cluster member port " + port + " (HTTP port + memberPortOffset "
          + conf.getInteger("memberPortOffset") + ") is out of range: choose another --member-port-offset");
    }
    return self.withPort(port);
  }

  private static void ensureFree(HostPort address, String what) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(address.ip(), address.port()));
    } catch (IOException e) {
      throw new ConfigException("cannot listen on " + address + " for " + what + ": " + e.getMessage());
    }
  }

  /**
   * Asks a peer for its Hazelcast member address; a peer that is not up yet is assumed to follow the same
   * port convention, and stays in the member list so the join or a later merge finds it.
   */
  private static HostPort discover(HostPort peer, JsonObject conf) {
    HostPort derived = memberAddress(peer, conf);
    Duration timeout = Duration.ofMillis(conf.getInteger("bootstrapTimeoutMs"));
    try (HttpClient client = HttpClient.newBuilder().connectTimeout(timeout).build()) {
      HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("http://" + peer + "/api/bootstrap"))
          .timeout(timeout).GET().build(), HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        return derived;
      }
      JsonObject info = new JsonObject(response.body());
      if (!conf.getString("cluster").equals(info.getString("cluster"))) {
        LOG.warning("peer " + peer + " is in cluster '" + info.getString("cluster") + "', not '"
            + conf.getString("cluster") + "': the two will not join");
      }
      return HostPort.parse(info.getString("member"));
    } catch (IOException | RuntimeException e) {
      return derived;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return derived;
    }
  }

  /**
   * How long one start step (the clustered Vert.x and its Hazelcast join, a deployment) may take: minutes,
   * not seconds, so a node starting on a loaded machine (24 nodes on 2 cores) is slow rather than gone.
   */
  static final long START_STEP_SECONDS = 180;

  static <T> T await(Future<T> future) throws Exception {
    try {
      return future.toCompletionStage().toCompletableFuture().get(START_STEP_SECONDS, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("a start step did not finish within " + START_STEP_SECONDS
          + " s (is the machine overloaded?)", e);
    }
  }
}
