package io.mlserve.pipeline;

import io.mlserve.app.Services;
import io.mlserve.common.ApiError;
import io.mlserve.jobs.Job;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.Optional;

/**
 * Role {@code api}: starts pipeline runs on the {@code pipeline.schedule} cron expression (when set) and once at
 * start-up with {@code pipeline.runOnStart}. A due time that finds a run still going is skipped, with a log line.
 */
public final class PipelineVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(PipelineVerticle.class);

  private final Services services;
  private PipelineSchedule schedule;
  private volatile ZonedDateTime nextRun;
  private long timerId = -1;

  public PipelineVerticle(Services services) {
    this.services = services;
  }

  @Override
  public Future<?> start() {
    var cfg = services.config().pipeline();
    services.shared(PipelineVerticle.class, () -> this);
    cfg.cron().ifPresent(cron -> {
      schedule = new PipelineSchedule(cron);
      scheduleNext();
    });
    if (cfg.runOnStart()) {
      // let the HTTP server (which serves our own feed) come up first
      vertx.setTimer(500, t -> trigger("start"));
    }
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    if (timerId >= 0) {
      vertx.cancelTimer(timerId);
    }
    Job running = PipelineRunner.of(services).running();
    if (running != null) {
      services.jobs().cancel(running.id());
    }
    return Future.succeededFuture();
  }

  /** The next scheduled start, if a schedule is configured. */
  public Optional<ZonedDateTime> nextRun() {
    return Optional.ofNullable(nextRun);
  }

  private void scheduleNext() {
    ZonedDateTime now = ZonedDateTime.now();
    // never the same due time twice, even if a timer fires a hair early
    ZonedDateTime after = nextRun != null && !now.isAfter(nextRun) ? nextRun.plusSeconds(1) : now;
    Optional<ZonedDateTime> next = schedule.nextAfter(after);
    if (next.isEmpty()) {
      LOG.warn("pipeline schedule '{}' has no future run", schedule.expression());
      nextRun = null;
      return;
    }
    nextRun = next.get();
    long delay = Math.max(1, Duration.between(ZonedDateTime.now(), nextRun).toMillis());
    LOG.info("next scheduled pipeline run at {} (schedule '{}')", nextRun, schedule.expression());
    timerId = vertx.setTimer(delay, t -> {
      trigger("schedule");
      scheduleNext();
    });
  }

  private void trigger(String why) {
    try {
      Job job = PipelineRunner.of(services).start(services.config().pipeline().scheduledSteps(), why,
          new JsonObject());
      LOG.info("pipeline run {} started ({})", job.id(), why);
    } catch (ApiError e) {
      LOG.warn("{} pipeline run skipped: {}", why, e.getMessage());
    }
  }
}
