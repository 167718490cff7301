package io.mlserve.config;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Builds the effective configuration: built-in defaults &lt; {@code --conf file.json} &lt; environment variables.
 *
 * <p>Every leaf of {@code mlserve-defaults.json} can be set from the environment as {@code MLSERVE_} plus its path
 * in upper snake case ({@code http.port} → {@code MLSERVE_HTTP_PORT}, {@code cache.ttlSeconds} →
 * {@code MLSERVE_CACHE_TTL_SECONDS}); a few conventional names ({@code MONGO_URI}, {@code REDIS_URL}, ...) are
 * aliases. The default's JSON type decides how an environment string is parsed, so there is one source of truth
 * for keys and types, and a key unknown to the defaults is an error rather than a silently ignored typo.
 */
public final class ConfigLoader {
  public static final String DEFAULTS_RESOURCE = "/mlserve-defaults.json";

  /** Conventional environment names kept for compatibility with the usual Docker/compose setups. */
  public static final Map<String, String> ENV_ALIASES = Map.of(
      "MONGO_URI", "mongo.uri",
      "MONGO_DB", "mongo.db",
      "REDIS_URL", "redis.url",
      "MLSERVE_CACHE_TTL", "cache.ttlSeconds",
      "MLSERVE_ADMIN_KEY", "security.adminKey",
      "MLSERVE_READ_KEY", "security.readKey",
      "MLSERVE_MODELS_DIR", "models.dir");

  private ConfigLoader() {
  }

  /** Loads and validates the typed configuration. */
  public static MlserveConfig load(Path confFile, Map<String, String> env) {
    Map<String, String> sources = new LinkedHashMap<>();
    JsonObject merged = merge(confFile, env, sources);
    return MlserveConfig.from(new ConfigReader(merged, sources));
  }

  /** Loads with extra overrides applied last (tests and tools use this instead of fake environments). */
  public static MlserveConfig load(Path confFile, Map<String, String> env, JsonObject overrides) {
    Map<String, String> sources = new LinkedHashMap<>();
    JsonObject merged = merge(confFile, env, sources);
    JsonObject defaults = defaults();
    overlay(defaults, merged, overrides, "", "override", sources);
    return MlserveConfig.from(new ConfigReader(merged, sources));
  }

  static JsonObject merge(Path confFile, Map<String, String> env, Map<String, String> sources) {
    JsonObject defaults = defaults();
    JsonObject merged = defaults.copy();
    if (confFile != null) {
      JsonObject file = readFile(confFile);
      overlay(defaults, merged, file, "", "file " + confFile, sources);
    }
    applyEnv(defaults, merged, env, sources);
    return merged;
  }

