package io.mlserve.inference;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.mlserve.common.ApiError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs predictions on a bounded pool of runner threads, the only threads that call {@code OrtSession.run}.
 *
 * <p>Micro-batching: requests wait in one {@link RunQueue}. A runner takes the oldest request and, when batching is
 * on, the following ones while they fit in {@code maxBatchRows} (waiting for more at most until the oldest has waited
 * {@code maxWait}), and runs the group as one ORT run per model. Under load the queue fills while runners are busy,
 * so batches grow without anybody waiting on purpose.
 *
 * <p>Array requests are cut into chunks of {@code chunkRows} so every runner works on a large request.
 */
public final class PredictionEngine implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PredictionEngine.class);

  /** Pool and batching settings (see {@code inference.*} in the configuration). */
  public record Settings(int threads, boolean batching, int maxBatchRows, long maxWaitNanos, int chunkRows,
                         int maxQueuedRows) {
  }

  private final Settings settings;
  private final RunQueue<Work> queue;
  private final AtomicInteger queuedRows = new AtomicInteger();
  private final List<Thread> runners = new ArrayList<>();
  private volatile boolean stopped;

  private final MeterRegistry registry;
  private final DistributionSummary batchSize;
  private final Map<String, Timer> latency = new ConcurrentHashMap<>();
  private final Map<String, Counter> requests = new ConcurrentHashMap<>();
  private final Map<String, Counter> rowsServed = new ConcurrentHashMap<>();

  public PredictionEngine(Settings settings, MeterRegistry registry) {
    this.settings = settings;
    this.registry = registry;
    this.queue = new RunQueue<>(settings.batching(), settings.maxBatchRows(), settings.maxWaitNanos(),
        w -> w.rows.size(), w -> w.enqueuedNanos);
    this.batchSize = DistributionSummary.builder("mlserve.batch.size")
        .description("Rows per ONNX Runtime run (coalesced single rows or a chunk of an array request)")
        .serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096)
        .register(registry);
    Gauge.builder("mlserve.predict.queued.rows", queuedRows, AtomicInteger::get)
        .description("Rows waiting for a runner thread").register(registry);
    for (int i = 0; i < settings.threads(); i++) {
      Thread t = new Thread(this::runLoop, "mlserve-inference-" + i);
      t.setDaemon(true);
      runners.add(t);
      t.start();
    }
  }

  public Settings settings() {
    return settings;
  }

  /** One request's rows (or a chunk of them) waiting for a run. */
  private static final class Work {
    final LoadedModel model;
    final List<Map<String, Object>> rows;
    final int firstIndex;
    final long enqueuedNanos = System.nanoTime();
    final CompletableFuture<Predictions> future = new CompletableFuture<>();

    Work(LoadedModel model, List<Map<String, Object>> rows, int firstIndex) {
      this.model = model;
      this.rows = rows;
      this.firstIndex = firstIndex;
    }
  }

  /**
   * Predicts {@code rows} (already validated against the schema) with {@code model}. The caller passes one
   * reference it acquired on the model; the engine releases it when the request is done, whatever the outcome.
   *
   * @param indexOffset added to row indexes in error messages (0 unless the caller split the request itself)
   */
  public CompletableFuture<Predictions> predict(LoadedModel model, List<Map<String, Object>> rows, int indexOffset) {
    return submit(model, List.of(rows), indexOffset).get(0);
  }

  /**
   * Predicts several requests at once (single rows the api role coalesced), queued together so one run serves them,
   * each answered on its own: a row the model cannot encode fails its request only. The caller passes one reference
   * on the model per request.
   */
  public List<CompletableFuture<Predictions>> predictEach(LoadedModel model, List<List<Map<String, Object>>> requests) {
    return submit(model, requests, 0);
  }

  private List<CompletableFuture<Predictions>> submit(LoadedModel model, List<List<Map<String, Object>>> requests,
                                                      int indexOffset) {
    long start = System.nanoTime();
    int total = 0;
    for (List<Map<String, Object>> rows : requests) {
      total += rows.size();
    }
    if (queuedRows.addAndGet(total) > settings.maxQueuedRows() || stopped) {
      queuedRows.addAndGet(-total);
      ApiError refused = stopped ? ApiError.unavailable("the inference engine is stopping")
          : ApiError.unavailable("inference is overloaded: more than " + settings.maxQueuedRows()
          + " rows are waiting (inference.maxQueuedRows); retry shortly").with("retryAfterMs", 100);
      requests.forEach(r -> model.release());
      return requests.stream().map(r -> CompletableFuture.<Predictions>failedFuture(refused)).toList();
    }
    List<CompletableFuture<Predictions>> answers = new ArrayList<>(requests.size());
    List<Work> queued = new ArrayList<>(requests.size());
    for (List<Map<String, Object>> rows : requests) {
      if (rows.isEmpty()) {
        model.release();
        answers.add(CompletableFuture.failedFuture(ApiError.unprocessable("body", "no rows to predict")));
        continue;
      }
      List<Work> parts = chunks(model, rows, indexOffset);
      queued.addAll(parts);
      CompletableFuture<Predictions> result = parts.size() == 1 ? parts.get(0).future : combine(parts);
      CompletableFuture<Predictions> answer = new CompletableFuture<>();
      int n = rows.size();
      result.whenComplete((p, t) -> {
        if (t != null) {
          answer.completeExceptionally(unwrap(t));
        } else {
          record(p, n, System.nanoTime() - start);
          answer.complete(p);
        }
      });
      answers.add(answer);
    }
    // close() may have drained the queue since the check above: work added now would wait for a runner forever
    if (!queue.offer(queued)) {
      ApiError gone = stoppedError();
      queued.forEach(w -> finish(w, null, gone));
    }
    return answers;
  }

  /** A request cut into runs of at most {@code chunkRows}, each holding its own reference on the model. */
  private List<Work> chunks(LoadedModel model, List<Map<String, Object>> rows, int indexOffset) {
    int chunk = settings.chunkRows();
    int chunks = (rows.size() + chunk - 1) / chunk;
    List<Work> parts = new ArrayList<>(chunks);
    model.acquireMore(chunks - 1); // the request's own reference serves its first chunk
    for (int c = 0; c < chunks; c++) {
      int from = c * chunk;
      parts.add(new Work(model, rows.subList(from, Math.min(rows.size(), from + chunk)), indexOffset + from));
    }
    return parts;
  }

  /** The failure itself, not the CompletionException that dependent stages wrap it in. */
  static Throwable unwrap(Throwable t) {
    while (t instanceof java.util.concurrent.CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  private static CompletableFuture<Predictions> combine(List<Work> parts) {
    return CompletableFuture.allOf(parts.stream().map(w -> w.future).toArray(CompletableFuture[]::new))
        .thenApply(v -> {
          List<Predictions> ps = parts.stream().map(w -> w.future.join()).toList();
          int rows = ps.stream().mapToInt(Predictions::rows).sum();
          Predictions first = ps.get(0);
          long[] labels = new long[rows];
          float[] probs = new float[rows * first.classes().length];
          int at = 0;
          for (Predictions p : ps) {
            System.arraycopy(p.labels(), 0, labels, at, p.rows());
            System.arraycopy(p.probabilities(), 0, probs, at * first.classes().length, p.probabilities().length);
            at += p.rows();
          }
          return new Predictions(first.model(), first.version(), first.classes(), labels, probs);
        });
  }

  private void record(Predictions p, int rows, long nanos) {
    latency.computeIfAbsent(p.model(), m -> Timer.builder("mlserve.predict.latency")
        .description("Time from a prediction request reaching the engine to its answer (queue + run)")
        .tag("model", m).register(registry)).record(nanos, TimeUnit.NANOSECONDS);
    String key = p.model() + ":" + p.version();
    requests.computeIfAbsent(key, k -> Counter.builder("mlserve.predict.requests")
        .description("Prediction requests served, by model and version")
        .tag("model", p.model()).tag("version", Integer.toString(p.version())).register(registry)).increment();
    rowsServed.computeIfAbsent(key, k -> Counter.builder("mlserve.predict.rows")
        .description("Rows predicted, by model and version")
        .tag("model", p.model()).tag("version", Integer.toString(p.version())).register(registry)).increment(rows);
  }

  private void runLoop() {
    try {
      boolean endedPartial = false;
      while (true) {
        List<Work> batch;
        try {
          batch = queue.next(endedPartial);
        } catch (InterruptedException e) {
          break;
        }
        if (batch == null) {
          break;
        }
        endedPartial = queue.isPartial(batch);
        try {
          runBatch(batch);
        } catch (Throwable t) { // keep the runner alive whatever happens; the requests get the error
          LOG.error("prediction run failed", t);
          for (Work w : batch) {
            finish(w, null, t);
          }
        }
      }
    } finally {
      RunTensors.closeOfThread();
    }
  }

  /** One ORT run per model in the batch (usually one model; two around a hot swap). */
  private void runBatch(List<Work> batch) {
    Map<LoadedModel, List<Work>> byModel = new IdentityHashMap<>();
    for (Work w : batch) {
      byModel.computeIfAbsent(w.model, m -> new ArrayList<>()).add(w);
    }
    byModel.forEach(this::runGroup);
  }

  private void runGroup(LoadedModel model, List<Work> works) {
    RowEncoder encoder = model.encoder();
    int width = encoder.width();
    int total = 0;
    for (Work w : works) {
      total += w.rows.size();
    }
    float[] features = new float[total * width];
    List<Work> runnable = new ArrayList<>(works.size());
    int[] offsets = new int[works.size()];
    int row = 0;
    for (Work w : works) {
      ApiError problem = encoder.encode(w.rows, w.firstIndex, features, row * width);
      if (problem != null) {
        finish(w, null, problem);
        continue;
      }
      offsets[runnable.size()] = row;
      runnable.add(w);
      row += w.rows.size();
    }
    if (runnable.isEmpty()) {
      return;
    }
    LoadedModel.Output out;
    try {
      out = model.run(features, row);
    } catch (Exception e) {
      LOG.error("ONNX Runtime failed on model {} ({} rows)", model, row, e);
      ApiError err = new ApiError(500, "inference failed", "ONNX Runtime failed on model " + model
          + ": " + e.getMessage());
      runnable.forEach(w -> finish(w, null, err));
      return;
    }
    batchSize.record(row);
    long[] classes = model.classes();
    int k = out.classes();
    for (int i = 0; i < runnable.size(); i++) {
      Work w = runnable.get(i);
      int from = offsets[i];
      int n = w.rows.size();
      long[] labels = new long[n];
      System.arraycopy(out.labels(), from, labels, 0, n);
      float[] probs = new float[n * k];
      System.arraycopy(out.probabilities(), from * k, probs, 0, n * k);
      finish(w, new Predictions(model.name(), model.version(), classes, labels, probs), null);
    }
  }

  private void finish(Work w, Predictions p, Throwable t) {
    if (w.future.isDone()) {
      return;
    }
    queuedRows.addAndGet(-w.rows.size());
    w.model.release();
    if (t != null) {
      w.future.completeExceptionally(t);
    } else {
      w.future.complete(p);
    }
  }

  /** What work gets that {@link #close()} drains, or that arrives while it does. */
  private static ApiError stoppedError() {
    return ApiError.unavailable("the inference engine stopped");
  }

  /** Stops the runners; requests still queued fail with 503 and release their models. */
  @Override
  public void close() {
    stopped = true;
    List<Work> left = queue.stop();
    ApiError gone = stoppedError();
    left.forEach(w -> finish(w, null, gone));
    for (Thread t : runners) {
      t.interrupt();
    }
    for (Thread t : runners) {
      try {
        t.join(5000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
