package io.mlserve.testing;

import io.mlserve.inference.bench.SyntheticModel;
import io.mlserve.onnx.TreeForest;
import io.mlserve.registry.ModelMetadata;
import io.vertx.core.json.JsonObject;

/**
 * Small but real Covertype models for tests that need one before any training ran: a random forest of random
 * trees over the one-hot encoding, exported by the project's ONNX exporter, with a metadata.json that follows the
 * documented format. Predictions are arbitrary but deterministic for a seed.
 */
public final class TestModels {
  private TestModels() {
  }

  public record Model(ModelMetadata metadata, byte[] onnx, TreeForest forest) {
  }

  public static Model randomForest(String name, long seed, int trees) {
    SyntheticModel.Built built = SyntheticModel.build(name, trees, 6, seed);
    // a distinct accuracy per seed, so tests can tell versions apart in listings
    JsonObject meta = built.metadata().toJson().put("createdAt", "2026-01-01T00:00:00Z")
        .put("metrics", new JsonObject().put("accuracy", 0.5 + (seed % 10) / 100.0));
    return new Model(ModelMetadata.parse(meta), built.onnx(), built.forest());
  }
}
