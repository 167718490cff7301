package io.mlserve.api;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.mlserve.testing.TestApp;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.Checkpoint;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import net.logstash.logback.marker.LogstashMarker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(VertxExtension.class)
class HttpBasicsTest {
  private static TestApp app;

  @BeforeAll
  static void start() throws Exception {
    // like a fresh install, which ships a bootstrap model: the inference role is ready only with a model
    java.nio.file.Path models = java.nio.file.Files.createTempDirectory("mlserve-models");
    io.mlserve.inference.InferenceFixtures.write(models, "modelo1", 1, 1, 3);
    app = TestApp.start(java.util.EnumSet.allOf(io.mlserve.app.Role.class), new JsonObject()
        .put("models", new JsonObject().put("dir", models.toString())));
  }

  @AfterAll
  static void stop() throws Exception {
    app.close();
  }

  private static WebClient client(Vertx vertx) {
    return WebClient.create(vertx);
  }

  private static void assertJsonError(HttpResponse<Buffer> r, int status, String error) {
    assertThat(r.statusCode()).isEqualTo(status);
    assertThat(r.getHeader("Content-Type")).isEqualTo("application/json");
    JsonObject body = r.bodyAsJsonObject();
    assertThat(body.getString("error")).isEqualTo(error);
    assertThat(body.getString("detail")).isNotBlank();
    assertThat(body.encode()).doesNotContain("Exception").doesNotContain("\tat ");
  }

