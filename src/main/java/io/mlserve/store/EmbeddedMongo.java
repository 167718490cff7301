package io.mlserve.store;

import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * The in-process MongoDB used when no {@code MONGO_URI} is configured: mongo-java-server bound to a loopback port,
 * reached by the real vertx-mongo-client over TCP exactly like a remote server. The H2 backend keeps data in one
 * MVStore file under the data directory; the memory backend is for tests.
 */
public final class EmbeddedMongo implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedMongo.class);
  public static final String H2_FILE = "mongo.mv";
  /** The backends {@link #start} knows; anything else is treated as h2 there, so callers check first. */
  public static final Set<String> BACKENDS = Set.of("h2", "memory");

  private final MongoServer server;
  private final MongoBackend backend;
  private final InetSocketAddress address;

  private EmbeddedMongo(MongoServer server, MongoBackend backend, InetSocketAddress address) {
    this.server = server;
    this.backend = backend;
    this.address = address;
  }

  public static EmbeddedMongo start(String backendName, Path dataDir, int port) {
    MongoBackend backend;
    if ("memory".equals(backendName)) {
      backend = new MemoryBackend();
    } else {
      try {
        Files.createDirectories(dataDir);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot create data directory " + dataDir, e);
      }
      Path file = dataDir.resolve(H2_FILE).toAbsolutePath();
      try {
        backend = new H2Backend(file.toString());
      } catch (RuntimeException e) {
        throw new IllegalStateException("cannot open the embedded MongoDB file " + file
            + " (is another mlserve using the same data directory?): " + e.getMessage(), e);
      }
    }
    MongoServer server = new MongoServer(backend);
    server.bind("127.0.0.1", port);
    InetSocketAddress address = server.getLocalAddress();
    LOG.info("embedded MongoDB ({} backend) listening on {}:{}", backendName, address.getHostString(),
        address.getPort());
    return new EmbeddedMongo(server, backend, address);
  }

  public String connectionString() {
    return "mongodb://" + address.getHostString() + ":" + address.getPort();
  }

  public int port() {
    return address.getPort();
  }

  /** Flushes pending writes to disk (H2 backend only); the MVStore otherwise commits about once a second. */
  public void commit() {
    if (backend instanceof H2Backend h2) {
      h2.commit();
    }
  }

  @Override
  public void close() {
    server.shutdown();
    LOG.info("embedded MongoDB stopped");
  }
}
