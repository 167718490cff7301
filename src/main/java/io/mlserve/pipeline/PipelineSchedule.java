package io.mlserve.pipeline;

import com.cronutils.model.Cron;
import com.cronutils.model.time.ExecutionTime;

import java.time.ZonedDateTime;
import java.util.Optional;

/** When the next scheduled run is due, from a cron expression (cron-utils, Unix syntax, local time zone). */
public final class PipelineSchedule {
  private final Cron cron;
  private final ExecutionTime times;

  public PipelineSchedule(Cron cron) {
    this.cron = cron;
    this.times = ExecutionTime.forCron(cron);
  }

  public String expression() {
    return cron.asString();
  }

  /** The first due time strictly after {@code now}; empty when the expression never fires again. */
  public Optional<ZonedDateTime> nextAfter(ZonedDateTime now) {
    return times.nextExecution(now);
  }
}