  @Test
  @DisplayName("GET /health/live and /health/ready answer 200 with Mongo and Redis up")
  void health(Vertx vertx, VertxTestContext ctx) {
    Checkpoint done = ctx.checkpoint(2);
    client(vertx).get(app.port(), "127.0.0.1", "/health/live").send().onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.bodyAsJsonObject().getString("status")).isEqualTo("UP");
      done.flag();
    })));
    client(vertx).get(app.port(), "127.0.0.1", "/health/ready").send().onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      assertThat(r.statusCode()).isEqualTo(200);
      JsonObject body = r.bodyAsJsonObject();
      assertThat(body.getString("status")).isEqualTo("UP");
      assertThat(body.getJsonArray("checks").stream().map(o -> ((JsonObject) o).getString("id")))
          .contains("mongo", "redis");
      done.flag();
    })));
  }

  @Test
  @DisplayName("GET /metrics is Prometheus text with HTTP server and JVM series")
  void metrics(Vertx vertx, VertxTestContext ctx) {
    WebClient c = client(vertx);
    c.get(app.port(), "127.0.0.1", "/health/live").send()
        .compose(r -> c.get(app.port(), "127.0.0.1", "/metrics").send())
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertThat(r.statusCode()).isEqualTo(200);
          String text = r.bodyAsString();
          assertThat(text).contains("vertx_http_server_requests_total");
          assertThat(text).contains("vertx_http_server_response_time_seconds_bucket");
          assertThat(text).contains("jvm_memory_used_bytes");
          assertThat(text).contains("vertx_eventbus_");
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("GET /docs serves Swagger UI over /openapi.yaml, which lists the routes")
  void docs(Vertx vertx, VertxTestContext ctx) {
    WebClient c = client(vertx);
    Checkpoint done = ctx.checkpoint(3);
    c.get(app.port(), "127.0.0.1", "/docs").send().onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.bodyAsString()).contains("SwaggerUIBundle").contains("/openapi.yaml");
      done.flag();
    })));
    c.get(app.port(), "127.0.0.1", "/docs/ui/swagger-ui-bundle.js").send().onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body().length()).isGreaterThan(100_000);
      done.flag();
    })));
    c.get(app.port(), "127.0.0.1", "/openapi.yaml").send().onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.bodyAsString()).startsWith("openapi: 3").contains("/health/ready").contains("/metrics");
      done.flag();
    })));
  }

  @Test
  @DisplayName("GET /version names the build and the deployed roles")
  void version(Vertx vertx, VertxTestContext ctx) {
    client(vertx).get(app.port(), "127.0.0.1", "/version").send().onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      JsonObject v = r.bodyAsJsonObject();
      assertThat(v.getString("name")).isEqualTo("mlserve");
      assertThat(v.getString("version")).isNotBlank();
      assertThat(v.getJsonArray("roles").getList()).containsExactly("api", "recommender", "feeder", "trainer", "inference");
      ctx.completeNow();
    })));
  }

  @Test
  @DisplayName("unknown route → 404 JSON; wrong method → 405 JSON")
  void notFound(Vertx vertx, VertxTestContext ctx) {
    Checkpoint done = ctx.checkpoint(2);
    client(vertx).get(app.port(), "127.0.0.1", "/no/such/route").send().onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      assertJsonError(r, 404, "not found");
      done.flag();
    })));
    client(vertx).delete(app.port(), "127.0.0.1", "/health/live").send().onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      assertJsonError(r, 405, "method not allowed");
      done.flag();
    })));
  }

  @Test
  @DisplayName("malformed JSON → 400, wrong content type → 415, body over the limit → 413, bad value → 422")
  void badBodies(Vertx vertx, VertxTestContext ctx) {
    WebClient c = client(vertx);
    Checkpoint done = ctx.checkpoint(5);
    c.put(app.port(), "127.0.0.1", "/admin/log-level").putHeader("Content-Type", "application/json")
        .sendBuffer(Buffer.buffer("{\"level\": ")).onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertJsonError(r, 400, "bad request");
          assertThat(r.bodyAsJsonObject().getString("detail")).startsWith("malformed JSON");
          done.flag();
        })));
    c.put(app.port(), "127.0.0.1", "/admin/log-level").putHeader("Content-Type", "text/plain")
        .sendBuffer(Buffer.buffer("level=DEBUG")).onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertJsonError(r, 415, "unsupported media type");
          done.flag();
        })));
    Buffer huge = Buffer.buffer(new byte[(int) app.app().services().config().http().bodyLimitBytes() + 1024]);
    c.put(app.port(), "127.0.0.1", "/admin/log-level").putHeader("Content-Type", "application/json")
        .sendBuffer(huge).onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertJsonError(r, 413, "payload too large");
          done.flag();
        })));
    c.put(app.port(), "127.0.0.1", "/admin/log-level")
        .sendJsonObject(new JsonObject().put("level", "LOUD")).onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertJsonError(r, 422, "validation failed");
          assertThat(r.bodyAsJsonObject().getString("field")).isEqualTo("level");
          assertThat(r.bodyAsJsonObject().getJsonArray("allowed").getList()).contains("DEBUG");
          done.flag();
        })));
    c.put(app.port(), "127.0.0.1", "/admin/log-level").putHeader("Content-Type", "application/json")
        .sendBuffer(Buffer.buffer("[1,2]")).onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertJsonError(r, 400, "bad request");
          assertThat(r.bodyAsJsonObject().getString("detail")).contains("expected a JSON object");
          done.flag();
        })));
  }

  @Test
  @DisplayName("PUT /admin/log-level changes the level at run time")
  void logLevel(Vertx vertx, VertxTestContext ctx) {
    WebClient c = client(vertx);
    String before = io.mlserve.cli.Logging.rootLevel();
    c.put(app.port(), "127.0.0.1", "/admin/log-level").sendJsonObject(new JsonObject().put("level", "error"))
        .compose(r -> {
          ctx.verify(() -> assertThat(r.statusCode()).isEqualTo(200));
          return c.get(app.port(), "127.0.0.1", "/admin/log-level").send();
        })
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertThat(r.bodyAsJsonObject().getString("level")).isEqualTo("ERROR");
          io.mlserve.cli.Logging.setLevel(before);
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("each request gets one JSON access-log line and an X-Request-Id (echoed when given)")
  void accessLog(Vertx vertx, VertxTestContext ctx) {
    Logger access = (Logger) LoggerFactory.getLogger("access");
    ListAppender<ILoggingEvent> captured = new ListAppender<>();
    captured.start();
    access.addAppender(captured);
    access.setLevel(Level.INFO);
    WebClient c = client(vertx);
    c.get(app.port(), "127.0.0.1", "/health/live").putHeader("X-Request-Id", "abc-123").send()
        .compose(r -> {
          ctx.verify(() -> assertThat(r.getHeader("X-Request-Id")).isEqualTo("abc-123"));
          return c.get(app.port(), "127.0.0.1", "/version").send();
        })
        .compose(r -> {
          ctx.verify(() -> assertThat(r.getHeader("X-Request-Id")).matches("[0-9a-f]{32}"));
          return c.get(app.port(), "127.0.0.1", "/recommendations/7").send();
        })
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          // the body-end handler runs right after the response is written; give it a moment
          long deadline = System.currentTimeMillis() + 2000;
          while (captured.list.size() < 3 && System.currentTimeMillis() < deadline) {
            Thread.sleep(10);
          }
          access.detachAppender(captured);
          ILoggingEvent first = captured.list.stream()
              .filter(e -> e.getFormattedMessage().equals("GET /health/live 200")).findFirst().orElseThrow();
          String fields = ((LogstashMarker) first.getMarkerList().get(0)).toString();
          assertThat(fields).contains("method=GET").contains("path=/health/live").contains("status=200")
              .contains("requestId=abc-123").contains("durationMs=");
          ILoggingEvent recs = captured.list.stream()
              .filter(e -> e.getFormattedMessage().startsWith("GET /recommendations/7 ")).findFirst().orElseThrow();
          assertThat(((LogstashMarker) recs.getMarkerList().get(0)).toString()).contains("userId=7");
          ctx.completeNow();
        })));
  }
}
