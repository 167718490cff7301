package io.mlserve.jobs;

import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Progress of one long-running job (batch recommendations, feeding, training, a pipeline run). Thread-safe: the work
 * advances it from worker threads while the event loop reads snapshots. Work checks {@link #checkCancelled()} at
 * convenient points so cancellation is prompt and leaves nothing half-written.
 */
public final class Job {
  private final String id;
  private final String kind;
  private final JsonObject params;
  private final Instant startedAt = Instant.now();
  private final long startNanos = System.nanoTime();
  private final AtomicLong processed = new AtomicLong();
  private volatile long total = -1;
  private volatile String phase = "";
  private volatile String unit = "items";
  private volatile JobState state = JobState.RUNNING;
  private volatile boolean cancelRequested;
  private volatile String error;
  private volatile JsonObject result;
  private volatile JsonObject detail = new JsonObject();
  private volatile Instant finishedAt;
  private volatile long finishedNanos;

  Job(String id, String kind, JsonObject params) {
    this.id = id;
    this.kind = kind;
    this.params = params == null ? new JsonObject() : params.copy();
  }

  public String id() {
    return id;
  }

  public String kind() {
    return kind;
  }

  public JsonObject params() {
    return params.copy();
  }

  public JobState state() {
    return state;
  }

  /** Sets the amount of work (users, rows, runs, ...); {@code unit} names it in logs and status. */
  public Job total(long total, String unit) {
    this.total = total;
    this.unit = unit;
    return this;
  }

  public Job phase(String phase) {
    this.phase = phase;
    return this;
  }

  /** Resets the counter, e.g. when a new phase starts counting from zero. */
  public Job resetProgress(long total) {
    this.processed.set(0);
    this.total = total;
    return this;
  }

  public long advance(long n) {
    return processed.addAndGet(n);
  }

  public long processed() {
    return processed.get();
  }

  public long total() {
    return total;
  }

  /** Free-form details shown in the status (e.g. pipeline steps); replaced atomically. */
  public Job detail(JsonObject detail) {
    this.detail = detail.copy();
    return this;
  }

  public boolean isCancelled() {
    return cancelRequested;
  }

  public void checkCancelled() {
    if (cancelRequested) {
      throw new JobCancelledException();
    }
  }

  void requestCancel() {
    cancelRequested = true;
  }

  void finish(JobState state, JsonObject result, String error) {
    this.result = result;
    this.error = error;
    this.finishedAt = Instant.now();
    this.finishedNanos = System.nanoTime();
    this.state = state;
  }

  /** Items per second since the start (or over the whole run once finished). */
  public double rate() {
    long end = state.terminal() ? finishedNanos : System.nanoTime();
    double seconds = (end - startNanos) / 1e9;
    return seconds <= 0 ? 0 : processed.get() / seconds;
  }

  /** Seconds left at the current rate; -1 when unknown. */
  public long etaSeconds() {
    double rate = rate();
    long t = total;
    if (state.terminal()) {
      return 0;
    }
    if (t < 0 || rate <= 0) {
      return -1;
    }
    return Math.max(0, Math.round((t - processed.get()) / rate));
  }

  public JsonObject snapshot() {
    long t = total;
    long p = processed.get();
    JsonObject json = new JsonObject()
        .put("jobId", id)
        .put("kind", kind)
        .put("state", state.name())
        .put("phase", phase)
        .put("unit", unit)
        .put("processed", p)
        .put("total", t)
        .put("percent", t > 0 ? Math.round(1000.0 * p / t) / 10.0 : null)
        .put("rate", Math.round(rate() * 10) / 10.0)
        .put("etaSeconds", etaSeconds())
        .put("cancelRequested", cancelRequested)
        .put("params", params)
        .put("startedAt", startedAt.toString())
        .put("finishedAt", finishedAt == null ? null : finishedAt.toString())
        .put("durationMs", ((state.terminal() ? finishedNanos : System.nanoTime()) - startNanos) / 1_000_000)
        .put("error", error)
        .put("result", result);
    if (!detail.isEmpty()) {
      json.put("detail", detail);
    }
    return json;
  }
}
