package io.mlserve.cli;

import io.mlserve.store.EmbeddedMongo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the embedded mongo-java-server as a process of its own until SIGTERM, so several mlserve processes (role
 * processes, replicas, benchmarks) can share one MongoDB where no real {@code mongod} is available. Point them at
 * it with {@code MONGO_URI=mongodb://127.0.0.1:PORT}.
 */
@Command(name = "mongo", mixinStandardHelpOptions = true,
    description = "Run the embedded MongoDB (mongo-java-server) on its own until stopped.")
public final class MongoCommand implements Callable<Integer> {
  @Option(names = "--port", defaultValue = "27017", description = "Loopback port (default ${DEFAULT-VALUE}; 0 = any free one).")
  int port;

  @Option(names = "--backend", defaultValue = "h2", description = "h2 (a file in --data-dir, kept across restarts) or memory.")
  String backend;

  @Option(names = "--data-dir", defaultValue = "data", description = "Directory of the h2 file (default ${DEFAULT-VALUE}).")
  Path dataDir;

  @Override
  public Integer call() throws InterruptedException {
    if (!EmbeddedMongo.BACKENDS.contains(backend)) {
      System.err.println("--backend: expected h2 or memory, got '" + backend + "'");
      return 2;
    }
    EmbeddedMongo mongo = EmbeddedMongo.start(backend, dataDir, port);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      int status = 0;
      try {
        mongo.commit();
        mongo.close();
      } catch (RuntimeException e) {
        System.err.println("mongo: did not stop cleanly: " + e);
        status = 1;
      }
      Logging.flush();
      // the JVM would report 143 for SIGTERM; a clean stop with everything on disk is a normal exit
      Runtime.getRuntime().halt(status);
    }, "mongo-stop"));
    // read by whoever started this process (benchmarks and tests wait for it)
    System.out.println("mongo: listening on " + mongo.connectionString());
    System.out.flush();
    new CountDownLatch(1).await(); // until the shutdown hook halts the JVM
    return 0;
  }
}
