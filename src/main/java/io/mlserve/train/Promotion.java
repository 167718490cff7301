package io.mlserve.train;

import io.mlserve.config.TrainConfig;
import io.mlserve.covertype.FeatureEncoding;
import io.mlserve.registry.ModelMetadata;
import io.mlserve.registry.ModelRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.util.Arrays;

/**
 * Registers a new model version and decides its promotion: with {@code train.promoteOnlyIfBetter}, the current
 * production model is scored with ONNX Runtime on the new model's test split (re-encoded with the production model's
 * own feature encoding) and the new version is promoted only when it scores strictly higher on
 * {@code train.promotionMetric}. A name without a production model, or a production model that cannot be scored
 * (file missing or unreadable), is replaced; the reason is recorded either way.
 */
final class Promotion {
  private static final Logger LOG = LoggerFactory.getLogger(Promotion.class);

  private final Vertx vertx;
  private final ModelRegistry registry;
  private final TrainConfig config;

  Promotion(Vertx vertx, ModelRegistry registry, TrainConfig config) {
    this.vertx = vertx;
    this.registry = registry;
    this.config = config;
  }

  /** The decision as JSON: name, version, promoted, reason, and the production model's score when compared. */
  Future<JsonObject> registerAndMaybePromote(ModelPackage pkg, TrainingService.Prepared p, ClassificationMetrics ours) {
    String name = pkg.metadata().name();
    String metric = config.promotionMetric();
    double newScore = metric.equals("macroF1") ? ours.macroF1() : ours.accuracy();
    return registry.production(name).compose(prod -> {
      if (prod == null) {
        return Future.succeededFuture(new JsonObject().put("promote", true)
            .put("reason", "no production model for " + name));
      }
      if (!config.promoteOnlyIfBetter()) {
        return Future.succeededFuture(new JsonObject().put("promote", true)
            .put("reason", "train.promoteOnlyIfBetter is false"));
      }
      int version = prod.getInteger("version");
      return scoreProduction(name, version, p).map(score -> {
        double prodScore = metric.equals("macroF1") ? score.macroF1() : score.accuracy();
        boolean better = newScore > prodScore;
        return new JsonObject().put("promote", better)
            .put("production", new JsonObject().put("version", version).put(metric, prodScore)
                .put("accuracy", score.accuracy()).put("macroF1", score.macroF1()))
            .put("reason", String.format(java.util.Locale.ROOT, "%s %.4f %s production version %d's %.4f on the"
                + " same test split", metric, newScore, better ? "beats" : "does not beat", version, prodScore));
      }).recover(t -> {
        LOG.warn("could not score production model {} version {}: {}", name, version, t.toString());
        return Future.succeededFuture(new JsonObject().put("promote", true)
            .put("reason", "production version " + version + " could not be scored (" + t.getMessage()
                + "); replacing it"));
      });
    }).compose(decision -> registry.register(pkg.metadata(), pkg.onnx()).compose(doc -> {
      int version = doc.getInteger("version");
      JsonObject result = new JsonObject().put("name", name).put("version", version)
          .put(metric, newScore).put("reason", decision.getString("reason"));
      if (decision.containsKey("production")) {
        result.put("production", decision.getJsonObject("production"));
      }
      if (!decision.getBoolean("promote")) {
        LOG.info("model {} version {} registered, not promoted: {}", name, version, decision.getString("reason"));
        return Future.succeededFuture(result.put("promoted", false).put("stage", ModelRegistry.NONE));
      }
      return registry.promote(name, version).map(d -> result.put("promoted", true)
          .put("stage", ModelRegistry.PRODUCTION));
    }));
  }

  private Future<ClassificationMetrics> scoreProduction(String name, int version, TrainingService.Prepared p) {
    return registry.metadata(name, version).compose(meta -> vertx.executeBlocking(() -> {
      byte[] model = Files.readAllBytes(registry.readableModelFile(name, version));
      float[] x = encodeFor(meta, p);
      long[] labels;
      try (OnnxScorer scorer = new OnnxScorer(model, meta)) {
        labels = scorer.predictLabels(x, p.testY().length);
      }
      long[] ourLabels = p.data().classLabels();
      int[] predicted = new int[labels.length];
      for (int i = 0; i < labels.length; i++) {
        long label = labels[i];
        int idx = -1;
        for (int c = 0; c < ourLabels.length; c++) {
          if (ourLabels[c] == label) {
            idx = c;
          }
        }
        if (idx < 0) {
          throw new IllegalStateException("it predicts label " + label + ", not one of " + Arrays.toString(ourLabels));
        }
        predicted[i] = idx;
      }
      return ClassificationMetrics.of(p.testY(), predicted, ourLabels);
    }, false));
  }

  /** The test rows in the production model's encoding (the same rows, re-encoded when its encoding differs). */
  private static float[] encodeFor(ModelMetadata meta, TrainingService.Prepared p) {
    FeatureEncoding theirs = meta.encoding();
    FeatureEncoding ours = p.data().encoding();
    if (theirs.toSpec().equals(ours.toSpec())) {
      return p.testX();
    }
    int n = p.testY().length;
    float[] out = new float[n * theirs.width()];
    for (int i = 0; i < n; i++) {
      theirs.encode(RowDecoder.decode(ours, p.testX(), i * ours.width()), out, i * theirs.width());
    }
    return out;
  }
}
