package io.mlserve.feed;

import io.mlserve.app.Role;
import io.mlserve.app.RolePresence;
import io.mlserve.app.Services;
import io.mlserve.bus.Bus;
import io.mlserve.common.ApiError;
import io.mlserve.config.MlserveConfig;
import io.mlserve.jobs.Job;
import io.mlserve.jobs.JobState;
import io.mlserve.jobs.Jobs;
import io.mlserve.store.Collections;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Objects;

/**
 * Role {@code feeder}: the batch feeder. {@code feeder.load {runId?}} starts a {@code feed.load} job that pulls every
 * batch of the feed into MongoDB (one load at a time per process: asking again while one runs returns the running
 * job). With {@code feed.resumeOnStart}, a feeder that comes back after its process died resumes the load that was
 * left running, so a crash mid-feed still ends with every source row stored exactly once.
 */
public final class BatchFeederVerticle extends VerticleBase {
  public static final String LOAD_ADDRESS = "feeder.load";
  public static final String JOB_KIND = "feed.load";
  private static final Logger LOG = LoggerFactory.getLogger(BatchFeederVerticle.class);

  private final Services services;
  private FeedClient client;
  private FeedMetrics metrics;
  private Job current;

  public BatchFeederVerticle(Services services) {
    this.services = services;
  }

  @Override
  public Future<?> start() {
    RolePresence.announce(vertx, Role.FEEDER);
    var cfg = services.config().feed();
    client = new FeedClient(vertx, feedUrl(services.config()), bearer(services.config()), cfg.requestTimeoutMs());
    metrics = new FeedMetrics(services.metrics());
    Bus.consume(vertx, LOAD_ADDRESS, this::load);
    if (cfg.resumeOnStart()) {
      resumeInterrupted();
    }
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    if (current != null && !current.state().terminal()) {
      services.jobs().cancel(current.id());
    }
    client.close();
    return Future.succeededFuture();
  }

  /** {@code feed.url}, or this process's own HTTP port on loopback when the server listens on every address. */
  static String feedUrl(MlserveConfig config) {
    if (!config.feed().url().isEmpty()) {
      return config.feed().url();
    }
    String host = config.http().host();
    if (host.equals("0.0.0.0") || host.equals("::") || host.isEmpty()) {
      host = "127.0.0.1";
    } else if (host.contains(":")) {
      host = "[" + host + "]";
    }
    return "http://" + host + ":" + config.http().port();
  }

  /** {@code feed.authKey}, else the key this process's own read routes accept (none when no key is set). */
  static String bearer(MlserveConfig config) {
    var sec = config.security();
    if (!config.feed().authKey().isEmpty()) {
      return config.feed().authKey();
    }
    return !sec.readKey().isEmpty() ? sec.readKey() : sec.adminKey();
  }

  private Future<JsonObject> load(JsonObject request) {
    Object runId = request.getValue("runId");
    if (runId != null && !(runId instanceof String)) {
      return Future.failedFuture(ApiError.unprocessable("runId", "runId must be a string"));
    }
    if (current != null && !current.state().terminal()) {
      return Future.succeededFuture(new JsonObject().put("jobId", current.id()).put("alreadyRunning", true));
    }
    JsonObject params = new JsonObject().put("feedUrl", client.baseUrl());
    if (runId != null) {
      params.put("runId", runId);
    }
    if (request.getString("resumedFrom") != null) {
      params.put("resumedFrom", request.getString("resumedFrom"));
    }
    var cfg = services.config().feed();
    CovertypeWriter writer = new CovertypeWriter(services.mongo(), cfg.write().batchSize(), cfg.write().concurrency(),
        CovertypeWriter.Strategy.of(cfg.write().strategy()));
    current = services.jobs().start(JOB_KIND, params,
        job -> new FeedLoader(vertx, client, writer, cfg.retry(), metrics, job).run());
    return Future.succeededFuture(new JsonObject().put("jobId", current.id()).put("alreadyRunning", false));
  }

  /**
   * Finds {@code feed.load} jobs saved as RUNNING whose process no longer answers (it was killed), marks them failed
   * and starts one load in their place. Loads are idempotent, so resuming means simply loading again.
   */
  private void resumeInterrupted() {
    services.mongo().find(Collections.JOBS, new JsonObject().put("kind", JOB_KIND)
            .put("state", JobState.RUNNING.name()))
        .compose(jobs -> {
          List<Future<String>> checks = jobs.stream().map(j -> j.getString("jobId"))
              .map(id -> orphaned(id).map(gone -> gone ? id : null)).toList();
          return Future.all(checks).map(v -> checks.stream().map(Future::result).filter(Objects::nonNull).toList());
        })
        .onSuccess(this::resume)
        .onFailure(t -> LOG.warn("could not look for interrupted feed loads: {}", t.toString()));
  }

  private void resume(List<String> orphans) {
    if (orphans.isEmpty()) {
      return;
    }
    LOG.warn("resuming the feed load interrupted when its process died (job {})", String.join(", ", orphans));
    Future.all(orphans.stream().map(id -> services.jobs().cancel(id).otherwiseEmpty()).toList())
        .onComplete(v -> load(new JsonObject().put("resumedFrom", orphans.get(0))));
  }

  /** True when no process answers for the job (its owner is gone). */
  private Future<Boolean> orphaned(String jobId) {
    if (services.jobs().local(jobId) != null) {
      return Future.succeededFuture(false);
    }
    return vertx.eventBus().request(Jobs.statusAddress(jobId), new JsonObject(),
            new DeliveryOptions().setSendTimeout(services.config().bus().timeoutMs()))
        .map(m -> false)
        .otherwise(t -> t instanceof ReplyException re && re.failureType() == ReplyFailure.NO_HANDLERS);
  }
}
