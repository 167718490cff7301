package io.mlserve.covertype;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.StringWriter;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class CovertypeGeneratorTest {

  @Test
  @DisplayName("every generated row passes the schema validation, and the same seed gives the same rows")
  void validAndDeterministic() {
    List<Map<String, Object>> a = new CovertypeGenerator(7).rows(5000);
    List<Map<String, Object>> b = new CovertypeGenerator(7).rows(5000);
    assertThat(a).isEqualTo(b);
    assertThat(new CovertypeGenerator(8).rows(10)).isNotEqualTo(a.subList(0, 10));
    for (Map<String, Object> row : a) {
      assertThat(RowValidator.validate(row, true)).as("row %s", row).isNull();
    }
  }

  @Test
  @DisplayName("class mix follows the real sample: lodgepole pine (2) most common, cottonwood (4) rare")
  void classMix() {
    int[] counts = new int[8];
    new CovertypeGenerator(1).rows(20_000).forEach(r -> counts[(Integer) r.get("Cover_Type")]++);
    assertThat(counts[2]).isBetween(9000, 10_500);   // 48.6% in the sample
    assertThat(counts[1]).isBetween(6700, 7900);     // 36.6%
    assertThat(counts[4]).isBetween(40, 150);        // 0.45%
    // krummholz (7) grows high, ponderosa pine (3) low
    double elev7 = new CovertypeGenerator(2).rows(20_000).stream().filter(r -> r.get("Cover_Type").equals(7))
        .mapToInt(r -> (Integer) r.get("Elevation")).average().orElseThrow();
    assertThat(elev7).isBetween(3250.0, 3450.0);
  }

  @Test
  @DisplayName("CSV output has the real header and one line per row")
  void csv() throws Exception {
    StringWriter w = new StringWriter();
    new CovertypeGenerator(3).writeCsv(w, 10);
    String[] lines = w.toString().split("\n");
    assertThat(lines).hasSize(11);
    assertThat(lines[0]).startsWith("Elevation,Aspect,Slope,").endsWith(",Wilderness_Area,Soil_Type,Cover_Type");
    assertThat(lines[1].split(",")).hasSize(13);
  }
}
