package io.mlserve.bench;

import io.mlserve.bench.load.LoadGenerator;
import io.mlserve.bench.load.LoadResult;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LoadGeneratorTest {

  @Test
  @DisplayName("counts requests, statuses and latencies per request name; warm-up is not recorded")
  void measures() throws Exception {
    Vertx server = Vertx.vertx();
    AtomicInteger served = new AtomicInteger();
    HttpServer http = server.createHttpServer().requestHandler(req -> {
      served.incrementAndGet();
      if (req.path().equals("/slow")) {
        server.setTimer(20, t -> req.response().end("slow"));
      } else if (req.path().equals("/missing")) {
        req.response().setStatusCode(404).end();
      } else {
        req.response().end("ok");
      }
    }).listen(0).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    try (LoadGenerator gen = new LoadGenerator(1)) {
      LoadResult r = gen.run("127.0.0.1", http.actualPort(), 4, 4, Duration.ofMillis(200), Duration.ofSeconds(1),
          (s, i) -> s.get("fast", "/fast").compose(x -> s.get("slow", "/slow"))
              .compose(x -> i % 10 == 0 ? s.get("missing", "/missing") : io.vertx.core.Future.succeededFuture()));
      assertThat(r.series("fast").count()).isGreaterThan(20);
      assertThat(r.series("slow").percentileMs(50)).isBetween(15.0, 200.0);
      assertThat(r.series("fast").percentileMs(50)).isLessThan(r.series("slow").percentileMs(50));
      assertThat(r.series("missing").statusCounts()).containsOnlyKeys(404);
      assertThat(r.errors()).isEqualTo(r.series("missing").count());
      assertThat(r.requests()).isLessThan(served.get()); // warm-up requests were served but not recorded
      assertThat(r.summary("test")).contains("req/s").contains("fast").contains("p99");
    } finally {
      server.close();
    }
  }

  @Test
  @DisplayName("headers() go with every request: a bearer key reaches GETs and POSTs")
  void sendsHeaders() throws Exception {
    Vertx server = Vertx.vertx();
    Set<String> seen = ConcurrentHashMap.newKeySet();
    AtomicInteger served = new AtomicInteger();
    HttpServer http = server.createHttpServer().requestHandler(req -> {
      served.incrementAndGet();
      seen.add(req.method() + " " + req.getHeader("Authorization") + " " + req.getHeader("X-Trace"));
      boolean ok = "Bearer s3cret:key".equals(req.getHeader("Authorization"));
      req.body().onComplete(b -> req.response().setStatusCode(ok ? 200 : 401).end());
    }).listen(0).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    try (LoadGenerator gen = new LoadGenerator(1)) {
      gen.headers(Map.of("Authorization", "Bearer s3cret:key", "X-Trace", "1"));
      LoadResult r = gen.run("127.0.0.1", http.actualPort(), 2, 2, Duration.ZERO, Duration.ofMillis(300),
          (s, i) -> s.get("get", "/a").compose(x -> s.send("post", io.vertx.core.http.HttpMethod.POST, "/b",
              io.vertx.core.buffer.Buffer.buffer("{}"))));
      assertThat(r.requests()).isPositive();
      assertThat(r.errors()).isZero();
      assertThat(seen).containsExactlyInAnyOrder("GET Bearer s3cret:key 1", "POST Bearer s3cret:key 1");
    } finally {
      server.close();
    }
  }

  @Test
  @DisplayName("parseHeader takes curl's 'Name: value' form; the value may contain colons")
  void parsesHeaders() {
    assertThat(LoadGenerator.parseHeader("Authorization: Bearer a:b")).isEqualTo(Map.entry("Authorization", "Bearer a:b"));
    assertThat(LoadGenerator.parseHeader("X-A:1")).isEqualTo(Map.entry("X-A", "1"));
    assertThatThrownBy(() -> LoadGenerator.parseHeader("no colon")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> LoadGenerator.parseHeader(": v")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @DisplayName("a user runs tens of thousands of iterations, async or synchronous, without growing the stack")
  void manyIterations() throws Exception {
    Vertx other = Vertx.vertx();
    java.util.concurrent.atomic.AtomicLong async = new java.util.concurrent.atomic.AtomicLong();
    java.util.concurrent.atomic.AtomicLong sync = new java.util.concurrent.atomic.AtomicLong();
    try (LoadGenerator gen = new LoadGenerator(1)) {
      // completed on another event loop: the next iteration starts from that callback
      gen.run("127.0.0.1", 1, 1, 1, Duration.ZERO, Duration.ofSeconds(1), (s, i) -> {
        async.incrementAndGet();
        io.vertx.core.Promise<Void> p = io.vertx.core.Promise.promise();
        other.runOnContext(v -> p.complete());
        return p.future();
      });
      // already complete when returned
      gen.run("127.0.0.1", 1, 1, 1, Duration.ZERO, Duration.ofMillis(500), (s, i) -> {
        sync.incrementAndGet();
        return io.vertx.core.Future.succeededFuture();
      });
    } finally {
      other.close();
    }
    assertThat(async.get()).isGreaterThan(50_000);
    assertThat(sync.get()).isGreaterThan(50_000);
  }
}
