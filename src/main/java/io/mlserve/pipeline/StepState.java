package io.mlserve.pipeline;

/** Where one step of a pipeline run is. */
public enum StepState {
  PENDING, RUNNING, SUCCEEDED, FAILED, CANCELLED, SKIPPED;

  public boolean terminal() {
    return this != PENDING && this != RUNNING;
  }
}
