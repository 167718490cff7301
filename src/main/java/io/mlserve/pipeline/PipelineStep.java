package io.mlserve.pipeline;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** The steps of a pipeline run, in the only order they run in. */
public enum PipelineStep {
  /** Empties the {@code covertype} collection (and its quarantine). */
  CLEAR,
  /** Pulls every feed batch into MongoDB (role feeder, job {@code feed.load}). */
  LOAD,
  /** Trains a model (role trainer, job {@code train}). */
  TRAIN,
  /** Hyperparameter experiments and registration of the best model (role trainer, job {@code tune}). */
  TUNE;

  public static final List<PipelineStep> ALL = List.of(values());

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static String names() {
    return Arrays.stream(values()).map(PipelineStep::id).collect(Collectors.joining(", "));
  }

  /** A step list that is not valid: {@code index} is the offending position (-1 for the list as a whole). */
  public static final class InvalidSteps extends IllegalArgumentException {
    private final int index;

    InvalidSteps(String message, int index) {
      super(message);
      this.index = index;
    }

    public int index() {
      return index;
    }
  }

  /**
   * Parses step names: at least one, each known, no repeats, in the canonical order (a step depends on the ones
   * before it, so running them out of order is always a mistake worth reporting rather than silently reordering).
   */
  public static List<PipelineStep> parse(List<?> names) {
    if (names.isEmpty()) {
      throw new InvalidSteps("give at least one step of " + names(), -1);
    }
    List<PipelineStep> steps = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      Object v = names.get(i);
      if (!(v instanceof String s)) {
        throw new InvalidSteps("steps[" + i + "] must be a step name (" + names() + ")", i);
      }
      PipelineStep step = Arrays.stream(values()).filter(p -> p.id().equals(s.trim().toLowerCase(Locale.ROOT)))
          .findFirst().orElseThrow(() -> new InvalidSteps("unknown step '" + abbreviate(s) + "'; steps are "
              + names(), steps.size()));
      if (steps.contains(step)) {
        throw new InvalidSteps("step '" + step.id() + "' is given twice", i);
      }
      if (!steps.isEmpty() && steps.get(steps.size() - 1).ordinal() > step.ordinal()) {
        throw new InvalidSteps("steps run in the order " + names() + "; '" + step.id() + "' cannot come after '"
            + steps.get(steps.size() - 1).id() + "'", i);
      }
      steps.add(step);
    }
    return List.copyOf(steps);
  }

  private static String abbreviate(String s) {
    return s.length() > 40 ? s.substring(0, 40) + "..." : s;
  }
}
