package io.mlserve.inference;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import java.io.InputStream;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class InferenceOpenApiTest {
  @Test
  @DisplayName("openapi.yaml parses and documents GET /models, POST /select-model and POST /predict")
  @SuppressWarnings("unchecked")
  void documented() throws Exception {
    try (InputStream in = getClass().getResourceAsStream("/openapi.yaml")) {
      Map<String, Object> doc = new Yaml().load(in);
      Map<String, Object> paths = (Map<String, Object>) doc.get("paths");
      assertThat((Map<String, Object>) paths.get("/models")).containsKey("get");
      assertThat((Map<String, Object>) paths.get("/select-model")).containsKey("post");
      Map<String, Object> predict = (Map<String, Object>) ((Map<String, Object>) paths.get("/predict")).get("post");
      assertThat((Map<String, Object>) predict.get("responses")).containsKeys("200", "404", "422", "503");
      Map<String, Object> schemas = (Map<String, Object>) ((Map<String, Object>) doc.get("components")).get("schemas");
      assertThat(schemas).containsKeys("CovertypeRow", "Predictions", "Models", "Selected", "Error", "Health");
    }
  }
}
