package io.mlserve.bench;

import io.mlserve.bench.load.LoadGenerator;
import io.mlserve.bench.load.LoadResult;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

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
}
