package io.mlserve.config;

import java.util.Set;

/**
 * The inference role: which model serves by default, how ONNX Runtime sessions are created, the bounded pool that
 * runs them and the micro-batching of concurrent single-row requests.
 *
 * @param defaultModel       model name served (at its production version) until {@code POST /select-model} says
 *                           otherwise
 * @param intraOpThreads     ONNX Runtime intra-op threads per session (1 is fastest on small machines: the pool
 *                           below already runs sessions in parallel)
 * @param interOpThreads     ONNX Runtime inter-op threads per session
 * @param optimizationLevel  graph optimisation: none, basic, extended or all
 * @param threads            threads that call {@code OrtSession.run} (the bounded pool)
 * @param batching           coalesce concurrent single-row requests into one run
 * @param maxBatchRows       most rows in one coalesced run
 * @param maxWaitMicros      longest a single row waits for companions once a runner is free
 * @param maxRowsPerRequest  largest array {@code POST /predict} accepts
 * @param chunkRows          array requests are split into runs of this many rows so every runner thread helps
 * @param maxQueuedRows      rows waiting for a runner beyond which requests are refused with 503 (back-pressure)
 * @param overrideModels     sessions kept loaded for {@code ?model=} overrides besides the selected one
 * @param inProcess          when the api and inference roles share a process, api event loops hand predictions for
 *                           the selected model straight to the engine instead of over the event bus
 */
public record InferenceConfig(String defaultModel, int intraOpThreads, int interOpThreads, String optimizationLevel,
                              int threads, boolean batching, int maxBatchRows, long maxWaitMicros,
                              int maxRowsPerRequest, int chunkRows, int maxQueuedRows, int overrideModels,
                              boolean inProcess) {
  public static final Set<String> OPTIMIZATION_LEVELS = Set.of("none", "basic", "extended", "all");

  static InferenceConfig from(ConfigReader r) {
    return new InferenceConfig(
        r.nonBlank("inference.defaultModel"),
        r.intIn("inference.intraOpThreads", 1, 256),
        r.intIn("inference.interOpThreads", 1, 256),
        r.oneOf("inference.optimizationLevel", OPTIMIZATION_LEVELS),
        r.intIn("inference.threads", 1, 256),
        r.bool("inference.batching"),
        r.intIn("inference.maxBatchRows", 1, 100_000),
        r.longIn("inference.maxWaitMicros", 0, 1_000_000),
        r.intIn("inference.maxRowsPerRequest", 1, 1_000_000),
        r.intIn("inference.chunkRows", 1, 1_000_000),
        r.intIn("inference.maxQueuedRows", 1, 100_000_000),
        r.intIn("inference.overrideModels", 0, 64),
        r.bool("inference.inProcess"));
  }
}
