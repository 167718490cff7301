package io.mlserve.feed;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

/**
 * HTTP access to a feed (ours or another mlserve's) with vertx-web-client. Every call answers with an
 * {@link Outcome} instead of failing, so the loader decides per case: use the rows, wait (425), give up (404 and
 * other 4xx) or back off and retry (5xx, timeouts, broken connections, unreadable bodies).
 */
public final class FeedClient {
  private final WebClient client;
  private final String baseUrl;
  private final String bearer;
  private final long timeoutMs;

  /** What one feed request came to. */
  public sealed interface Outcome {
  }

  /** 200 with a JSON object body. */
  public record Ok(JsonObject body) implements Outcome {
  }

  /** 425: not released yet, try again after {@code retryAfterMs}. */
  public record TooEarly(long retryAfterMs) implements Outcome {
  }

  /** A 4xx other than 425: retrying the same request cannot help. */
  public record Refused(int status, String detail) implements Outcome {
  }

  /** A 5xx, a timeout, a connection problem or an unreadable body: worth retrying. */
  public record Transient(String reason) implements Outcome {
  }

  public FeedClient(Vertx vertx, String baseUrl, String bearer, long timeoutMs) {
    this.client = WebClient.create(vertx, new WebClientOptions()
        .setKeepAlive(true)
        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, timeoutMs)), new PoolOptions().setHttp1MaxSize(4));
    this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    this.bearer = bearer;
    this.timeoutMs = timeoutMs;
  }

  public String baseUrl() {
    return baseUrl;
  }

  public Future<Outcome> status() {
    return get("/feed/status");
  }

  public Future<Outcome> batch(int k) {
    return get("/feed/batches/" + k);
  }

  private Future<Outcome> get(String path) {
    HttpRequest<Buffer> req = client.getAbs(baseUrl + path)
        .connectTimeout(timeoutMs)
        .idleTimeout(timeoutMs); // a stalled feed sends nothing: the request fails after the timeout
    if (bearer != null && !bearer.isEmpty()) {
      req.bearerTokenAuthentication(bearer);
    }
    return req.send().map(FeedClient::classify)
        .otherwise(t -> new Transient(path + ": " + describe(t)));
  }

  static Outcome classify(HttpResponse<Buffer> r) {
    int status = r.statusCode();
    if (status == 200) {
      try {
        return new Ok(r.bodyAsJsonObject());
      } catch (RuntimeException e) {
        return new Transient("unreadable body (" + e.getMessage() + ")");
      }
    }
    JsonObject error = errorBody(r);
    String detail = error.getString("detail", r.statusMessage());
    if (status == 425) {
      long wait = error.getLong("retryAfterMs", retryAfterHeaderMs(r.getHeader("Retry-After")));
      return new TooEarly(Math.max(0, wait));
    }
    if (status >= 400 && status < 500 && status != 408 && status != 429) {
      return new Refused(status, detail);
    }
    return new Transient("HTTP " + status + ": " + detail);
  }

  private static JsonObject errorBody(HttpResponse<Buffer> r) {
    try {
      JsonObject body = r.bodyAsJsonObject();
      return body == null ? new JsonObject() : body;
    } catch (RuntimeException e) {
      return new JsonObject();
    }
  }

  private static long retryAfterHeaderMs(String header) {
    try {
      return header == null ? 1000 : Long.parseLong(header.trim()) * 1000;
    } catch (NumberFormatException e) {
      return 1000;
    }
  }

  private static String describe(Throwable t) {
    String m = t.getMessage();
    return t.getClass().getSimpleName() + (m == null ? "" : ": " + m);
  }

  public void close() {
    client.close();
  }
}
