package io.mlserve.app;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** Name, version and git commit of this build, from {@code mlserve-build.properties} (filtered by Maven). */
public record BuildInfo(String name, String version, String commit) {

  public static BuildInfo load() {
    Properties p = new Properties();
    try (InputStream in = BuildInfo.class.getResourceAsStream("/mlserve-build.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException ignored) {
      // fall through to defaults: build info is informative only
    }
    return new BuildInfo("mlserve", clean(p.getProperty("version"), "dev"), clean(p.getProperty("commit"), "unknown"));
  }

  private static String clean(String v, String fallback) {
    return v == null || v.isBlank() || v.startsWith("${") ? fallback : v;
  }

  public JsonObject toJson() {
    return new JsonObject().put("name", name).put("version", version).put("commit", commit);
  }
}
