package io.mlserve.covertype;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class RowValidatorTest {
  static Map<String, Object> example() {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("Elevation", 2596);
    row.put("Aspect", 51);
    row.put("Slope", 3);
    row.put("Horizontal_Distance_To_Hydrology", 258);
    row.put("Vertical_Distance_To_Hydrology", 0);
    row.put("Horizontal_Distance_To_Roadways", 510);
    row.put("Hillshade_9am", 221);
    row.put("Hillshade_Noon", 232);
    row.put("Hillshade_3pm", 148);
    row.put("Horizontal_Distance_To_Fire_Points", 6279);
    row.put("Wilderness_Area", "Rawah");
    row.put("Soil_Type", "C7745");
    return row;
  }

  private static RowValidator.Problem with(String field, Object value) {
    Map<String, Object> row = new HashMap<>(example());
    row.put(field, value);
    return RowValidator.validate(row, false);
  }

  @Test
  @DisplayName("the documented example row is valid; with a label it is a valid feed row")
  void valid() {
    assertThat(RowValidator.validate(example(), false)).isNull();
    Map<String, Object> feedRow = new HashMap<>(example());
    feedRow.put("Cover_Type", 5);
    assertThat(RowValidator.validate(feedRow, true)).isNull();
    assertThat(RowValidator.validate(feedRow, false).field()).isEqualTo("Cover_Type");
  }

  @Test
  @DisplayName("each kind of bad value names its field")
  void problems() {
    assertThat(with("Aspect", 361).reason()).contains("between 0 and 360");
    assertThat(with("Slope", -1).field()).isEqualTo("Slope");
    assertThat(with("Hillshade_Noon", 256).reason()).contains("255");
    assertThat(with("Elevation", "2596").reason()).contains("must be an integer, got a string");
    assertThat(with("Elevation", 2596.5).reason()).contains("integer");
    assertThat(with("Elevation", Double.NaN).reason()).contains("finite");
    assertThat(with("Elevation", null).reason()).contains("got null");
    assertThat(with("Wilderness_Area", "Yosemite").allowed()).containsExactly("Rawah", "Neota", "Commanche", "Cache");
    assertThat(with("Soil_Type", 7745).reason()).contains("must be a string");
    assertThat(with("Soil_Type", "C9999").allowed()).hasSize(40);
    assertThat(with("Extra", 1).reason()).contains("unknown field 'Extra'");
    Map<String, Object> missing = new HashMap<>(example());
    missing.remove("Hillshade_3pm");
    assertThat(RowValidator.validate(missing, false).reason()).isEqualTo("missing field Hillshade_3pm");
    Map<String, Object> badLabel = new HashMap<>(example());
    badLabel.put("Cover_Type", 8);
    assertThat(RowValidator.validate(badLabel, true).field()).isEqualTo("Cover_Type");
  }

  @Test
  @DisplayName("one-hot encoding: 10 numbers, 4 + 40 indicator columns, round-trips through its spec")
  void encoding() {
    FeatureEncoding enc = FeatureEncoding.covertypeOneHot();
    assertThat(enc.width()).isEqualTo(54);
    float[] v = enc.encode(example());
    assertThat(v[0]).isEqualTo(2596f);
    assertThat(v[10]).isEqualTo(1f); // Rawah
    assertThat(v[11] + v[12] + v[13]).isZero();
    int soil = CovertypeSchema.SOIL_TYPES.indexOf("C7745");
    assertThat(v[14 + soil]).isEqualTo(1f);
    double soilSum = 0;
    for (int i = 14; i < 54; i++) {
      soilSum += v[i];
    }
    assertThat(soilSum).isEqualTo(1.0);
    FeatureEncoding back = FeatureEncoding.fromSpec(enc.toSpec());
    assertThat(back.encode(example())).containsExactly(v);
    assertThat(back.columnNames()).hasSize(54).contains("Soil_Type=C7745");
    FeatureEncoding ordinal = FeatureEncoding.fromSpec(List.of(
        Map.of("name", "Soil_Type", "encoding", "ordinal", "categories", CovertypeSchema.SOIL_TYPES)));
    assertThat(ordinal.encode(example())).containsExactly((float) soil);
  }
}
