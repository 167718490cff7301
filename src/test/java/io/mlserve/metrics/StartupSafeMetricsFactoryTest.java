package io.mlserve.metrics;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.MultiMap;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.spi.metrics.HttpServerMetrics;
import io.vertx.core.spi.observability.HttpRequest;
import io.vertx.core.spi.observability.HttpResponse;
import io.vertx.micrometer.MicrometerMetricsFactory;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StartupSafeMetricsFactoryTest {
  private static final SocketAddress LOCAL = SocketAddress.inetSocketAddress(8080, "127.0.0.1");
  private static final SocketAddress REMOTE = SocketAddress.inetSocketAddress(40000, "127.0.0.1");

  @SuppressWarnings("unchecked")
  private static HttpServerMetrics<Object, Object, Object> serverMetrics(io.vertx.core.spi.VertxMetricsFactory f) {
    // vertx-micrometer keeps one backend per registry name: a fresh name binds this factory's own registry
    VertxOptions options = new VertxOptions().setMetricsOptions(MetricsSetup.vertxOptions()
        .setRegistryName("test-" + java.util.UUID.randomUUID()));
    return (HttpServerMetrics<Object, Object, Object>) f.metrics(options)
        .createHttpServerMetrics(new HttpServerOptions(), LOCAL);
  }

  private static double requestsCounted(PrometheusMeterRegistry registry) {
    return registry.find("vertx.http.server.requests").counters().stream().mapToDouble(c -> c.count()).sum();
  }

  @Test
  @DisplayName("a request on a connection with no socket metric is served uncounted instead of throwing")
  void connectionWithoutSocketMetric() {
    PrometheusMeterRegistry rawRegistry = MetricsSetup.newRegistry();
    HttpServerMetrics<Object, Object, Object> raw = serverMetrics(new MicrometerMetricsFactory(rawRegistry));
    // what vertx-micrometer does by itself: the NPE that left the request unanswered
    assertThatThrownBy(() -> raw.requestBegin(null, request())).isInstanceOf(NullPointerException.class);

    PrometheusMeterRegistry registry = MetricsSetup.newRegistry();
    HttpServerMetrics<Object, Object, Object> safe =
        serverMetrics(new StartupSafeMetricsFactory(new MicrometerMetricsFactory(registry)));
    Object requestMetric = safe.requestBegin(null, request());
    assertThat(requestMetric).isNull();
    safe.requestEnd(null, request(), 10);
    safe.responseBegin(null, response());
    safe.responseEnd(null, response(), 20);
    safe.requestRouted(null, "/health/ready");
    safe.bytesRead(null, REMOTE, 10);
    safe.disconnected(null, REMOTE);
    assertThat(requestsCounted(registry)).isZero();

    // a normal connection is still measured
    Object socket = safe.connected(REMOTE, "127.0.0.1");
    Object counted = safe.requestBegin(socket, request());
    safe.requestEnd(counted, request(), 10);
    safe.responseBegin(counted, response());
    safe.responseEnd(counted, response(), 20);
    safe.disconnected(socket, REMOTE);
    assertThat(requestsCounted(registry)).isEqualTo(1.0);
  }

  private static HttpRequest request() {
    return new HttpRequest() {
      @Override
      public int id() {
        return 1;
      }

      @Override
      public String uri() {
        return "/health/ready";
      }

      @Override
      public String absoluteURI() {
        return "http://127.0.0.1:8080/health/ready";
      }

      @Override
      public HttpMethod method() {
        return HttpMethod.GET;
      }

      @Override
      public MultiMap headers() {
        return MultiMap.caseInsensitiveMultiMap();
      }

      @Override
      public SocketAddress remoteAddress() {
        return REMOTE;
      }
    };
  }

  private static HttpResponse response() {
    return new HttpResponse() {
      @Override
      public int statusCode() {
        return 200;
      }

      @Override
      public MultiMap headers() {
        return MultiMap.caseInsensitiveMultiMap();
      }
    };
  }
}
