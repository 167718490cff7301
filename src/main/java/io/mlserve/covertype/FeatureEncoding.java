package io.mlserve.covertype;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a row of named fields becomes the model's float vector. Saved in each model's {@code metadata.json} (as
 * {@link #toSpec()}) and read back by inference, so training and serving encode identically and nothing about
 * features is hard-coded in the serving path.
 *
 * <p>Encodings: {@code numeric} (the value as a float), {@code onehot} (one column per category, 1 for the value) and
 * {@code ordinal} (the category's index as a float).
 */
public final class FeatureEncoding {
  /** One input field and how it is encoded. */
  public record Feature(String name, String encoding, List<String> categories) {
    public Feature {
      if (!encoding.equals("numeric") && !encoding.equals("onehot") && !encoding.equals("ordinal")) {
        throw new IllegalArgumentException("unknown encoding '" + encoding + "' for " + name);
      }
      if (!encoding.equals("numeric") && (categories == null || categories.isEmpty())) {
        throw new IllegalArgumentException(name + ": " + encoding + " needs categories");
      }
      categories = categories == null ? List.of() : List.copyOf(categories);
    }

    int width() {
      return encoding.equals("onehot") ? categories.size() : 1;
    }
  }

  private final List<Feature> features;
  private final int[] offsets;
  private final int width;
  private final List<Map<String, Integer>> categoryIndex = new ArrayList<>();

  public FeatureEncoding(List<Feature> features) {
    this.features = List.copyOf(features);
    this.offsets = new int[features.size()];
    int w = 0;
    for (int i = 0; i < features.size(); i++) {
      offsets[i] = w;
      w += features.get(i).width();
      Map<String, Integer> idx = new HashMap<>();
      List<String> cats = features.get(i).categories();
      for (int c = 0; c < cats.size(); c++) {
        idx.put(cats.get(c), c);
      }
      categoryIndex.add(idx);
    }
    this.width = w;
  }

  /** The Covertype encoding with categories one-hot (the layout of the original 54-column data set). */
  public static FeatureEncoding covertypeOneHot() {
    List<Feature> f = new ArrayList<>();
    CovertypeSchema.NUMERIC.keySet().forEach(n -> f.add(new Feature(n, "numeric", null)));
    f.add(new Feature(CovertypeSchema.WILDERNESS, "onehot", CovertypeSchema.WILDERNESS_AREAS));
    f.add(new Feature(CovertypeSchema.SOIL, "onehot", CovertypeSchema.SOIL_TYPES));
    return new FeatureEncoding(f);
  }

  public List<Feature> features() {
    return features;
  }

  /** Number of floats per row. */
  public int width() {
    return width;
  }

  /** Names of the encoded columns, e.g. {@code Soil_Type=C7745}. */
  public List<String> columnNames() {
    List<String> names = new ArrayList<>(width);
    for (Feature f : features) {
      if (f.encoding().equals("onehot")) {
        f.categories().forEach(c -> names.add(f.name() + "=" + c));
      } else {
        names.add(f.name());
      }
    }
    return names;
  }

  /**
   * Writes the encoding of {@code row} into {@code dest[offset .. offset + width)}. The row must have been validated:
   * an unknown category or a non-number here is a programming error.
   */
  public void encode(Map<String, Object> row, float[] dest, int offset) {
    for (int i = 0; i < features.size(); i++) {
      Feature f = features.get(i);
      int at = offset + offsets[i];
      Object v = row.get(f.name());
      switch (f.encoding()) {
        case "numeric" -> dest[at] = ((Number) v).floatValue();
        case "ordinal" -> dest[at] = index(i, f, v);
        default -> {
          for (int c = 0; c < f.categories().size(); c++) {
            dest[at + c] = 0f;
          }
          dest[at + index(i, f, v)] = 1f;
        }
      }
    }
  }

  public float[] encode(Map<String, Object> row) {
    float[] out = new float[width];
    encode(row, out, 0);
    return out;
  }

  private int index(int i, Feature f, Object v) {
    Integer idx = categoryIndex.get(i).get(String.valueOf(v));
    if (idx == null) {
      throw new IllegalArgumentException("unknown " + f.name() + " '" + v + "'");
    }
    return idx;
  }

  /** Plain-Java form for {@code metadata.json}: a list of {name, encoding, categories?}. */
  public List<Map<String, Object>> toSpec() {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Feature f : features) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", f.name());
      m.put("encoding", f.encoding());
      if (!f.categories().isEmpty()) {
        m.put("categories", f.categories());
      }
      out.add(m);
    }
    return out;
  }

  /**
   * Reads {@link #toSpec()} back. Entries are plain maps (decode JSON with {@code Json.decodeValue(text, List.class)}
   * or pass {@code JsonArray.getList()} of a parsed document).
   */
  public static FeatureEncoding fromSpec(List<?> spec) {
    List<Feature> f = new ArrayList<>();
    for (Object o : spec) {
      if (!(o instanceof Map<?, ?> m)) {
        throw new IllegalArgumentException("feature spec entries must be objects, got " + o);
      }
      List<String> categories = null;
      if (m.get("categories") instanceof Iterable<?> it) { // a List, or a JsonArray from a parsed document
        categories = new ArrayList<>();
        for (Object c : it) {
          categories.add(String.valueOf(c));
        }
      }
      f.add(new Feature(String.valueOf(m.get("name")), String.valueOf(m.get("encoding")), categories));
    }
    return new FeatureEncoding(f);
  }
}
