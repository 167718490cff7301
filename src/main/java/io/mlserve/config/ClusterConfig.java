package io.mlserve.config;

import java.util.List;

/**
 * The clustered event bus ({@code --cluster}): Hazelcast with TCP-IP discovery (multicast off) among
 * {@code members}, a member port range, and the event-bus address other processes use to reach this one.
 */
public record ClusterConfig(String name, List<String> members, int port, int portCount, String host,
                            String publicHost, int eventBusPort) {
  static ClusterConfig from(ConfigReader r) {
    List<String> members = r.strings("cluster.members");
    if (members.isEmpty()) {
      throw new ConfigException("cluster.members", null, "[]", "list at least one member address, e.g. 127.0.0.1");
    }
    return new ClusterConfig(
        r.nonBlank("cluster.name"),
        members,
        r.intIn("cluster.port", 1, 65535),
        r.intIn("cluster.portCount", 1, 1000),
        r.nonBlank("cluster.host"),
        r.string("cluster.publicHost"),
        r.intIn("cluster.eventBusPort", 0, 65535));
  }
}
