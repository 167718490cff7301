package io.mlserve.inference;

import io.mlserve.covertype.CovertypeGenerator;
import io.mlserve.covertype.FeatureEncoding;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class EncodingAndFormatTest {

  @Test
  @DisplayName("the serving encoder writes exactly what FeatureEncoding (training's encoding) writes")
  void encoderMatchesTrainingEncoding() {
    List<FeatureEncoding.Feature> mixed = new java.util.ArrayList<>(FeatureEncoding.covertypeOneHot().features());
    FeatureEncoding.Feature soil = mixed.remove(mixed.size() - 1);
    mixed.add(new FeatureEncoding.Feature(soil.name(), "ordinal", soil.categories())); // ordinal too
    for (FeatureEncoding enc : List.of(FeatureEncoding.covertypeOneHot(), new FeatureEncoding(mixed))) {
      RowEncoder encoder = new RowEncoder(enc);
      List<Map<String, Object>> rows = PredictApiTest.features(new CovertypeGenerator(17).rows(500));
      float[] dest = new float[rows.size() * enc.width()];
      assertThat(encoder.encode(rows, 0, dest, 0)).isNull();
      for (int r = 0; r < rows.size(); r++) {
        float[] expected = enc.encode(rows.get(r));
        float[] actual = java.util.Arrays.copyOfRange(dest, r * enc.width(), (r + 1) * enc.width());
        assertThat(actual).as("row %d", r).containsExactly(expected);
      }
    }
  }

  @Test
  @DisplayName("the answer is valid JSON with 6-decimal probabilities keyed by class label")
  void format() {
    Predictions p = new Predictions("m\"x", 3, new long[] {1, 2, 7}, new long[] {2, 7},
        new float[] {0.1f, 0.6666667f, 0.2333333f, 0f, 1.0000001f, 1e-7f});
    JsonObject json = new JsonObject(new String(PredictionFormat.json(p, "Cover_Type"), StandardCharsets.UTF_8));
    assertThat(json.getString("model")).isEqualTo("m\"x");
    assertThat(json.getInteger("version")).isEqualTo(3);
    JsonObject first = json.getJsonArray("predictions").getJsonObject(0);
    assertThat(first.getInteger("Cover_Type")).isEqualTo(2);
    assertThat(first.getJsonObject("probabilities").fieldNames()).containsExactly("1", "2", "7");
    assertThat(first.getJsonObject("probabilities").getDouble("1")).isEqualTo(0.1);
    assertThat(first.getJsonObject("probabilities").getDouble("2")).isCloseTo(0.666667, within(1e-9));
    JsonObject second = json.getJsonArray("predictions").getJsonObject(1).getJsonObject("probabilities");
    assertThat(second.getDouble("1")).isZero();
    assertThat(second.getDouble("2")).isEqualTo(1.0);
    assertThat(second.getDouble("7")).isZero();
    StringBuilder sb = new StringBuilder();
    PredictionFormat.probability(sb, 0.05f);
    assertThat(sb).hasToString("0.05");
  }

  @Test
  @DisplayName("between processes a PredictCall travels as JSON and arrives marked for validation")
  void codecWireForm() {
    PredictCall.Codec codec = new PredictCall.Codec();
    PredictCall call = new PredictCall("other:2", List.of(InferenceFixtures.EXAMPLE_ROW), true);
    io.vertx.core.buffer.Buffer wire = io.vertx.core.buffer.Buffer.buffer("xx");
    codec.encodeToWire(wire, call);
    PredictCall back = codec.decodeFromWire(2, wire);
    assertThat(back.model()).isEqualTo("other:2");
    assertThat(back.validated()).isFalse();
    assertThat(back.rows()).hasSize(1);
    assertThat(back.rows().get(0)).containsEntry("Soil_Type", "C7745").containsEntry("Elevation", 2596);
    assertThat(codec.transform(call)).isSameAs(call);
  }

  @Test
  @DisplayName("between processes a PredictBatch travels as JSON, keeps its requests apart and arrives unvalidated")
  void batchWireForm() {
    PredictBatch.Codec codec = new PredictBatch.Codec();
    Map<String, Object> other = new java.util.HashMap<>(InferenceFixtures.EXAMPLE_ROW);
    other.put("Elevation", 3001);
    PredictBatch batch = new PredictBatch(null, List.of(List.of(InferenceFixtures.EXAMPLE_ROW),
        List.of(other, InferenceFixtures.EXAMPLE_ROW)), true);
    io.vertx.core.buffer.Buffer wire = io.vertx.core.buffer.Buffer.buffer("x");
    codec.encodeToWire(wire, batch);
    PredictBatch back = codec.decodeFromWire(1, wire);
    assertThat(back.model()).isNull();
    assertThat(back.validated()).isFalse();
    assertThat(back.requests()).extracting(List::size).containsExactly(1, 2);
    assertThat(back.requests().get(1).get(0)).containsEntry("Elevation", 3001).containsEntry("Soil_Type", "C7745");
    assertThat(codec.transform(batch)).isSameAs(batch);
  }

  @Test
  @DisplayName("between processes outcomes keep every probability bit for bit, and errors their status and fields")
  void outcomesWireForm() {
    PredictOutcomes.Codec codec = new PredictOutcomes.Codec();
    float[] probs = {0.1f, 0.2f, 0.7f, 1f / 3, 0f, 0f, 2f / 3};
    Predictions p = new Predictions("modelo1", 4, new long[] {1, 2, 3, 4, 5, 6, 7}, new long[] {3}, probs);
    io.mlserve.common.ApiError err = io.mlserve.common.ApiError.unprocessable("Slope", "above 90").with("index", 0);
    PredictOutcomes out = new PredictOutcomes(List.of(PredictOutcomes.Outcome.of(p, "Cover_Type"),
        PredictOutcomes.Outcome.failed(err)));
    io.vertx.core.buffer.Buffer wire = io.vertx.core.buffer.Buffer.buffer();
    codec.encodeToWire(wire, out);
    PredictOutcomes back = codec.decodeFromWire(0, wire);
    Predictions q = back.outcomes().get(0).predictions();
    assertThat(q.model()).isEqualTo("modelo1");
    assertThat(q.version()).isEqualTo(4);
    assertThat(q.classes()).containsExactly(1, 2, 3, 4, 5, 6, 7);
    assertThat(q.labels()).containsExactly(3);
    assertThat(q.probabilities()).containsExactly(probs);
    assertThat(back.outcomes().get(0).target()).isEqualTo("Cover_Type");
    io.mlserve.common.ApiError e = back.outcomes().get(1).error();
    assertThat(e.status()).isEqualTo(422);
    assertThat(e.field()).isEqualTo("Slope");
    assertThat(e.toJson()).isEqualTo(err.toJson());
  }
}
