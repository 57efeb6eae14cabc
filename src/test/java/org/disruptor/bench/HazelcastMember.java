package org.disruptor.bench;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import java.io.Serializable;
import java.util.concurrent.Callable;

/**
 * A plain Hazelcast member for the executor baseline: {@code IExecutorService.submitToAllMembers} with a
 * trivial callable on as many members as the grid has nodes. Started as its own JVM by {@link Bench}.
 */
public final class HazelcastMember {

  /** The trivial task every member runs. */
  public static final class Echo implements Callable<Integer>, Serializable {
    private final int value;

    public Echo(int value) {
      this.value = value;
    }

    @Override
    public Integer call() {
      return value;
    }
  }

  public static void main(String[] args) throws Exception {
    HazelcastInstance member = Hazelcast.newHazelcastInstance(config(args[0], Integer.parseInt(args[1]), args[2]));
    Runtime.getRuntime().addShutdownHook(new Thread(member::shutdown));
    Thread.currentThread().join();
  }

  /** Member {@code port} of cluster {@code name} on loopback, joining the ports listed in {@code members}. */
  static Config config(String name, int port, String members) {
    Config config = new Config();
    config.setClusterName(name);
    config.setProperty("hazelcast.logging.type", "none");
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.wait.seconds.before.join", "1");
    config.getNetworkConfig().setPort(port).setPortAutoIncrement(false);
    config.getNetworkConfig().getInterfaces().setEnabled(true).addInterface("127.0.0.1");
    var join = config.getNetworkConfig().getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true);
    for (String member : members.split(",")) {
      join.getTcpIpConfig().addMember("127.0.0.1:" + member);
    }
    return config;
  }
}
