package io.mlserve.feed;

import io.mlserve.app.Role;
import io.mlserve.app.RolePresence;
import io.mlserve.app.Services;
import io.mlserve.bus.Bus;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;

/**
 * Role {@code feeder}: starts the feed's release schedule (the source, the configured CSV or the synthetic
 * generator, is loaded on first use), reports it in {@code /health/ready} (check {@code feed}) and answers
 * {@code feed.status} / {@code feed.restart} on the event bus. The HTTP side is {@link FeedRoutes}.
 */
public final class FeedServerVerticle extends VerticleBase {
  public static final String STATUS_ADDRESS = "feed.status";
  public static final String RESTART_ADDRESS = "feed.restart";
  private static final Logger LOG = LoggerFactory.getLogger(FeedServerVerticle.class);

  private final Services services;

  public FeedServerVerticle(Services services) {
    this.services = services;
  }

  @Override
  public Future<?> start() {
    RolePresence.announce(vertx, Role.FEEDER);
    var cfg = services.config().feed();
    if (!cfg.synthetic()) {
      FeedSource.checkCsvHeader(Path.of(cfg.source())); // a wrong file fails start-up, not the first request
    }
    FeedHolder holder = services.shared(FeedHolder.class, FeedHolder::new);
    holder.init(vertx, cfg, new FeedSchedule(cfg.batches(), cfg.intervalMs(), System::currentTimeMillis));
    services.health().register("feed", 1000, p -> {
      String failure = holder.failure();
      JsonObject data = new JsonObject().put("state", failure != null ? "failed" : holder.loaded() ? "ready"
          : "not loaded yet (loads on first use)");
      p.complete(failure == null ? Status.OK(data) : Status.KO(data.put("error", failure)));
    });
    if (cfg.faults().any()) {
      LOG.warn("feed fault injection is on: {} of batch requests fail with 500, {} stall for {} ms",
          cfg.faults().errorRate(), cfg.faults().stallRate(), cfg.faults().stallMs());
    }
    LOG.info("feed schedule started: {} batches, one every {} ms, source {}", cfg.batches(), cfg.intervalMs(),
        cfg.synthetic() ? "synthetic (seed " + cfg.seed() + ", " + cfg.syntheticRows() + " rows)" : cfg.source());
    Bus.consume(vertx, STATUS_ADDRESS, req -> holder.feed().map(Feed::status));
    Bus.consume(vertx, RESTART_ADDRESS, req -> holder.feed().map(feed -> {
      feed.restart();
      return feed.status();
    }));
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    services.shared(FeedHolder.class, FeedHolder::new).clear();
    return Future.succeededFuture();
  }
}
