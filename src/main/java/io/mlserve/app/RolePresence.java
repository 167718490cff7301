package io.mlserve.app;

import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;

import java.lang.management.ManagementFactory;

/**
 * Each role answers a ping on {@code roles.<role>.ping}, so any process (an api replica in a cluster, the health
 * check) can tell which roles are reachable over the event bus.
 */
public final class RolePresence {
  private RolePresence() {
  }

  public static String address(Role role) {
    return "roles." + role.id() + ".ping";
  }

  public static MessageConsumer<JsonObject> announce(Vertx vertx, Role role) {
    String node = ManagementFactory.getRuntimeMXBean().getName();
    return vertx.eventBus().consumer(address(role), msg -> msg.reply(new JsonObject()
        .put("role", role.id())
        .put("node", node)));
  }
}
