package org.disruptor.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import java.util.List;

/**
 * Builds the Hazelcast member configuration of a node: TCP-IP join to the peers' member addresses,
 * bound to the node's own host only, multicast and auto-detection off, failure detection and split-brain
 * healing tuned from the node configuration.
 */
public final class HazelcastSetup {

  /** Member attribute holding a node's user-facing {@code host:port}. */
  public static final String ADDRESS_ATTRIBUTE = "disruptor.address";
  /** Member attribute vertx-hazelcast sets to the Vert.x node id. */
  public static final String NODE_ID_ATTRIBUTE = "__vertx.nodeId";

  private HazelcastSetup() {
  }

  public static Config memberConfig(JsonObject conf, HostPort self, HostPort member, List<HostPort> peerMembers) {
    Config hz = ConfigUtil.loadConfig();
    hz.setClusterName(conf.getString("cluster"));
    hz.setProperty("hazelcast.logging.type", "jdk");
    hz.setProperty("hazelcast.phone.home.enabled", "false");
    hz.setProperty("hazelcast.shutdownhook.enabled", "false");
    hz.setProperty("hazelcast.socket.bind.any", "false");
    hz.setProperty("hazelcast.wait.seconds.before.join", String.valueOf(conf.getInteger("joinWaitSeconds")));
    hz.setProperty("hazelcast.merge.first.run.delay.seconds",
        String.valueOf(conf.getInteger("mergeFirstRunDelaySeconds")));
    hz.setProperty("hazelcast.merge.next.run.delay.seconds",
        String.valueOf(conf.getInteger("mergeNextRunDelaySeconds")));
    hz.setProperty("hazelcast.heartbeat.interval.seconds",
        String.valueOf(conf.getInteger("heartbeatIntervalSeconds")));
    hz.setProperty("hazelcast.max.no.heartbeat.seconds", String.valueOf(conf.getInteger("maxNoHeartbeatSeconds")));
    hz.getMemberAttributeConfig().setAttribute(ADDRESS_ATTRIBUTE, self.toString());

    NetworkConfig network = hz.getNetworkConfig();
    network.setPort(member.port()).setPortAutoIncrement(false);
    network.getInterfaces().setEnabled(true).addInterface(member.ip());
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true);
    // The peers stay in the member list even while down: Hazelcast's split-brain check finds them later.
    for (HostPort peer : peerMembers) {
      // A host name that does not resolve yet (a peer machine not up) is kept as a name: Hazelcast resolves
      // it again on every join and split-brain search.
      join.getTcpIpConfig().addMember(peer.toString());
    }
    return hz;
  }
}
