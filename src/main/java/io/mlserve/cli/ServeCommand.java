package io.mlserve.cli;

import io.mlserve.app.MlserveApp;
import io.mlserve.app.Role;
import io.mlserve.config.ConfigException;
import io.mlserve.config.ConfigLoader;
import io.mlserve.config.MlserveConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * Runs the service until SIGTERM/SIGINT. Exit status: 0 after a clean stop, 2 for bad configuration or roles,
 * 1 when a part cannot start.
 */
@Command(name = "serve", description = "Run the service (the default when no command is given).",
    mixinStandardHelpOptions = true)
public final class ServeCommand implements Callable<Integer> {
  @Mixin
  ServeOptions options = new ServeOptions();

  @Override
  public Integer call() {
    return run(options);
  }

  public static int run(ServeOptions options) {
    Set<Role> roles;
    MlserveConfig config;
    try {
      roles = Role.parse(options.roles);
      config = ConfigLoader.load(options.conf, System.getenv());
    } catch (IllegalArgumentException | ConfigException e) {
      System.err.println("mlserve: " + e.getMessage());
      return 2;
    }
    Logging.setLevel(config.log().level());
    Logger log = LoggerFactory.getLogger(ServeCommand.class);
    MlserveApp app;
    try {
      app = MlserveApp.start(config, roles, options.cluster);
    } catch (Exception e) {
      Throwable cause = e instanceof java.util.concurrent.ExecutionException && e.getCause() != null ? e.getCause() : e;
      log.error("mlserve could not start: {}", cause.toString(), cause);
      System.err.println("mlserve: could not start: " + cause.getMessage());
      Logging.flush();
      return 1;
    }
    long graceMs = config.http().shutdownGraceMs();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      int status = 0;
      try {
        app.stop().toCompletionStage().toCompletableFuture().get(graceMs + 10_000, TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        log.error("shutdown did not complete cleanly: {}", e.toString());
        status = 1;
      }
      Logging.flush();
      // the JVM would report 143 for SIGTERM; a clean drain is a normal exit
      Runtime.getRuntime().halt(status);
    }, "mlserve-shutdown"));
    return -1; // keep running: the event loops are non-daemon threads
  }
}
