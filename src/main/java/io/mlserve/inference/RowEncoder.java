package io.mlserve.inference;

import io.mlserve.common.ApiError;
import io.mlserve.covertype.FeatureEncoding;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes rows into a model's input buffer with the encoding from that model's metadata.json. Rows were validated
 * against the schema already; this checks what only the model knows (its features and category lists, which a model
 * trained on other data may not share) and answers a 422 naming the row and field instead of failing the run.
 */
final class RowEncoder {
  private final FeatureEncoding encoding;
  private final List<Set<String>> categories;

  RowEncoder(FeatureEncoding encoding) {
    this.encoding = encoding;
    this.categories = encoding.features().stream().map(f -> (Set<String>) new HashSet<>(f.categories())).toList();
  }

  int width() {
    return encoding.width();
  }

  /** Encodes every row or returns the first problem (nothing useful is left in {@code dest} then). */
  ApiError encode(List<Map<String, Object>> rows, int firstIndex, float[] dest, int offset) {
    List<FeatureEncoding.Feature> features = encoding.features();
    int width = encoding.width();
    for (int r = 0; r < rows.size(); r++) {
      Map<String, Object> row = rows.get(r);
      for (int f = 0; f < features.size(); f++) {
        FeatureEncoding.Feature feature = features.get(f);
        Object v = row.get(feature.name());
        if (feature.encoding().equals("numeric")) {
          if (!(v instanceof Number n) || !Double.isFinite(n.doubleValue())) {
            return ApiError.unprocessable(feature.name(), feature.name() + " must be a finite number for model "
                + "input").with("index", firstIndex + r);
          }
        } else if (!(v instanceof String s) || !categories.get(f).contains(s)) {
          return ApiError.unprocessable(feature.name(), "the serving model does not know " + feature.name() + " '"
                  + v + "'").with("index", firstIndex + r).with("allowed", feature.categories());
        }
      }
      encoding.encode(row, dest, offset + r * width);
    }
    return null;
  }
}
