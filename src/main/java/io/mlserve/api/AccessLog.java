package io.mlserve.api;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import net.logstash.logback.marker.LogstashMarker;
import net.logstash.logback.marker.Markers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * Assigns the request id ({@code X-Request-Id} echoed when sane, generated otherwise) and writes one JSON access-log
 * line per request: method, path, status, duration, request id and the user id when the route set one.
 */
public final class AccessLog implements Handler<RoutingContext> {
  public static final String REQUEST_ID = "requestId";
  /** Routes that concern one user put its id here so the access line carries it. */
  public static final String USER_ID = "userId";
  public static final String HEADER = "X-Request-Id";
  private static final Logger LOG = LoggerFactory.getLogger("access");
  private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

  @Override
  public void handle(RoutingContext ctx) {
    long start = System.nanoTime();
    String given = ctx.request().getHeader(HEADER);
    String requestId = given != null && SAFE_ID.matcher(given).matches() ? given : newId();
    ctx.put(REQUEST_ID, requestId);
    ctx.response().putHeader(HEADER, requestId);
    ctx.addBodyEndHandler(v -> {
      if (!LOG.isInfoEnabled()) {
        return;
      }
      Map<String, Object> fields = new LinkedHashMap<>();
      fields.put("method", ctx.request().method().name());
      fields.put("path", ctx.request().path());
      fields.put("status", ctx.response().getStatusCode());
      fields.put("durationMs", Math.round((System.nanoTime() - start) / 10_000.0) / 100.0);
      fields.put("requestId", requestId);
      Object userId = ctx.get(USER_ID);
      if (userId != null) {
        fields.put("userId", userId);
      }
      LogstashMarker marker = Markers.appendEntries(fields);
      LOG.info(marker, "{} {} {}", fields.get("method"), fields.get("path"), fields.get("status"));
    });
    ctx.next();
  }

  private static String newId() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    return Long.toHexString(r.nextLong() | Long.MIN_VALUE) + Long.toHexString(r.nextLong() | Long.MIN_VALUE);
  }
}
