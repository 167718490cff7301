package io.mlserve.pipeline;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The record of one pipeline run: for each requested step its state, timings, the job it ran (if any), its progress
 * counts, its result and its error. Steps move PENDING → RUNNING → SUCCEEDED / FAILED / CANCELLED; when one does not
 * succeed the rest are SKIPPED. Plain Java, rendered as a map for the job's {@code detail}.
 */
public final class PipelineRun {
  private final String trigger;
  private final List<Step> steps = new ArrayList<>();

  /** One step's record. Mutated by the single orchestrating thread; read as a copy via {@link #toMap()}. */
  static final class Step {
    final PipelineStep step;
    StepState state = StepState.PENDING;
    Instant startedAt;
    Instant finishedAt;
    long startNanos;
    long durationMs = -1;
    String jobId;
    Map<String, Object> progress = Map.of();
    Map<String, Object> result;
    String error;

    Step(PipelineStep step) {
      this.step = step;
    }
  }

  public PipelineRun(List<PipelineStep> steps, String trigger) {
    this.trigger = trigger;
    steps.forEach(s -> this.steps.add(new Step(s)));
  }

  public List<PipelineStep> steps() {
    return steps.stream().map(s -> s.step).toList();
  }

  public String trigger() {
    return trigger;
  }

  private Step find(PipelineStep step) {
    return steps.stream().filter(s -> s.step == step).findFirst()
        .orElseThrow(() -> new IllegalArgumentException(step + " is not part of this run"));
  }

  public synchronized void started(PipelineStep step) {
    Step s = find(step);
    s.state = StepState.RUNNING;
    s.startedAt = Instant.now();
    s.startNanos = System.nanoTime();
  }

  /** The job a step delegates to (the feed load or a trainer job). */
  public synchronized void job(PipelineStep step, String jobId) {
    find(step).jobId = jobId;
  }

  public synchronized void progress(PipelineStep step, Map<String, Object> progress) {
    find(step).progress = Map.copyOf(progress);
  }

  public synchronized void succeeded(PipelineStep step, Map<String, Object> result) {
    end(find(step), StepState.SUCCEEDED, null).result = result;
  }

  public synchronized void failed(PipelineStep step, String error) {
    end(find(step), StepState.FAILED, error);
    skipRest();
  }

  public synchronized void cancelled(PipelineStep step) {
    end(find(step), StepState.CANCELLED, "cancelled on request");
    skipRest();
  }

  private Step end(Step s, StepState state, String error) {
    s.state = state;
    s.error = error;
    s.finishedAt = Instant.now();
    s.durationMs = s.startNanos == 0 ? 0 : (System.nanoTime() - s.startNanos) / 1_000_000;
    return s;
  }

  private void skipRest() {
    steps.stream().filter(s -> s.state == StepState.PENDING).forEach(s -> s.state = StepState.SKIPPED);
  }

  public synchronized StepState state(PipelineStep step) {
    return find(step).state;
  }

  /** {trigger, steps: [{name, state, startedAt, finishedAt, durationMs, jobId, progress, result, error}]}. */
  public synchronized Map<String, Object> toMap() {
    List<Object> list = new ArrayList<>();
    for (Step s : steps) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", s.step.id());
      m.put("state", s.state.name());
      m.put("startedAt", s.startedAt == null ? null : s.startedAt.toString());
      m.put("finishedAt", s.finishedAt == null ? null : s.finishedAt.toString());
      Long duration = null;
      if (s.state == StepState.RUNNING) {
        duration = (System.nanoTime() - s.startNanos) / 1_000_000;
      } else if (s.durationMs >= 0) {
        duration = s.durationMs;
      }
      m.put("durationMs", duration);
      m.put("jobId", s.jobId);
      if (!s.progress.isEmpty()) {
        m.put("progress", s.progress);
      }
      if (s.result != null) {
        m.put("result", s.result);
      }
      m.put("error", s.error);
      list.add(m);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("trigger", trigger);
    out.put("steps", list);
    return out;
  }
}
