package io.mlserve.app;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.mlserve.api.HttpServerVerticle;
import io.mlserve.config.MlserveConfig;
import io.mlserve.inference.ModelLoader;
import io.mlserve.metrics.MetricsSetup;
import io.mlserve.metrics.StartupSafeMetricsFactory;
import io.mlserve.store.Collections;
import io.mlserve.store.EmbeddedMongo;
import io.mlserve.store.MongoClients;
import io.mlserve.store.RedisStore;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.mongo.MongoClient;
import io.vertx.micrometer.MicrometerMetricsFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One running mlserve process: Vert.x with metrics, storage clients (and the embedded MongoDB when no URI is set),
 * the verticles of the selected roles and the HTTP server. {@link #stop()} shuts down in the order that loses no
 * request: readiness off, HTTP servers drained, role verticles stopped, clients closed, embedded MongoDB closed.
 */
public final class MlserveApp {
  private static final Logger LOG = LoggerFactory.getLogger(MlserveApp.class);

  private final Vertx vertx;
  private final Services services;
  private final EmbeddedMongo embeddedMongo;
  private final List<String> httpDeployments = new ArrayList<>();
  private final List<String> roleDeployments = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final AtomicBoolean stopping = new AtomicBoolean();
  private static final long PRE_DRAIN_MS = 250;
  private volatile Future<Void> stopped;

  private MlserveApp(Vertx vertx, Services services, EmbeddedMongo embeddedMongo) {
    this.vertx = vertx;
    this.services = services;
    this.embeddedMongo = embeddedMongo;
  }

  /**
   * Starts everything and waits until the HTTP server listens. Blocking: call from a non-event-loop thread.
   *
   * @throws Exception when a part cannot start; everything started so far is closed again
   */
  public static MlserveApp start(MlserveConfig config, Set<Role> roles) throws Exception {
    return start(config, roles, false);
  }

  /** Starts on a clustered event bus (Hazelcast, {@code cluster.*} config) or a local one. */
  public static MlserveApp start(MlserveConfig config, Set<Role> roles, boolean clustered) throws Exception {
    long t0 = System.nanoTime();
    // start-up is mostly class loading and native-library loading on one thread; on two cores the embedded MongoDB
    // and ONNX Runtime's native library start on their own threads while Vert.x comes up
    CompletableFuture<EmbeddedMongo> embeddedStart = config.mongo().embedded()
        ? CompletableFuture.supplyAsync(() -> EmbeddedMongo.start(config.mongo().embeddedBackend(),
            config.dataDir(), config.mongo().embeddedPort()), thread("mlserve-start-mongo"))
        : CompletableFuture.completedFuture(null);
    if (roles.contains(Role.INFERENCE)) {
      // a failure here is not lost: the inference verticle's own load reports it
      CompletableFuture.runAsync(ModelLoader::warmUp, thread("mlserve-start-ort"));
    }
    PrometheusMeterRegistry registry = MetricsSetup.newRegistry();
    // epoll on Linux: a little faster, and needed for SO_REUSEPORT (http.reusePort); NIO elsewhere
    VertxOptions options = new VertxOptions().setMetricsOptions(MetricsSetup.vertxOptions())
        .setPreferNativeTransport(true);
    VertxBuilder builder = Vertx.builder()
        .withMetrics(new StartupSafeMetricsFactory(new MicrometerMetricsFactory(registry)));
    Vertx vertx;
    try {
      if (clustered) {
        var c = config.cluster();
        options.getEventBusOptions().setHost(c.host()).setPort(c.eventBusPort());
        if (!c.publicHost().isBlank()) {
          options.getEventBusOptions().setClusterPublicHost(c.publicHost());
        }
        vertx = await(builder.with(options).withClusterManager(Clustering.manager(c)).buildClustered());
      } else {
        vertx = builder.with(options).build();
      }
    } catch (Exception | Error e) {
      embeddedStart.thenAccept(m -> {
        if (m != null) {
          m.close();
        }
      });
      throw e;
    }
    EmbeddedMongo embedded = null;
    if (config.http().reusePort() && !vertx.isNativeTransportEnabled()) {
      LOG.warn("http.reusePort needs the native (epoll) transport, which is unavailable here ({}); "
          + "this process will not share its port", String.valueOf(vertx.unavailableNativeTransportCause()));
    }
    try {
      String mongoUri = config.mongo().uri();
      embedded = joinStart(embeddedStart);
      if (embedded != null) {
        mongoUri = embedded.connectionString();
      }
      MongoClient mongo = MongoClients.create(vertx, mongoUri, config.mongo());
      RedisStore redis = new RedisStore(vertx, config.redis());
      HealthChecks health = HealthChecks.create(vertx);
      Services services = new Services(vertx, config, mongo, redis, registry, health, roles, BuildInfo.load());
      MlserveApp app = new MlserveApp(vertx, services, embedded);
      app.registerHealthChecks();
      app.ensureIndexes();
      app.deployAll();
      LOG.info("mlserve {} started in {} ms: roles {}, http {}:{}", services.build().version(),
          (System.nanoTime() - t0) / 1_000_000, roles, config.http().host(), config.http().port());
      return app;
    } catch (Exception | Error e) {
      vertx.close();
      if (embedded != null) {
        embedded.close();
      }
      throw e;
    }
  }

  /** A start-up step on its own daemon thread (a failure surfaces when the step is joined). */
  private static java.util.concurrent.Executor thread(String name) {
    return task -> {
      Thread t = new Thread(task, name);
      t.setDaemon(true);
      t.start();
    };
  }

  /** The result of a start-up step run in the background, with its own exception rethrown as is. */
  private static <T> T joinStart(CompletableFuture<T> step) {
    try {
      return step.join();
    } catch (java.util.concurrent.CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw e;
    }
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
  }

  private void registerHealthChecks() {
    HealthChecks health = services.health();
    health.register("lifecycle", 1000, p -> p.complete(stopping.get()
        ? Status.KO(new JsonObject().put("state", "stopping")) : Status.OK()));
    // the ping gets a deadline below the check's own 2 s: a check that times out is reported as a procedure
    // failure (HTTP 500), not as MongoDB being down (503), and the driver waits serverSelectionTimeoutMs (3 s by
    // default) for an unreachable server
    health.register("mongo", 2000, p -> services.mongo().runCommand("ping", new JsonObject().put("ping", 1))
        .timeout(1500, TimeUnit.MILLISECONDS)
        .onSuccess(r -> p.complete(Status.OK()))
        .onFailure(t -> p.complete(Status.KO(new JsonObject().put("error", t.getMessage())))));
    health.register("roles", 2000, this::checkRoles);
    boolean redisRequired = services.config().redis().required();
    health.register("redis", 2000, p -> services.redis().ping()
        .onSuccess(r -> p.complete(Status.OK()))
        .onFailure(t -> {
          JsonObject data = new JsonObject().put("reachable", false).put("error", t.getMessage());
          p.complete(redisRequired ? Status.KO(data) : Status.OK(data));
        }));
  }

  /**
   * Which roles answer: the ones this process runs ("local"), and over the (clustered) event bus the others, with
   * the node that answered. Informative: a missing role degrades the routes that need it (503) but does not make
   * this process unready.
   */
  private void checkRoles(io.vertx.core.Promise<Status> p) {
    JsonObject data = new JsonObject();
    List<Future<?>> pings = new ArrayList<>();
    for (Role role : Role.values()) {
      if (services.runs(role)) {
        data.put(role.id(), "local");
        continue;
      }
      pings.add(vertx.eventBus().<JsonObject>request(RolePresence.address(role), new JsonObject(),
              new io.vertx.core.eventbus.DeliveryOptions().setSendTimeout(1000))
          .onSuccess(m -> data.put(role.id(), "remote " + m.body().getString("node")))
          .onFailure(t -> data.put(role.id(), "unreachable")));
    }
    Future.join(pings).onComplete(ar -> p.complete(Status.OK(data)));
  }

  /**
   * Creates indexes before serving. A remote MongoDB that is down must not stop the service from starting (cached
   * data can still be served), so a failure is logged and retried in the background.
   */
  private void ensureIndexes() {
    try {
      await(Collections.ensureIndexes(services.mongo()));
    } catch (Exception e) {
      LOG.warn("could not create MongoDB indexes yet ({}); retrying in the background", e.toString());
      retryIndexes();
    }
  }

  private void retryIndexes() {
    vertx.setTimer(5000, id -> Collections.ensureIndexes(services.mongo())
        .onSuccess(v -> LOG.info("MongoDB indexes created"))
        .onFailure(t -> {
          if (!stopping.get()) {
            retryIndexes();
          }
        }));
  }

  private void deployAll() throws Exception {
    // the roles' verticles start together: each start waits mostly on MongoDB or on a worker, not on the others
    // (each role must also start alone in its own process, so none may rely on another's consumers being there)
    List<Future<String>> starting = new ArrayList<>();
    List<VerticleSpec> specs = new ArrayList<>();
    for (Role role : Role.values()) {
      if (services.runs(role)) {
        for (VerticleSpec spec : RoleCatalog.verticles(role, services)) {
          specs.add(spec);
          starting.add(vertx.deployVerticle(spec.factory(), spec.options()).onSuccess(roleDeployments::add));
        }
      }
    }
    await(Future.all(starting));
    specs.forEach(spec -> services.recordDeployment(spec.name()));
    int instances = services.config().http().instances();
    if (instances == 0) {
      instances = Math.max(1, Runtime.getRuntime().availableProcessors());
    }
    List<RouteModule> modules = RoleCatalog.routes(services);
    httpDeployments.add(await(vertx.deployVerticle(() -> new HttpServerVerticle(services, modules),
        new DeploymentOptions().setInstances(instances))));
    services.recordDeployment("HttpServerVerticle");
  }

  public Services services() {
    return services;
  }

  public Vertx vertx() {
    return vertx;
  }

  public int httpPort() {
    return services.config().http().port();
  }

  /** Graceful stop; safe to call more than once (returns the same future). */
  public synchronized Future<Void> stop() {
    if (stopped != null) {
      return stopped;
    }
    stopping.set(true);
    services.startDraining();
    long grace = services.config().http().shutdownGraceMs();
    LOG.info("stopping: draining HTTP requests (up to {} ms)", grace);
    // first a short pre-drain with the listener still open: readiness is 503 and every response closes its
    // keep-alive connection, so clients leave between requests; then the servers stop accepting and finish what
    // is in flight. Without it, shutdown closes connections a client has just sent its next request on.
    long preDrain = Math.min(PRE_DRAIN_MS, grace / 4);
    // a context-free promise: vertx.timer() from this (non-Vert.x) thread would tie the rest of the chain to an
    // event loop that vertx.close() below terminates before the chain completes
    io.vertx.core.Promise<Void> preDrained = io.vertx.core.Promise.promise();
    vertx.setTimer(Math.max(1, preDrain), id -> preDrained.complete());
    Future<Void> http = preDrained.future()
        .compose(t -> Future.all(httpDeployments.stream().map(vertx::undeploy).toList())).mapEmpty();
    stopped = http
        .recover(t -> Future.succeededFuture())
        .compose(v -> Future.all(roleDeployments.stream().map(vertx::undeploy).toList()).mapEmpty())
        .recover(t -> {
          LOG.warn("a verticle failed to stop cleanly: {}", t.toString());
          return Future.succeededFuture();
        })
        .compose(v -> Future.join(services.mongo().close(), services.redis().close()).mapEmpty())
        .recover(t -> Future.succeededFuture())
        .compose(v -> vertx.close())
        .andThen(ar -> {
          if (embeddedMongo != null) {
            embeddedMongo.close();
          }
          LOG.info("stopped");
        })
        .mapEmpty();
    return stopped;
  }
}
