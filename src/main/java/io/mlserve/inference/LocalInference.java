package io.mlserve.inference;

import io.mlserve.app.Services;
import io.vertx.core.Future;

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
   * An in-process answer whose failure reads as over the bus: an {@link io.mlserve.common.ApiError} as it is,
   * anything else a logged 500. No timer of its own: with one per request, alternated bench predict runs measured
   * 6.0 and 6.5 us more CPU per unbatched request (43-49 us), and the engine answers every request it accepts (a
   * hung runner is left to the HTTP request timeout).
   */
  static <T> Future<T> asApiFailure(Future<T> answer) {
    return answer.recover(t -> Future.failedFuture(PredictOutcomes.Outcome.failed(t).error()));
  }

  /** Forgets {@code s} (when it is the one attached): later requests go over the bus. */
  synchronized void detach(InferenceService s) {
    if (service == s) {
      service = null;
    }
  }
}
