package io.mlserve.recommend;

import io.mlserve.recommend.data.RatingsBuffer;
import io.mlserve.testing.TestApp;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;

import java.util.concurrent.TimeUnit;

/** Helpers shared by the recommendation integration tests: loading ratings over HTTP, running a batch. */
public final class RecsTestSupport {
  private RecsTestSupport() {
  }

  public static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  public static JsonArray toJson(RatingsBuffer r, int from, int to) {
    JsonArray a = new JsonArray();
    for (int i = from; i < to; i++) {
      a.add(new JsonObject().put("userId", r.user(i)).put("itemId", r.item(i)).put("rating", r.rating(i))
          .put("ts", r.ts(i)));
    }
    return a;
  }

  /** POSTs all ratings in batches of 5,000 and fails on any non-200. */
  public static Future<Void> load(WebClient client, TestApp app, RatingsBuffer r) {
    Future<Void> f = Future.succeededFuture();
    for (int from = 0; from < r.size(); from += 5000) {
      JsonArray batch = toJson(r, from, Math.min(r.size(), from + 5000));
      f = f.compose(v -> client.post(app.port(), "127.0.0.1", "/interactions").sendJson(batch)
          .compose(resp -> resp.statusCode() == 200 ? Future.succeededFuture()
              : Future.failedFuture("POST /interactions: " + resp.statusCode() + " " + resp.bodyAsString())));
    }
    return f;
  }

  /**
   * Loads the ratings, then waits until the refresh those POSTs triggered has written every user's 4 documents, so
   * no late invalidation from setup lands in the middle of a test.
   */
  public static Future<Void> loadAndSettle(Vertx vertx, WebClient client, TestApp app, RatingsBuffer r) {
    long users = io.mlserve.recommend.data.InteractionMatrix.of(r).userCount();
    return load(client, app, r).compose(v -> awaitDocs(vertx, app, users * 4, System.currentTimeMillis() + 30_000));
  }

  private static Future<Void> awaitDocs(Vertx vertx, TestApp app, long expected, long deadline) {
    return app.app().services().mongo().count(io.mlserve.store.Collections.RECOMMENDATIONS,
            new JsonObject().put("userId", new JsonObject().put("$gt", 0)))
        .compose(n -> {
          if (n >= expected) {
            return vertx.timer(100).mapEmpty(); // the invalidation is published right after the write
          }
          if (System.currentTimeMillis() > deadline) {
            return Future.failedFuture("refresh after loading wrote " + n + " of " + expected + " documents");
          }
          return vertx.timer(50).compose(t -> awaitDocs(vertx, app, expected, deadline));
        });
  }

  /** Starts a batch compute and completes with the final job status once it ended. */
  public static Future<JsonObject> compute(Vertx vertx, WebClient client, TestApp app, String algo) {
    return client.post(app.port(), "127.0.0.1", "/recommendations/compute")
        .sendJsonObject(new JsonObject().put("algo", algo))
        .compose(r -> r.statusCode() == 202 ? Future.succeededFuture(r.bodyAsJsonObject().getString("jobId"))
            : Future.failedFuture("compute: " + r.statusCode() + " " + r.bodyAsString()))
        .compose(id -> pollJob(vertx, client, app, id, System.currentTimeMillis() + 60_000));
  }

  public static Future<JsonObject> pollJob(Vertx vertx, WebClient client, TestApp app, String id, long deadline) {
    return client.get(app.port(), "127.0.0.1", "/jobs/" + id).send().compose(r -> {
      JsonObject s = r.bodyAsJsonObject();
      if (!"RUNNING".equals(s.getString("state"))) {
        return Future.succeededFuture(s);
      }
      if (System.currentTimeMillis() > deadline) {
        return Future.failedFuture("job " + id + " still running: " + s.encode());
      }
      return vertx.timer(50).compose(t -> pollJob(vertx, client, app, id, deadline));
    });
  }

  public static Future<HttpResponse<Buffer>> get(WebClient client, TestApp app, String uri) {
    return client.get(app.port(), "127.0.0.1", uri).send();
  }

  /** GETs {@code uri} every 20 ms until its {@code X-Cache} header is {@code source} (the last answer on timeout). */
  public static Future<HttpResponse<Buffer>> getUntilSource(Vertx vertx, WebClient client, TestApp app, String uri,
                                                            String source, long deadline) {
    return get(client, app, uri).compose(r -> source.equals(r.getHeader("X-Cache")) || System.currentTimeMillis() > deadline
        ? Future.succeededFuture(r)
        : vertx.timer(20).compose(t -> getUntilSource(vertx, client, app, uri, source, deadline)));
  }
}
