package io.mlserve.pipeline;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import java.io.InputStream;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class PipelineDocsTest {
  @Test
  @DisplayName("openapi.yaml documents every feed and pipeline route with its methods")
  @SuppressWarnings("unchecked")
  void routesDocumented() throws Exception {
    try (InputStream in = getClass().getResourceAsStream("/openapi.yaml")) {
      Map<String, Object> doc = new Yaml().load(in);
      Map<String, Map<String, Object>> paths = (Map<String, Map<String, Object>>) doc.get("paths");
      assertThat(paths.get("/feed/status")).containsKey("get");
      assertThat(paths.get("/feed/batches/{n}")).containsKey("get");
      assertThat(((Map<String, Object>) paths.get("/feed/batches/{n}").get("get")).get("responses").toString())
          .contains("425");
      assertThat(paths.get("/feed/restart")).containsKey("post");
      assertThat(paths.get("/pipeline/run")).containsKey("post");
      assertThat(paths.get("/pipeline/runs")).containsKey("get");
      assertThat(paths.get("/pipeline/runs/{runId}")).containsKeys("get", "delete");
      assertThat(paths.get("/pipeline/schedule")).containsKey("get");
    }
  }
}
