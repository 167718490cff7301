package io.mlserve.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Typed, validated reads from the merged configuration tree. Each failure names the key, where its value came
 * from and the value itself.
 */
public final class ConfigReader {
  private final JsonObject root;
  private final Map<String, String> sources;

  ConfigReader(JsonObject root, Map<String, String> sources) {
    this.root = root;
    this.sources = sources;
  }

  public JsonObject raw() {
    return root.copy();
  }

  private Object value(String path) {
    String[] parts = path.split("\\.");
    JsonObject node = root;
    for (int i = 0; i < parts.length - 1; i++) {
      node = node.getJsonObject(parts[i]);
      if (node == null) {
        throw new IllegalStateException("no config section for " + path);
      }
    }
    if (!node.containsKey(parts[parts.length - 1])) {
      throw new IllegalStateException("config key " + path + " missing from the defaults");
    }
    return node.getValue(parts[parts.length - 1]);
  }

  private ConfigException bad(String path, Object value, String problem) {
    return new ConfigException(path, sources.getOrDefault(path, "default"), value, problem);
  }

  public long longIn(String path, long min, long max) {
    Object v = value(path);
    if (!(v instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
      throw bad(path, v, "must be an integer");
    }
    long l = n.longValue();
    if (l < min || l > max) {
      throw bad(path, v, "must be between " + min + " and " + max);
    }
    return l;
  }

  public int intIn(String path, int min, int max) {
    return (int) longIn(path, min, max);
  }

  public double doubleIn(String path, double min, double max) {
    Object v = value(path);
    if (!(v instanceof Number n) || !Double.isFinite(n.doubleValue())) {
      throw bad(path, v, "must be a finite number");
    }
    double d = n.doubleValue();
    if (d < min || d > max) {
      throw bad(path, v, "must be between " + min + " and " + max);
    }
    return d;
  }

  public boolean bool(String path) {
    Object v = value(path);
    if (!(v instanceof Boolean b)) {
      throw bad(path, v, "must be true or false");
    }
    return b;
  }

  public String string(String path) {
    Object v = value(path);
    if (!(v instanceof String s)) {
      throw bad(path, v, "must be a string");
    }
    return s;
  }

  public String nonBlank(String path) {
    String s = string(path);
    if (s.isBlank()) {
      throw bad(path, s, "must not be empty");
    }
    return s;
  }

  public String oneOf(String path, Set<String> allowed) {
    String s = string(path);
    if (!allowed.contains(s)) {
      throw bad(path, s, "must be one of " + String.join(", ", allowed));
    }
    return s;
  }

  /** A URI with one of the given schemes and a host; empty allowed when {@code optional}. */
  public String uri(String path, Set<String> schemes, boolean optional) {
    String s = string(path).trim();
    if (s.isEmpty()) {
      if (optional) {
        return "";
      }
      throw bad(path, s, "must not be empty");
    }
    try {
      URI uri = new URI(s);
      if (uri.getScheme() == null || !schemes.contains(uri.getScheme())) {
        throw bad(path, s, "scheme must be one of " + String.join(", ", schemes));
      }
      // mongodb://host1,host2 has no single host for java.net.URI; accept it when an authority is present
      if (uri.getHost() == null && (uri.getRawAuthority() == null || uri.getRawAuthority().isBlank())) {
        throw bad(path, s, "must name a host, e.g. " + schemes.iterator().next() + "://127.0.0.1");
      }
      if (uri.getPort() > 65535) {
        throw bad(path, s, "port must be 1-65535");
      }
    } catch (URISyntaxException e) {
      throw bad(path, s, "malformed URI (" + e.getReason() + ")");
    }
    return s;
  }

  public List<String> strings(String path) {
    Object v = value(path);
    if (!(v instanceof JsonArray arr)) {
      throw bad(path, v, "must be a list of strings");
    }
    List<String> out = new ArrayList<>();
    for (Object o : arr) {
      if (!(o instanceof String s)) {
        throw bad(path, v, "must be a list of strings");
      }
      out.add(s);
    }
    return List.copyOf(out);
  }
}
