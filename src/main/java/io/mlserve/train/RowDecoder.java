package io.mlserve.train;

import io.mlserve.covertype.FeatureEncoding;

import java.util.HashMap;
import java.util.Map;

/** Turns an encoded row back into named fields, to re-encode it for a model that uses another encoding. */
final class RowDecoder {
  private RowDecoder() {
  }

  static Map<String, Object> decode(FeatureEncoding encoding, float[] x, int offset) {
    Map<String, Object> row = new HashMap<>();
    int at = offset;
    for (FeatureEncoding.Feature f : encoding.features()) {
      switch (f.encoding()) {
        case "numeric" -> {
          row.put(f.name(), (long) x[at]);
          at++;
        }
        case "ordinal" -> {
          row.put(f.name(), f.categories().get((int) x[at]));
          at++;
        }
        default -> {
          for (int c = 0; c < f.categories().size(); c++) {
            if (x[at + c] == 1f) {
              row.put(f.name(), f.categories().get(c));
            }
          }
          at += f.categories().size();
        }
      }
    }
    return row;
  }
}
