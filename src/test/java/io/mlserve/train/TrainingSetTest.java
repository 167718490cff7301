package io.mlserve.train;

import io.mlserve.covertype.CovertypeGenerator;
import io.mlserve.covertype.FeatureEncoding;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class TrainingSetTest {
  private static TrainingSet build(List<Map<String, Object>> rows) {
    TrainingSet.Builder b = new TrainingSet.Builder(FeatureEncoding.covertypeOneHot());
    rows.forEach(b::add);
    return b.build();
  }

  @Test
  @DisplayName("row order does not change the data hash, the canonical order or the split; bookkeeping is ignored")
  void orderIndependent() {
    List<Map<String, Object>> rows = new CovertypeGenerator(5).rows(500);
    List<Map<String, Object>> shuffled = new ArrayList<>();
    for (Map<String, Object> r : rows) {
      Map<String, Object> copy = new HashMap<>(r);
      copy.put("_id", "x" + shuffled.size());
      copy.put("batch", 3);
      copy.put("rowHash", "abc");
      shuffled.add(copy);
    }
    Collections.shuffle(shuffled, new Random(1));
    TrainingSet a = build(rows);
    TrainingSet b = build(shuffled);
    assertThat(b.dataHash()).isEqualTo(a.dataHash()).startsWith("sum64:");
    assertThat(b.x()).isEqualTo(a.x());
    assertThat(b.y()).isEqualTo(a.y());
    List<Map<String, Object>> changed = new ArrayList<>(rows);
    Map<String, Object> edited = new HashMap<>(changed.get(0));
    edited.put("Elevation", ((Number) edited.get("Elevation")).intValue() + 1);
    changed.set(0, edited);
    assertThat(build(changed).dataHash()).isNotEqualTo(a.dataHash());
  }

  @Test
  @DisplayName("invalid rows are left out and counted with the first reason")
  void invalidRows() {
    TrainingSet.Builder b = new TrainingSet.Builder(FeatureEncoding.covertypeOneHot());
    Map<String, Object> good = new CovertypeGenerator(1).next();
    Map<String, Object> bad = new HashMap<>(good);
    bad.put("Soil_Type", "C0000");
    assertThat(b.add(good)).isTrue();
    assertThat(b.add(bad)).isFalse();
    assertThat(b.invalid()).isEqualTo(1);
    assertThat(b.firstProblem()).contains("Soil_Type");
    assertThat(b.build().rows()).isEqualTo(1);
  }
}
