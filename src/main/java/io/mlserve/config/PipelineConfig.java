package io.mlserve.config;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.parser.CronParser;
import io.mlserve.pipeline.PipelineStep;

import java.util.List;
import java.util.Optional;

/**
 * Pipeline runs (clear, load, train, tune).
 *
 * @param schedule       a Unix cron expression (minute hour day-of-month month day-of-week); empty = no schedule
 * @param cron           the parsed schedule (cron-utils), empty when there is none
 * @param scheduledSteps the steps a scheduled (or on-start) run executes
 * @param runOnStart     whether a process with the api role starts one run as soon as it is up
 * @param pollMs         how often a running step refreshes the progress of the job it waits for
 */
public record PipelineConfig(String schedule, Optional<Cron> cron, List<PipelineStep> scheduledSteps,
                             boolean runOnStart, long pollMs) {
  private static final CronParser UNIX = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));

  /** Parses a Unix cron expression, failing with a message that says what the format is. */
  public static Cron parseCron(String expression) {
    try {
      return UNIX.parse(expression.trim()).validate();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not a Unix cron expression (5 fields: minute hour day-of-month month "
          + "day-of-week, e.g. '0 3 * * *' for 03:00 every day): " + e.getMessage(), e);
    }
  }

  static PipelineConfig from(ConfigReader r) {
    String schedule = r.string("pipeline.schedule").trim();
    Optional<Cron> cron = Optional.empty();
    if (!schedule.isEmpty()) {
      try {
        cron = Optional.of(parseCron(schedule));
      } catch (IllegalArgumentException e) {
        throw new ConfigException("pipeline.schedule", null, schedule, e.getMessage());
      }
    }
    List<String> names = r.strings("pipeline.scheduledSteps");
    List<PipelineStep> steps;
    try {
      steps = PipelineStep.parse(names);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("pipeline.scheduledSteps", null, names, e.getMessage());
    }
    return new PipelineConfig(schedule, cron, steps, r.bool("pipeline.runOnStart"),
        r.longIn("pipeline.pollMs", 10, 60_000));
  }
}
