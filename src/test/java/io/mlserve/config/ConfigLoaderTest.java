package io.mlserve.config;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigLoaderTest {
  @TempDir
  Path dir;

  private Path file(String json) throws Exception {
    Path f = dir.resolve("conf.json");
    Files.writeString(f, json);
    return f;
  }

  @Test
  @DisplayName("built-in defaults run with no setup")
  void defaults() {
    MlserveConfig c = ConfigLoader.load(null, Map.of());
    assertThat(c.http().port()).isEqualTo(8080);
    assertThat(c.mongo().embedded()).isTrue();
    assertThat(c.mongo().embeddedBackend()).isEqualTo("h2");
    assertThat(c.redis().url()).isEqualTo("redis://127.0.0.1:6379");
    assertThat(c.cache().ttlSeconds()).isEqualTo(3600);
    assertThat(c.dataDir()).isEqualTo(Path.of("./data"));
  }

  @Test
  @DisplayName("defaults < --conf file < environment variables")
  void precedence() throws Exception {
    Path f = file("{\"http\": {\"port\": 9000, \"host\": \"127.0.0.1\"}, \"cache\": {\"ttlSeconds\": 60}}");
    MlserveConfig fileOnly = ConfigLoader.load(f, Map.of());
    assertThat(fileOnly.http().port()).isEqualTo(9000);
    assertThat(fileOnly.http().host()).isEqualTo("127.0.0.1");
    assertThat(fileOnly.cache().ttlSeconds()).isEqualTo(60);

    MlserveConfig withEnv = ConfigLoader.load(f, Map.of(
        "MLSERVE_HTTP_PORT", "9100",
        "MLSERVE_CACHE_TTL_SECONDS", "120",
        "MONGO_URI", "mongodb://db.example:27017",
        "MONGO_DB", "other",
        "REDIS_URL", "redis://cache:6380",
        "MLSERVE_REDIS_PREFIX", "p:",
        "MLSERVE_DATA_DIR", "/var/lib/mlserve"));
    assertThat(withEnv.http().port()).isEqualTo(9100);
    assertThat(withEnv.http().host()).isEqualTo("127.0.0.1"); // the file still wins over the default
    assertThat(withEnv.cache().ttlSeconds()).isEqualTo(120);
    assertThat(withEnv.mongo().uri()).isEqualTo("mongodb://db.example:27017");
    assertThat(withEnv.mongo().embedded()).isFalse();
    assertThat(withEnv.mongo().db()).isEqualTo("other");
    assertThat(withEnv.redis().url()).isEqualTo("redis://cache:6380");
    assertThat(withEnv.redis().prefix()).isEqualTo("p:");
    assertThat(withEnv.dataDir()).isEqualTo(Path.of("/var/lib/mlserve"));
  }

  @Test
  @DisplayName("every default key has a derived MLSERVE_ environment name")
  void envNames() {
    assertThat(ConfigLoader.envName("http.port")).isEqualTo("MLSERVE_HTTP_PORT");
    assertThat(ConfigLoader.envName("cache.ttlSeconds")).isEqualTo("MLSERVE_CACHE_TTL_SECONDS");
    assertThat(ConfigLoader.envName("dataDir")).isEqualTo("MLSERVE_DATA_DIR");
    assertThat(ConfigLoader.load(null, Map.of("MLSERVE_HTTP_SHUTDOWN_GRACE_MS", "1234")).http().shutdownGraceMs())
        .isEqualTo(1234);
    assertThat(ConfigLoader.load(null, Map.of("MLSERVE_REDIS_REQUIRED", "false")).redis().required()).isFalse();
  }

  @Test
  @DisplayName("feed.write.strategy defaults to insert-first, takes MLSERVE_FEED_WRITE_STRATEGY and refuses others")
  void feedWriteStrategy() {
    assertThat(ConfigLoader.load(null, Map.of()).feed().write().strategy()).isEqualTo("insert-first");
    assertThat(ConfigLoader.load(null, Map.of("MLSERVE_FEED_WRITE_STRATEGY", "probe-insert")).feed().write()
        .strategy()).isEqualTo("probe-insert");
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("MLSERVE_FEED_WRITE_STRATEGY", "merge")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("feed.write.strategy").hasMessageContaining("merge");
  }

  @Test
  @DisplayName("a non-numeric port names the key, its source and the value")
  void badPortFromEnv() {
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("MLSERVE_HTTP_PORT", "abc")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("http.port")
        .hasMessageContaining("MLSERVE_HTTP_PORT")
        .hasMessageContaining("'abc'");
  }

  @Test
  @DisplayName("out-of-range and negative values are rejected")
  void ranges() throws Exception {
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("MLSERVE_HTTP_PORT", "70000")))
        .hasMessageContaining("http.port").hasMessageContaining("between 0 and 65535");
    assertThatThrownBy(() -> ConfigLoader.load(file("{\"cache\": {\"ttlSeconds\": -5}}"), Map.of()))
        .hasMessageContaining("cache.ttlSeconds").hasMessageContaining("'-5'").hasMessageContaining("file");
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("MLSERVE_CACHE_TTL", "-1")))
        .hasMessageContaining("cache.ttlSeconds").hasMessageContaining("MLSERVE_CACHE_TTL");
  }

  @Test
  @DisplayName("malformed URIs are rejected with the key named")
  void badUris() {
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("MONGO_URI", "http://x")))
        .hasMessageContaining("mongo.uri").hasMessageContaining("scheme");
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("REDIS_URL", "redis://[bad")))
        .hasMessageContaining("redis.url").hasMessageContaining("malformed");
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("REDIS_URL", "redis://")))
        .hasMessageContaining("redis.url").hasMessageContaining("malformed");
  }

  @Test
  @DisplayName("unknown keys and wrong types in the file are errors, not silently ignored")
  void strictFile() throws Exception {
    assertThatThrownBy(() -> ConfigLoader.load(file("{\"htttp\": {}}"), Map.of()))
        .hasMessageContaining("htttp").hasMessageContaining("unknown key");
    assertThatThrownBy(() -> ConfigLoader.load(file("{\"http\": {\"port\": \"abc\"}}"), Map.of()))
        .hasMessageContaining("http.port").hasMessageContaining("must be a number");
    assertThatThrownBy(() -> ConfigLoader.load(file("{\"http\": {\"port\": 80.5}}"), Map.of()))
        .hasMessageContaining("http.port").hasMessageContaining("integer");
    assertThatThrownBy(() -> ConfigLoader.load(file("not json"), Map.of()))
        .hasMessageContaining("--conf").hasMessageContaining("not a JSON object");
    assertThatThrownBy(() -> ConfigLoader.load(dir.resolve("missing.json"), Map.of()))
        .hasMessageContaining("cannot read");
  }

  @Test
  @DisplayName("programmatic overrides apply last")
  void overrides() {
    MlserveConfig c = ConfigLoader.load(null, Map.of("MLSERVE_HTTP_PORT", "9100"),
        new JsonObject().put("http", new JsonObject().put("port", 9200)));
    assertThat(c.http().port()).isEqualTo(9200);
  }
}