  public static JsonObject defaults() {
    try (InputStream in = ConfigLoader.class.getResourceAsStream(DEFAULTS_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(DEFAULTS_RESOURCE + " is missing from the classpath");
      }
      return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + DEFAULTS_RESOURCE, e);
    }
  }

  private static JsonObject readFile(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new ConfigException("--conf", null, file, "cannot read the file (" + e.getMessage() + ")");
    }
    try {
      return new JsonObject(text);
    } catch (DecodeException e) {
      throw new ConfigException("--conf", null, file, "not a JSON object (" + e.getMessage() + ")");
    }
  }

  /** Copies {@code layer} onto {@code target}, checking every key and type against the defaults. */
  private static void overlay(JsonObject defaults, JsonObject target, JsonObject layer, String prefix,
                              String source, Map<String, String> sources) {
    for (Map.Entry<String, Object> e : layer) {
      String path = prefix + e.getKey();
      if (!defaults.containsKey(e.getKey())) {
        throw new ConfigException(path, source, e.getValue(), "unknown key (known keys here: "
            + String.join(", ", defaults.fieldNames()) + ")");
      }
      Object def = defaults.getValue(e.getKey());
      Object value = e.getValue();
      if (def instanceof JsonObject defObj) {
        if (!(value instanceof JsonObject valueObj)) {
          throw new ConfigException(path, source, value, "must be a JSON object");
        }
        overlay(defObj, target.getJsonObject(e.getKey()), valueObj, path + ".", source, sources);
      } else {
        target.put(e.getKey(), coerce(def, value, path, source));
        sources.put(path, source);
      }
    }
  }

  private static Object coerce(Object def, Object value, String path, String source) {
    if (value == null) {
      throw new ConfigException(path, source, null, "must not be null");
    }
    if (def instanceof Number) {
      if (value instanceof Number) {
        return value;
      }
      throw new ConfigException(path, source, value, "must be a number");
    }
    if (def instanceof Boolean && !(value instanceof Boolean)) {
      throw new ConfigException(path, source, value, "must be true or false");
    }
    if (def instanceof String && !(value instanceof String)) {
      throw new ConfigException(path, source, value, "must be a string");
    }
    if (def instanceof JsonArray && !(value instanceof JsonArray)) {
      throw new ConfigException(path, source, value, "must be a JSON array");
    }
    return value;
  }

  private static void applyEnv(JsonObject defaults, JsonObject merged, Map<String, String> env,
                               Map<String, String> sources) {
    Map<String, String> envToPath = new LinkedHashMap<>();
    collectLeaves(defaults, "", envToPath);
    envToPath.putAll(ENV_ALIASES);
    for (Map.Entry<String, String> binding : envToPath.entrySet()) {
      String raw = env.get(binding.getKey());
      if (raw == null) {
        continue;
      }
      String path = binding.getValue();
      String source = "env " + binding.getKey();
      Object def = valueAt(defaults, path);
      setAt(merged, path, parseEnv(def, raw.trim(), path, source));
      sources.put(path, source);
    }
  }

  /** Every environment variable the configuration reads, mapped to its key. */
  public static Map<String, String> knownEnvNames() {
    Map<String, String> envToPath = new LinkedHashMap<>();
    collectLeaves(defaults(), "", envToPath);
    envToPath.putAll(ENV_ALIASES);
    return envToPath;
  }

  private static void collectLeaves(JsonObject node, String prefix, Map<String, String> envToPath) {
    for (Map.Entry<String, Object> e : node) {
      String path = prefix + e.getKey();
      if (e.getValue() instanceof JsonObject child) {
        collectLeaves(child, path + ".", envToPath);
      } else {
        envToPath.put(envName(path), path);
      }
    }
  }

  /** {@code cache.ttlSeconds} → {@code MLSERVE_CACHE_TTL_SECONDS}. */
  public static String envName(String path) {
    StringBuilder sb = new StringBuilder("MLSERVE_");
    for (char c : path.toCharArray()) {
      if (c == '.') {
        sb.append('_');
      } else if (Character.isUpperCase(c)) {
        sb.append('_').append(c);
      } else {
        sb.append(Character.toUpperCase(c));
      }
    }
    return sb.toString();
  }

  private static Object parseEnv(Object def, String raw, String path, String source) {
    try {
      if (def instanceof Integer || def instanceof Long) {
        return Long.parseLong(raw);
      }
      if (def instanceof Number) {
        double d = Double.parseDouble(raw);
        if (!Double.isFinite(d)) {
          throw new NumberFormatException();
        }
        return d;
      }
    } catch (NumberFormatException e) {
      throw new ConfigException(path, source, raw, def instanceof Double ? "must be a number" : "must be an integer");
    }
    if (def instanceof Boolean) {
      if (raw.equalsIgnoreCase("true") || raw.equalsIgnoreCase("false")) {
        return Boolean.parseBoolean(raw);
      }
      throw new ConfigException(path, source, raw, "must be true or false");
    }
    if (def instanceof JsonArray) {
      JsonArray arr = new JsonArray();
      for (String part : raw.split(",")) {
        if (!part.isBlank()) {
          arr.add(part.trim());
        }
      }
      return arr;
    }
    return raw;
  }

  private static Object valueAt(JsonObject root, String path) {
    String[] parts = path.split("\\.");
    JsonObject node = root;
    for (int i = 0; i < parts.length - 1; i++) {
      node = node.getJsonObject(parts[i]);
    }
    return node.getValue(parts[parts.length - 1]);
  }

  private static void setAt(JsonObject root, String path, Object value) {
    String[] parts = path.split("\\.");
    JsonObject node = root;
    for (int i = 0; i < parts.length - 1; i++) {
      node = node.getJsonObject(parts[i]);
    }
    node.put(parts[parts.length - 1], value);
  }
}
