package io.mlserve.recommend.serving;

import io.mlserve.api.AccessLog;
import io.mlserve.api.Auth;
import io.mlserve.api.RequestBodies;
import io.mlserve.api.Responses;
import io.mlserve.app.RouteModule;
import io.mlserve.app.Services;
import io.mlserve.bus.Bus;
import io.mlserve.common.ApiError;
import io.mlserve.recommend.data.RatingsBuffer;
import io.mlserve.recommend.store.InteractionStore;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * HTTP routes of the recommendation engine (api role), thin over {@link RecsReadPath}, the interaction store and
 * the recommender's event-bus addresses.
 */
public final class RecsRoutes implements RouteModule {
  private static final Logger LOG = LoggerFactory.getLogger(RecsRoutes.class);
  private static final CharSequence X_CACHE = HttpHeaders.createOptimized("X-Cache");
  private static final CharSequence JSON = HttpHeaders.createOptimized("application/json");
  private static final List<String> COMPUTE_ALGOS = List.of("all", "user", "item", "hybrid", "cluster");

  private final Services services;
  private final RecsReadPath readPath;

  public RecsRoutes(Services services) {
    this.services = services;
    this.readPath = RecsReadPath.of(services);
  }

  @Override
  public void mount(Router router) {
    var sec = services.config().security();
    Auth.admin(router.post("/recommendations/compute"), sec).handler(this::compute);
    Auth.read(router.get("/recommendations/:userId"), sec).handler(ctx ->
        serve(ctx, ctx.pathParam("userId"), "userId"));
    Auth.read(router.get("/recomendaciones"), sec).handler(ctx ->
        serve(ctx, ctx.queryParams().get("user_id"), "user_id"));
    // client data, like predictions: the applications that read recommendations send the ratings (read key)
    Auth.read(router.post("/interactions"), sec).handler(this::postInteractions);
  }

  private void serve(RoutingContext ctx, String userRaw, String field) {
    RecsQuery q = RecsQuery.parse(userRaw, field, ctx.queryParams().get("algo"), ctx.queryParams().get("k"));
    ctx.put(AccessLog.USER_ID, q.userId());
    readPath.get(q.userId(), q.algo(), q.k()).onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
        return;
      }
      if (ctx.response().ended() || ctx.response().closed()) {
        return;
      }
      ctx.response()
          .putHeader(HttpHeaders.CONTENT_TYPE, JSON)
          .putHeader(X_CACHE, ar.result().source().id)
          .end(ar.result().body());
    });
  }

  private void compute(RoutingContext ctx) {
    JsonObject body = RequestBodies.object(ctx, new JsonObject());
    for (String f : body.fieldNames()) {
      if (!f.equals("algo") && !f.equals("parallelism")) {
        throw ApiError.unprocessable(f, "unknown field '" + f + "'; accepted: algo, parallelism");
      }
    }
    Object algo = body.getValue("algo", "all");
    if (!(algo instanceof String a) || !COMPUTE_ALGOS.contains(a)) {
      throw ApiError.unprocessable("algo", "algo must be one of " + String.join(", ", COMPUTE_ALGOS))
          .with("allowed", new JsonArray(COMPUTE_ALGOS));
    }
    Object par = body.getValue("parallelism");
    if (par != null && !(par instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())
        && n.intValue() >= 1 && n.intValue() <= services.config().recs().workerPoolSize())) {
      throw ApiError.unprocessable("parallelism", "parallelism must be an integer from 1 to recs.workerPoolSize ("
          + services.config().recs().workerPoolSize() + ")");
    }
    Bus.request(services.vertx(), RecsKeys.COMPUTE, body.copy().put("algo", algo), services.config().bus().timeoutMs())
        .onComplete(ar -> {
          if (ar.succeeded()) {
            ctx.response().putHeader("Location", "/jobs/" + ar.result().getString("jobId"));
            Responses.json(ctx, 202, ar.result());
          } else {
            ctx.fail(ar.cause());
          }
        });
  }

  private void postInteractions(RoutingContext ctx) {
    var cfg = services.config().recs();
    RatingsBuffer rows = InteractionValidator.validate(RequestBodies.objectOrArray(ctx), cfg.ratingRange(),
        cfg.maxBatch());
    Set<Integer> users = new LinkedHashSet<>();
    for (int i = 0; i < rows.size(); i++) {
      users.add(rows.user(i));
    }
    InteractionStore.upsert(services.mongo(), rows, 0, rows.size())
        .recover(t -> io.vertx.core.Future.failedFuture(t instanceof ApiError ? t
            : ApiError.unavailable("could not store the interactions (MongoDB): " + t.getMessage())))
        .onComplete(ar -> {
          if (ar.failed()) {
            ctx.fail(ar.cause());
            return;
          }
          refresh(new ArrayList<>(users), rows);
          Responses.json(ctx, 200, new JsonObject()
              .put("received", rows.size())
              .put("inserted", ar.result().upserted())
              .put("updated", ar.result().modified())
              .put("users", users.size())
              .put("refresh", "queued"));
        });
  }

  /** Asks the recommender to recompute these users from the current models; the client does not wait for it. */
  private void refresh(List<Integer> userIds, RatingsBuffer rows) {
    JsonArray posted = new JsonArray(new ArrayList<>(rows.size()));
    for (int i = 0; i < rows.size(); i++) {
      posted.add(new JsonArray().add(rows.user(i)).add(rows.item(i)).add(rows.rating(i)));
    }
    JsonObject msg = new JsonObject().put("userIds", new JsonArray(new ArrayList<Object>(userIds)))
        .put("interactions", posted);
    Bus.request(services.vertx(), RecsKeys.USER_REFRESH, msg, Math.max(services.config().bus().timeoutMs(), 30_000))
        .onFailure(t -> LOG.warn("recommendations of {} user(s) were not refreshed: {}", userIds.size(),
            t.getMessage()));
  }
}
