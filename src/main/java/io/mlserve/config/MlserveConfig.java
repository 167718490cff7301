package io.mlserve.config;

import java.nio.file.Path;
import java.util.Set;

/**
 * The one typed configuration tree. Sections are records built from {@link ConfigReader}; capabilities add their
 * own section (a record with a {@code from(ConfigReader)} factory) and its defaults in
 * {@code mlserve-defaults.json}.
 */
public record MlserveConfig(
    Path dataDir,
    HttpConfig http,
    MongoConfig mongo,
    RedisConfig redis,
    CacheConfig cache,
    BusConfig bus,
    LogConfig log,
    SecurityConfig security,
    ModelsConfig models,
    ClusterConfig cluster,
    TrainConfig train,
    InferenceConfig inference,
    FeedConfig feed,
    PipelineConfig pipeline,
    RecsConfig recs) {

  static MlserveConfig from(ConfigReader r) {
    return new MlserveConfig(
        Path.of(r.nonBlank("dataDir")),
        HttpConfig.from(r),
        MongoConfig.from(r),
        RedisConfig.from(r),
        CacheConfig.from(r),
        BusConfig.from(r),
        LogConfig.from(r),
        SecurityConfig.from(r),
        ModelsConfig.from(r),
        ClusterConfig.from(r),
        TrainConfig.from(r),
        InferenceConfig.from(r),
        FeedConfig.from(r),
        PipelineConfig.from(r),
        RecsConfig.from(r));
  }

  /**
   * HTTP server of every process. {@code instances = 0} means one verticle instance per core; {@code reusePort}
   * (Linux epoll) lets several processes on one host listen on the same port, the kernel spreading connections.
   */
  public record HttpConfig(String host, int port, int instances, long bodyLimitBytes, long shutdownGraceMs,
                           long requestTimeoutMs, boolean reusePort) {
    static HttpConfig from(ConfigReader r) {
      return new HttpConfig(
          r.nonBlank("http.host"),
          r.intIn("http.port", 0, 65535),
          r.intIn("http.instances", 0, 256),
          r.longIn("http.bodyLimitBytes", 1024, 1L << 31),
          r.longIn("http.shutdownGraceMs", 0, 600_000),
          r.longIn("http.requestTimeoutMs", 100, 3_600_000),
          r.bool("http.reusePort"));
    }
  }

  /**
   * MongoDB. An empty {@code uri} starts the embedded mongo-java-server on a loopback port ({@code embeddedPort}, 0 =
   * any free one; fix it so other processes on the host can share it via their {@code MONGO_URI}), with the H2 file
   * backend under {@code dataDir} (or the memory backend, for tests).
   */
  public record MongoConfig(String uri, String db, String embeddedBackend, int embeddedPort,
                            long serverSelectionTimeoutMs, int maxPoolSize) {
    public boolean embedded() {
      return uri.isEmpty();
    }

    static MongoConfig from(ConfigReader r) {
      return new MongoConfig(
          r.uri("mongo.uri", Set.of("mongodb", "mongodb+srv"), true),
          r.nonBlank("mongo.db"),
          r.oneOf("mongo.embeddedBackend", Set.of("h2", "memory")),
          r.intIn("mongo.embeddedPort", 0, 65535),
          r.longIn("mongo.serverSelectionTimeoutMs", 100, 120_000),
          r.intIn("mongo.maxPoolSize", 1, 1000));
    }
  }

  /** Redis. {@code required}: whether /health/ready turns 503 while Redis is unreachable. */
  public record RedisConfig(String url, String prefix, boolean required, long connectTimeoutMs,
                            long commandTimeoutMs, int maxPoolSize, int maxWaitingHandlers) {
    static RedisConfig from(ConfigReader r) {
      return new RedisConfig(
          r.uri("redis.url", Set.of("redis", "rediss", "unix"), false),
          r.string("redis.prefix"),
          r.bool("redis.required"),
          r.longIn("redis.connectTimeoutMs", 10, 60_000),
          r.longIn("redis.commandTimeoutMs", 10, 60_000),
          r.intIn("redis.maxPoolSize", 1, 1024),
          r.intIn("redis.maxWaitingHandlers", 1, 1_000_000));
    }
  }

  /** Serving caches: Redis TTL and the in-process near cache in front of it. */
  public record CacheConfig(long ttlSeconds, long nearMaxEntries, long nearTtlMs) {
    static CacheConfig from(ConfigReader r) {
      return new CacheConfig(
          r.longIn("cache.ttlSeconds", 1, 365L * 24 * 3600),
          r.longIn("cache.nearMaxEntries", 0, 100_000_000),
          r.longIn("cache.nearTtlMs", 0, 24L * 3600 * 1000));
    }
  }

  /** Event-bus request/reply timeout used by every HTTP route that crosses a role boundary. */
  public record BusConfig(long timeoutMs) {
    static BusConfig from(ConfigReader r) {
      return new BusConfig(r.longIn("bus.timeoutMs", 10, 600_000));
    }
  }

  public record LogConfig(String level) {
    static LogConfig from(ConfigReader r) {
      return new LogConfig(r.oneOf("log.level", Set.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF")));
    }
  }

  /** Bearer keys: admin routes need {@code adminKey} when set; read routes need {@code readKey} when set. */
  public record SecurityConfig(String adminKey, String readKey) {
    static SecurityConfig from(ConfigReader r) {
      return new SecurityConfig(r.string("security.adminKey"), r.string("security.readKey"));
    }
  }

  /** Where model files live ({@code models/{name}/{version}/model.onnx}). */
  public record ModelsConfig(Path dir) {
    static ModelsConfig from(ConfigReader r) {
      return new ModelsConfig(Path.of(r.nonBlank("models.dir")));
    }
  }
}
