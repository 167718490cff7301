package io.mlserve.inference;

import io.mlserve.app.Services;
import io.mlserve.common.ApiError;
import io.vertx.core.Future;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The inference role's service when it runs in this process, so the api role's event loops can hand predictions for
 * the selected model straight to the engine (see {@code inference.inProcess}). Over the event bus a batch crossed
 * four threads (api loop → inference loop → runner → inference loop → api loop); this way it crosses two (api loop
 * → runner → api loop). On this project's 2-core machines each hand-off is a context switch that costs more than the
 * ONNX Runtime run of a small batch.
 *
 * <p>Hot swap stays safe without the inference context: the selected model is an atomic reference whose sessions
 * are reference-counted ({@link ServingModels}), and the engine's queue is locked. {@code ?model=} overrides, whose
 * loading is confined to the inference context, still go over the bus, as does everything when the roles run in
 * separate processes.
 */
final class LocalInference {
  private volatile InferenceService service;

  /** This process's holder (one per {@link Services}, so several apps in one JVM stay apart). */
  static LocalInference of(Services services) {
    return services.shared(LocalInference.class, LocalInference::new);
  }

  /** The started inference service of this process, or null when the role is elsewhere or stopping. */
  InferenceService service() {
    return service;
  }

  synchronized void attach(InferenceService s) {
    service = s;
  }

  /**
   * Bounds an in-process answer by {@code timeoutMs} (the bus's send timeout) and maps its failure as the bus path
   * would: a timeout is a 504, an {@link ApiError} stays as it is, anything else is a logged 500.
   */
  static <T> Future<T> bounded(Future<T> answer, long timeoutMs) {
    return answer.timeout(timeoutMs, TimeUnit.MILLISECONDS).recover(t -> Future.failedFuture(toApiError(t, timeoutMs)));
  }

  static ApiError toApiError(Throwable t, long timeoutMs) {
    if (t instanceof TimeoutException) {
      return new ApiError(504, "timeout", "the inference engine did not answer within " + timeoutMs + " ms");
    }
    return PredictOutcomes.Outcome.failed(t).error();
  }

  /** Forgets {@code s} (when it is the one attached): later requests go over the bus. */
  synchronized void detach(InferenceService s) {
    if (service == s) {
      service = null;
    }
  }
}
