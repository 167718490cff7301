package io.mlserve.app;

import io.mlserve.testing.TestApp;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;

import static org.assertj.core.api.Assertions.assertThat;

class RoleSelectionTest {

  @Test
  @DisplayName("--roles recommender deploys the recommender and the management HTTP server only")
  void recommenderOnly() throws Exception {
    try (TestApp app = TestApp.start(EnumSet.of(Role.RECOMMENDER), new JsonObject())) {
      assertThat(app.app().services().deployedVerticles())
          .containsExactlyInAnyOrder("RecommenderVerticle", "HttpServerVerticle");
    }
  }

  @Test
  @DisplayName("--roles feeder,inference deploys exactly their verticles")
  void feederAndInference() throws Exception {
    try (TestApp app = TestApp.start(EnumSet.of(Role.FEEDER, Role.INFERENCE), new JsonObject())) {
      assertThat(app.app().services().deployedVerticles()).containsExactlyInAnyOrder(
          "FeedServerVerticle", "BatchFeederVerticle", "InferenceVerticle", "HttpServerVerticle");
      assertThat(app.app().services().runs(Role.API)).isFalse();
    }
  }

  @Test
  @DisplayName("all roles: every role verticle is deployed")
  void all() throws Exception {
    try (TestApp app = TestApp.start()) {
      assertThat(app.app().services().deployedVerticles()).contains("RecommenderVerticle", "FeedServerVerticle",
          "BatchFeederVerticle", "TrainerVerticle", "InferenceVerticle", "HttpServerVerticle");
    }
  }
}
