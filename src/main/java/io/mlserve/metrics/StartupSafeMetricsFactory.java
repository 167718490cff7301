package io.mlserve.metrics;

import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import io.vertx.core.metrics.MetricsOptions;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.core.spi.VertxMetricsFactory;
import io.vertx.core.spi.metrics.ClientMetrics;
import io.vertx.core.spi.metrics.DatagramSocketMetrics;
import io.vertx.core.spi.metrics.EventBusMetrics;
import io.vertx.core.spi.metrics.HttpClientMetrics;
import io.vertx.core.spi.observability.HttpRequest;
import io.vertx.core.spi.observability.HttpResponse;
import io.vertx.core.spi.metrics.HttpServerMetrics;
import io.vertx.core.spi.metrics.PoolMetrics;
import io.vertx.core.spi.metrics.TCPMetrics;
import io.vertx.core.spi.metrics.VertxMetrics;

/**
 * Wraps a metrics factory so that a connection accepted in the instant between the HTTP server's bind and the
 * creation of its metrics cannot hang. Vert.x 5.0.10 gives such a connection no socket metric, then passes that
 * null to vertx-micrometer's {@code requestBegin}, which throws: the request is never answered and the client waits
 * for the idle timeout (seen once as a 2-minute {@code /health/ready} poll during start-up). Requests on such a
 * connection are served but not counted; everything else is delegated unchanged.
 */
public final class StartupSafeMetricsFactory implements VertxMetricsFactory {
  private final VertxMetricsFactory delegate;

  public StartupSafeMetricsFactory(VertxMetricsFactory delegate) {
    this.delegate = delegate;
  }

  @Override
  public VertxMetrics metrics(VertxOptions options) {
    VertxMetrics metrics = delegate.metrics(options);
    return new VertxMetrics() {
      @Override
      public EventBusMetrics createEventBusMetrics() {
        return metrics.createEventBusMetrics();
      }

      @Override
      public HttpServerMetrics<?, ?, ?> createHttpServerMetrics(HttpServerOptions o, SocketAddress localAddress) {
        HttpServerMetrics<?, ?, ?> server = metrics.createHttpServerMetrics(o, localAddress);
        return server == null ? null : nullSafe(server);
      }

      @Override
      public ClientMetrics<?, ?, ?> createClientMetrics(SocketAddress remoteAddress, String type, String namespace) {
        return metrics.createClientMetrics(remoteAddress, type, namespace);
      }

      @Override
      public HttpClientMetrics<?, ?, ?> createHttpClientMetrics(HttpClientOptions o) {
        return metrics.createHttpClientMetrics(o);
      }

      @Override
      public TCPMetrics<?> createNetServerMetrics(NetServerOptions o, SocketAddress localAddress) {
        return metrics.createNetServerMetrics(o, localAddress);
      }

      @Override
      public TCPMetrics<?> createNetClientMetrics(NetClientOptions o) {
        return metrics.createNetClientMetrics(o);
      }

      @Override
      public DatagramSocketMetrics createDatagramSocketMetrics(DatagramSocketOptions o) {
        return metrics.createDatagramSocketMetrics(o);
      }

      @Override
      public PoolMetrics<?, ?> createPoolMetrics(String type, String name, int maxSize) {
        return metrics.createPoolMetrics(type, name, maxSize);
      }

      @Override
      public void vertxCreated(io.vertx.core.Vertx vertx) {
        metrics.vertxCreated(vertx);
      }

      @Override
      public void close() {
        metrics.close();
      }
    };
  }

  @Override
  public MetricsOptions newOptions() {
    return delegate.newOptions();
  }

  @Override
  public MetricsOptions newOptions(MetricsOptions options) {
    return delegate.newOptions(options);
  }

  @Override
  public MetricsOptions newOptions(JsonObject json) {
    return delegate.newOptions(json);
  }

  /** Server metrics that skip a request whose connection has no socket metric (and every later call for it). */
  static <R, W, S> HttpServerMetrics<R, W, S> nullSafe(HttpServerMetrics<R, W, S> d) {
    return new HttpServerMetrics<>() {
      @Override
      public R requestBegin(S socketMetric, HttpRequest request) {
        return socketMetric == null ? null : d.requestBegin(socketMetric, request);
      }

      @Override
      public void requestEnd(R requestMetric, HttpRequest request, long bytesRead) {
        if (requestMetric != null) {
          d.requestEnd(requestMetric, request, bytesRead);
        }
      }

      @Override
      public void requestReset(R requestMetric) {
        if (requestMetric != null) {
          d.requestReset(requestMetric);
        }
      }

      @Override
      public void responseBegin(R requestMetric, HttpResponse response) {
        if (requestMetric != null) {
          d.responseBegin(requestMetric, response);
        }
      }

      @Override
      public R responsePushed(S socketMetric, HttpMethod method, String uri, HttpResponse response) {
        return socketMetric == null ? null : d.responsePushed(socketMetric, method, uri, response);
      }

      @Override
      public void responseEnd(R requestMetric, HttpResponse response, long bytesWritten) {
        if (requestMetric != null) {
          d.responseEnd(requestMetric, response, bytesWritten);
        }
      }

      @Override
      public W connected(S socketMetric, R requestMetric, ServerWebSocket serverWebSocket) {
        return socketMetric == null || requestMetric == null ? null
            : d.connected(socketMetric, requestMetric, serverWebSocket);
      }

      @Override
      public void disconnected(W serverWebSocketMetric) {
        if (serverWebSocketMetric != null) {
          d.disconnected(serverWebSocketMetric);
        }
      }

      @Override
      public void requestRouted(R requestMetric, String route) {
        if (requestMetric != null) {
          d.requestRouted(requestMetric, route);
        }
      }

      @Override
      public S connected(SocketAddress remoteAddress, String remoteName) {
        return d.connected(remoteAddress, remoteName);
      }

      @Override
      public void disconnected(S socketMetric, SocketAddress remoteAddress) {
        if (socketMetric != null) {
          d.disconnected(socketMetric, remoteAddress);
        }
      }

      @Override
      public void bytesRead(S socketMetric, SocketAddress remoteAddress, long numberOfBytes) {
        if (socketMetric != null) {
          d.bytesRead(socketMetric, remoteAddress, numberOfBytes);
        }
      }

      @Override
      public void bytesWritten(S socketMetric, SocketAddress remoteAddress, long numberOfBytes) {
        if (socketMetric != null) {
          d.bytesWritten(socketMetric, remoteAddress, numberOfBytes);
        }
      }

      @Override
      public void exceptionOccurred(S socketMetric, SocketAddress remoteAddress, Throwable t) {
        if (socketMetric != null) {
          d.exceptionOccurred(socketMetric, remoteAddress, t);
        }
      }

      @Override
      public void close() {
        d.close();
      }
    };
  }
}
