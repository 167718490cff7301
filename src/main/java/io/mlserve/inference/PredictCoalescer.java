package io.mlserve.inference;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.mlserve.bus.Bus;
import io.mlserve.common.ApiError;
import io.mlserve.inference.PredictOutcomes.Outcome;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Api-side micro-batching: the small {@code POST /predict} requests one event loop reads in one pass over its
 * connections go to the inference role as one {@link PredictBatch} (straight to the engine when the role runs in
 * this process and the request is for the selected model: {@link LocalInference}), sent when the loop has finished
 * that pass (a task queued behind the reads) or as soon as {@code maxRows} rows are waiting. Nobody waits on purpose;
 * under load each pass brings several requests. Without it every single-row request paid its own event-bus round
 * trip and four thread hand-offs, which cost more than the ONNX Runtime run that the engine's batching saves.
 *
 * <p>One instance per event loop (per HTTP server verticle), used only from that loop's thread.
 */
final class PredictCoalescer {
  private static final Logger LOG = LoggerFactory.getLogger(PredictCoalescer.class);

  private final Vertx vertx;
  private final Context context;
  private final LocalInference local;
  private final int maxRows;
  private final DeliveryOptions delivery;
  private final DistributionSummary perBatch;
  private final Map<String, Pending> pending = new HashMap<>(); // by ?model= ("" for the selected model)
  private boolean flushQueued;

  PredictCoalescer(Vertx vertx, Context context, LocalInference local, int maxRows, long timeoutMs,
                   MeterRegistry metrics) {
    this.vertx = vertx;
    this.context = context;
    this.local = local;
    this.maxRows = maxRows;
    this.delivery = new DeliveryOptions().setSendTimeout(timeoutMs);
    this.perBatch = DistributionSummary.builder("mlserve.predict.coalesced.requests")
        .description("Requests per batch an api event loop handed on (api-side batching): one inference.predict.batch"
            + " message, or one call of the engine in this process")
        .serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64)
        .register(metrics);
    PredictBatch.registerCodecs(vertx);
  }

  /** Whether a request of this many rows is gathered with others (larger ones fill runs on their own). */
  boolean takes(int rows) {
    return rows < maxRows;
  }

  /** Queues one request's validated rows; the future completes on this loop with its own outcome. */
  Future<Outcome> add(String model, List<Map<String, Object>> rows) {
    String key = model == null ? "" : model;
    Pending p = pending.computeIfAbsent(key, k -> new Pending(model));
    Promise<Outcome> promise = Promise.promise();
    p.requests.add(rows);
    p.promises.add(promise);
    p.rows += rows.size();
    if (p.rows >= maxRows) {
      pending.remove(key);
      send(p);
    } else if (!flushQueued) {
      flushQueued = true;
      context.runOnContext(v -> flush());
    }
    return promise.future();
  }

  private void flush() {
    flushQueued = false;
    List<Pending> all = new ArrayList<>(pending.values());
    pending.clear();
    all.forEach(this::send);
  }

  private void send(Pending p) {
    perBatch.record(p.promises.size());
    InferenceService inProcess = p.model == null ? local.service() : null;
    if (inProcess != null) {
      inProcess.predictSelectedEach(p.requests, context)
          .onSuccess(reply -> answer(p, reply.outcomes()))
          .onFailure(t -> failAll(p, Outcome.failed(t).error())); // an ApiError as it is, else a logged 500
      return;
    }
    vertx.eventBus().<PredictOutcomes>request(InferenceVerticle.PREDICT_BATCH,
            new PredictBatch(p.model, p.requests, true), delivery)
        .map(Message::body)
        .onSuccess(reply -> answer(p, reply.outcomes()))
        .onFailure(t -> failAll(p, Bus.toApiError(InferenceVerticle.PREDICT_BATCH, t)));
  }

  private static void answer(Pending p, List<Outcome> outcomes) {
    if (outcomes.size() != p.promises.size()) { // never hand a request someone else's answer
      LOG.error("inference answered {} outcomes for a batch of {} requests", outcomes.size(), p.promises.size());
      failAll(p, new ApiError(500, "internal error", "the request failed inside the service; see its logs"));
      return;
    }
    for (int i = 0; i < outcomes.size(); i++) {
      p.promises.get(i).complete(outcomes.get(i));
    }
  }

  private static void failAll(Pending p, ApiError error) {
    p.promises.forEach(promise -> promise.fail(error));
  }

  /** Requests waiting for the same model. */
  private static final class Pending {
    final String model;
    final List<List<Map<String, Object>>> requests = new ArrayList<>();
    final List<Promise<Outcome>> promises = new ArrayList<>();
    int rows;

    Pending(String model) {
      this.model = model;
    }
  }
}
