package io.mlserve.jobs;

/** Lifecycle of a long-running job. */
public enum JobState {
  RUNNING, SUCCEEDED, FAILED, CANCELLED;

  public boolean terminal() {
    return this != RUNNING;
  }
}
