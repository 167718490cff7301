package io.mlserve.covertype;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Covertype forest-cover schema as the feed, the trainer and {@code /predict} use it: 10 integer measurements,
 * two categories ({@code Wilderness_Area}, {@code Soil_Type} as "C" + USFS ELU code) and the label
 * {@code Cover_Type} 1-7. Ranges are physical limits (angles, 8-bit hillshade, distances), not the sample's extremes.
 */
public final class CovertypeSchema {
  public static final String LABEL = "Cover_Type";
  public static final String WILDERNESS = "Wilderness_Area";
  public static final String SOIL = "Soil_Type";

  /** Integer fields in the order of the source CSV, with their inclusive physical ranges. */
  public static final Map<String, Range> NUMERIC = numeric();

  public static final List<String> WILDERNESS_AREAS = List.of("Rawah", "Neota", "Commanche", "Cache");

  /** Soil types 1..40 of the original data set, as "C" + ELU code, in that order. */
  public static final List<String> SOIL_TYPES = List.of(
      "C2702", "C2703", "C2704", "C2705", "C2706", "C2717", "C3501", "C3502", "C4201", "C4703",
      "C4704", "C4744", "C4758", "C5101", "C5151", "C6101", "C6102", "C6731", "C7101", "C7102",
      "C7103", "C7201", "C7202", "C7700", "C7701", "C7702", "C7709", "C7710", "C7745", "C7746",
      "C7755", "C7756", "C7757", "C7790", "C8703", "C8707", "C8708", "C8771", "C8772", "C8776");

  public static final List<Integer> CLASSES = List.of(1, 2, 3, 4, 5, 6, 7);

  /** The 12 input fields in canonical order (CSV order). */
  public static final List<String> INPUT_FIELDS = inputFields();
  public static final Set<String> INPUT_FIELD_SET = Set.copyOf(INPUT_FIELDS);

  /** Inclusive integer range of a numeric field. */
  public record Range(long min, long max) {
  }

  private CovertypeSchema() {
  }

  private static Map<String, Range> numeric() {
    Map<String, Range> m = new LinkedHashMap<>();
    m.put("Elevation", new Range(0, 9000));
    m.put("Aspect", new Range(0, 360));
    m.put("Slope", new Range(0, 90));
    m.put("Horizontal_Distance_To_Hydrology", new Range(0, 100_000));
    m.put("Vertical_Distance_To_Hydrology", new Range(-10_000, 10_000));
    m.put("Horizontal_Distance_To_Roadways", new Range(0, 100_000));
    m.put("Hillshade_9am", new Range(0, 255));
    m.put("Hillshade_Noon", new Range(0, 255));
    m.put("Hillshade_3pm", new Range(0, 255));
    m.put("Horizontal_Distance_To_Fire_Points", new Range(0, 100_000));
    return java.util.Collections.unmodifiableMap(m);
  }

  private static List<String> inputFields() {
    List<String> f = new ArrayList<>(NUMERIC.keySet());
    f.add(WILDERNESS);
    f.add(SOIL);
    return List.copyOf(f);
  }

  public static List<String> categories(String field) {
    return switch (field) {
      case WILDERNESS -> WILDERNESS_AREAS;
      case SOIL -> SOIL_TYPES;
      default -> throw new IllegalArgumentException(field + " is not a category field");
    };
  }
}
