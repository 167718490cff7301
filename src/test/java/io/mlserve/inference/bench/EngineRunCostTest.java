package io.mlserve.inference.bench;

import io.mlserve.covertype.CovertypeGenerator;
import io.mlserve.covertype.FeatureEncoding;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EngineRunCostTest {
  @Test
  @DisplayName("the engine-alone timing runs the shipped model at 1, 10 and 64 rows, and a row costs less in a batch")
  void timesRunsOfEachSize() throws Exception {
    List<Map<String, Object>> rows = new CovertypeGenerator(7).rows(64);
    double[] micros = EngineRunCost.measure(Path.of("models"), "modelo1", rows, 0.5);

    assertThat(micros).hasSize(EngineRunCost.BATCH_ROWS.length);
    assertThat(micros[0]).isPositive();
    // a 64-row run costs more than a 1-row run, but far less than 64 of them: the overhead batching amortises
    assertThat(micros[2]).isGreaterThan(micros[0]);
    assertThat(micros[2] / 64).isLessThan(micros[0] / 2);
  }

  @Test
  @DisplayName("successive runs get other rows than the last, as a server's do; one distinct row fills every run")
  void runInputsCycleThroughRows() {
    FeatureEncoding enc = FeatureEncoding.covertypeOneHot();
    List<Map<String, Object>> rows = new CovertypeGenerator(7).rows(100);
    float[][] runs = EngineRunCost.runInputs(enc, rows, 10);
    assertThat(runs).hasNumberOfRows(10);
    assertThat(row(runs[1], 0, enc)).containsExactly(enc.encode(rows.get(10)));
    assertThat(row(runs[9], 9, enc)).containsExactly(enc.encode(rows.get(99)));
    float[][] same = EngineRunCost.runInputs(enc, rows.subList(0, 1), 10);
    assertThat(same).hasNumberOfRows(1);
    for (int r = 0; r < 10; r++) {
      assertThat(row(same[0], r, enc)).containsExactly(enc.encode(rows.get(0)));
    }
  }

  private static float[] row(float[] run, int r, FeatureEncoding enc) {
    return Arrays.copyOfRange(run, r * enc.width(), (r + 1) * enc.width());
  }

  @Test
  @DisplayName("a model directory without a version holding model.onnx is refused with its path")
  void refusesMissingModel(@TempDir Path empty) throws Exception {
    Files.createDirectories(empty.resolve("modelo1").resolve("1"));
    assertThatThrownBy(() -> EngineRunCost.measure(empty, "modelo1", List.of(), 0.1))
        .hasMessageContaining("no version with model.onnx under").hasMessageContaining(empty.toString());
  }
}
