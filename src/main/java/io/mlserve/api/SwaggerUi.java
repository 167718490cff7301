package io.mlserve.api;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** Finds the version of the Swagger UI webjar on the classpath, so upgrading it is a pom change only. */
final class SwaggerUi {
  static final String VERSION = detect();

  private SwaggerUi() {
  }

  private static String detect() {
    try (InputStream in = SwaggerUi.class.getResourceAsStream(
        "/META-INF/maven/org.webjars/swagger-ui/pom.properties")) {
      Properties p = new Properties();
      if (in != null) {
        p.load(in);
      }
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }
}
