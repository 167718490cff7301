package io.mlserve.inference;

import io.mlserve.common.ApiError;
import io.mlserve.covertype.FeatureEncoding;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes rows into a model's input buffer with the encoding of that model's metadata.json, in one pass per row.
 * Rows were validated against the schema already; this checks what only the model knows (its features and category
 * lists, which a model trained on other data may not share) and answers a 422 naming the row and field instead of
 * failing the run. Produces exactly what {@link FeatureEncoding#encode} does (tested), without its second lookup of
 * every value: this is the per-row hot path of serving.
 */
final class RowEncoder {
  private static final int NUMERIC = 0;
  private static final int ONEHOT = 1;
  private static final int ORDINAL = 2;

  private final int width;
  private final String[] names;
  private final int[] kinds;
  private final int[] offsets;
  private final List<Map<String, Integer>> categoryIndex;
  private final List<List<String>> categories;

  RowEncoder(FeatureEncoding encoding) {
    List<FeatureEncoding.Feature> features = encoding.features();
    int n = features.size();
    this.width = encoding.width();
    this.names = new String[n];
    this.kinds = new int[n];
    this.offsets = new int[n];
    this.categoryIndex = new java.util.ArrayList<>(n);
    this.categories = new java.util.ArrayList<>(n);
    int at = 0;
    for (int f = 0; f < n; f++) {
      FeatureEncoding.Feature feature = features.get(f);
      names[f] = feature.name();
      kinds[f] = switch (feature.encoding()) {
        case "numeric" -> NUMERIC;
        case "onehot" -> ONEHOT;
        default -> ORDINAL;
      };
      offsets[f] = at;
      at += kinds[f] == ONEHOT ? feature.categories().size() : 1;
      Map<String, Integer> index = new HashMap<>();
      for (int c = 0; c < feature.categories().size(); c++) {
        index.put(feature.categories().get(c), c);
      }
      categoryIndex.add(index);
      categories.add(feature.categories());
    }
  }

  int width() {
    return width;
  }

  /**
   * Encodes every row into {@code dest[offset ..]}, which must be zero there (a fresh array), or returns the first
   * problem.
   */
  ApiError encode(List<Map<String, Object>> rows, int firstIndex, float[] dest, int offset) {
    for (int r = 0; r < rows.size(); r++) {
      Map<String, Object> row = rows.get(r);
      int base = offset + r * width;
      for (int f = 0; f < names.length; f++) {
        Object v = row.get(names[f]);
        if (kinds[f] == NUMERIC) {
          if (!(v instanceof Number num) || !Double.isFinite(num.doubleValue())) {
            return ApiError.unprocessable(names[f], names[f] + " must be a finite number for model input")
                .with("index", firstIndex + r);
          }
          dest[base + offsets[f]] = num.floatValue();
        } else {
          Integer c = v instanceof String s ? categoryIndex.get(f).get(s) : null;
          if (c == null) {
            return ApiError.unprocessable(names[f], "the serving model does not know " + names[f] + " '" + v + "'")
                .with("index", firstIndex + r).with("allowed", categories.get(f));
          }
          if (kinds[f] == ONEHOT) {
            dest[base + offsets[f] + c] = 1f;
          } else {
            dest[base + offsets[f]] = c;
          }
        }
      }
    }
    return null;
  }
}
