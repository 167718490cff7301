package io.mlserve.app;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.mlserve.config.MlserveConfig;
import io.mlserve.jobs.Jobs;
import io.mlserve.store.RedisStore;
import io.vertx.core.Vertx;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.mongo.MongoClient;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * What one mlserve process shares between its verticles: configuration, storage clients, the metrics registry,
 * health checks and the roles it runs. Verticles receive it in their constructor; nothing here is global, so tests can
 * run several apps in one JVM.
 */
public final class Services {
  private final Vertx vertx;
  private final MlserveConfig config;
  private final MongoClient mongo;
  private final RedisStore redis;
  private final PrometheusMeterRegistry metrics;
  private final HealthChecks health;
  private final Set<Role> roles;
  private final BuildInfo build;
  private final Map<Class<?>, Object> shared = new ConcurrentHashMap<>();
  private final List<String> deployed = new CopyOnWriteArrayList<>();
  private volatile boolean draining;

  public Services(Vertx vertx, MlserveConfig config, MongoClient mongo, RedisStore redis,
                  PrometheusMeterRegistry metrics, HealthChecks health, Set<Role> roles, BuildInfo build) {
    this.vertx = vertx;
    this.config = config;
    this.mongo = mongo;
    this.redis = redis;
    this.metrics = metrics;
    this.health = health;
    this.roles = Set.copyOf(roles);
    this.build = build;
  }

  /** Whether the process is stopping: HTTP responses then carry {@code Connection: close} (see MlserveApp#stop). */
  public boolean draining() {
    return draining;
  }

  public void startDraining() {
    draining = true;
  }

  public Vertx vertx() {
    return vertx;
  }

  public MlserveConfig config() {
    return config;
  }

  public MongoClient mongo() {
    return mongo;
  }

  public RedisStore redis() {
    return redis;
  }

  public PrometheusMeterRegistry metrics() {
    return metrics;
  }

  public HealthChecks health() {
    return health;
  }

  public Set<Role> roles() {
    return roles;
  }

  public boolean runs(Role role) {
    return roles.contains(role);
  }

  public BuildInfo build() {
    return build;
  }

  /** Names of the verticles this process deployed (one entry per deployment, not per instance). */
  public List<String> deployedVerticles() {
    return List.copyOf(deployed);
  }

  void recordDeployment(String verticleName) {
    deployed.add(verticleName);
  }

  /** Long-running jobs of this process (and lookup of other processes' jobs). */
  public Jobs jobs() {
    return shared(Jobs.class, () -> new Jobs(vertx, mongo, metrics));
  }

  /**
   * One process-wide instance of {@code type}, created on first use. For state that several verticle instances
   * must share (the near cache, the feed schedule, ...).
   */
  @SuppressWarnings("unchecked")
  public <T> T shared(Class<T> type, Supplier<T> factory) {
    return (T) shared.computeIfAbsent(type, k -> factory.get());
  }
}
