package io.mlserve.app;

import com.hazelcast.config.ClasspathXmlConfig;
import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import io.mlserve.config.ClusterConfig;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

/**
 * The Hazelcast cluster manager for {@code --cluster}: Vert.x's own data-structure settings (default-cluster.xml)
 * with TCP-IP member discovery instead of multicast, which container networks and CI sandboxes rarely allow.
 */
public final class Clustering {
  private Clustering() {
  }

  public static ClusterManager manager(ClusterConfig cfg) {
    System.setProperty("hazelcast.logging.type", "slf4j"); // before Hazelcast logs anything through JUL
    Config hz = new ClasspathXmlConfig("default-cluster.xml");
    hz.setClusterName(cfg.name());
    hz.setProperty("hazelcast.logging.type", "slf4j");
    hz.setProperty("hazelcast.phone.home.enabled", "false");
    // TCP-IP discovery on a known member list needs no long settling wait (default 5 s)
    hz.setProperty("hazelcast.wait.seconds.before.join", "1");
    // leave quickly on SIGTERM: the app drains HTTP first, then the member leaves gracefully
    hz.setProperty("hazelcast.shutdownhook.enabled", "false");
    hz.setProperty("hazelcast.graceful.shutdown.max.wait", "10");
    // a member that died without leaving (kill -9) is dropped after 10 s instead of Hazelcast's 60, so requests
    // for its roles fail fast with "no handler" (503) rather than waiting for timeouts
    hz.setProperty("hazelcast.heartbeat.interval.seconds", "1");
    hz.setProperty("hazelcast.max.no.heartbeat.seconds", "10");
    // members listed without a port are probed over the whole port range, not only its first 3 ports
    hz.setProperty("hazelcast.tcp.join.port.try.count", String.valueOf(cfg.portCount()));
    NetworkConfig net = hz.getNetworkConfig();
    net.setPort(cfg.port()).setPortAutoIncrement(true).setPortCount(cfg.portCount());
    if (!cfg.publicHost().isBlank()) {
      net.setPublicAddress(cfg.publicHost());
    }
    net.getInterfaces().setEnabled(!cfg.host().equals("0.0.0.0")).addInterface(cfg.host());
    JoinConfig join = net.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setMembers(cfg.members());
    return new HazelcastClusterManager(hz);
  }
}
