package io.mlserve.inference.bench;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BenchClientsTest {
  @Test
  @DisplayName("wrk script: one body is wrk's static request; several are each sent, in turn, by request()")
  void script() {
    String one = BenchClients.wrkScript(List.of("{\"a\":[1]}"));
    assertThat(one).contains("wrk.body = [==[{\"a\":[1]}]==]").doesNotContain("function request");
    String three = BenchClients.wrkScript(List.of("{\"a\":1}", "{\"a\":2}", "{\"a\":3}"));
    assertThat(three).contains("[==[{\"a\":1}]==]", "[==[{\"a\":2}]==]", "[==[{\"a\":3}]==]")
        .contains("function request()").contains("wrk.headers[\"Content-Type\"] = \"application/json\"");
    assertThatThrownBy(() -> BenchClients.wrkScript(List.of())).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @DisplayName("wrk with several bodies POSTs every one of them (skipped where wrk is not installed)")
  void wrkSendsEveryBody() throws Exception {
    Assumptions.assumeTrue(BenchClients.wrkAvailable(), "wrk is not installed");
    Vertx vertx = Vertx.vertx();
    try {
      Set<String> seen = ConcurrentHashMap.newKeySet();
      HttpServer server = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
        seen.add(req.method() + " " + req.getHeader("Content-Type") + " " + b);
        req.response().end("{}");
      })).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      List<String> bodies = List.of("{\"row\":1}", "{\"row\":2}", "{\"row\":3}");
      BenchClients.WrkResult r = BenchClients.wrk("http://127.0.0.1:" + server.actualPort() + "/predict", bodies, 1,
          2, 1);
      assertThat(r.requests()).isPositive();
      assertThat(r.errors()).isZero();
      assertThat(seen).containsExactlyInAnyOrder("POST application/json {\"row\":1}",
          "POST application/json {\"row\":2}", "POST application/json {\"row\":3}");
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
