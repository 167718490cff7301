package io.mlserve.inference;

import io.mlserve.api.Auth;
import io.mlserve.api.RequestBodies;
import io.mlserve.api.Responses;
import io.mlserve.app.RouteModule;
import io.mlserve.app.Services;
import io.mlserve.bus.Bus;
import io.mlserve.common.ApiError;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.List;
import java.util.Map;

/**
 * {@code GET /models}, {@code POST /select-model}, {@code POST /predict} and {@code DELETE /models/{name}/{version}}
 * (role {@code api}). Requests are
 * validated here, without a model, so bad input never crosses the event bus; the inference role answers the rest.
 */
public final class InferenceRoutes implements RouteModule {
  private final Services services;

  public InferenceRoutes(Services services) {
    this.services = services;
  }

  @Override
  public void mount(Router router) {
    PredictCall.registerCodec(services.vertx());
    var inference = services.config().inference();
    // mount runs once per HTTP server verticle, on its event loop: each loop gathers its own requests
    Context loop = services.vertx().getOrCreateContext();
    LocalInference local = LocalInference.of(services);
    PredictCoalescer coalescer = inference.batching() ? new PredictCoalescer(services.vertx(), loop, local,
        inference.maxBatchRows(), services.config().bus().timeoutMs(), services.metrics()) : null;
    var sec = services.config().security();
    Auth.read(router.get("/models"), sec)
        .handler(ctx -> Responses.reply(ctx, request(InferenceVerticle.LIST, new JsonObject())));
    Auth.admin(router.post("/select-model"), sec).handler(this::select);
    Auth.read(router.post("/predict"), sec).handler(ctx -> predict(ctx, coalescer, local, loop));
    ModelDeletion deletion = new ModelDeletion(services);
    Auth.admin(router.delete("/models/:name/:version"), sec).handler(ctx -> Responses.reply(ctx,
        deletion.delete(ModelDeletion.name(ctx.pathParam("name")), ModelDeletion.version(ctx.pathParam("version")))));
  }

  private Future<JsonObject> request(String address, JsonObject body) {
    return Bus.request(services.vertx(), address, body, services.config().bus().timeoutMs());
  }

  private void select(RoutingContext ctx) {
    Object body = RequestBodies.json(ctx);
    if (!(body instanceof JsonObject o)) {
      throw ApiError.unprocessable("body", "expected a JSON object {\"model_name\": \"...\", \"version\"?: n}");
    }
    SelectRequest.parse(o);
    Responses.reply(ctx, request(InferenceVerticle.SELECT, o));
  }

  private void predict(RoutingContext ctx, PredictCoalescer coalescer, LocalInference local, Context loop) {
    String model = ctx.queryParams().get("model");
    if (model != null) {
      PredictRequest.parseSpec(model, "model");
    }
    // parsed from the bytes and validated here (no model needed); the inference role still checks each row
    // against the serving model's own encoding
    Buffer body = ctx.body() == null ? null : ctx.body().buffer();
    List<Map<String, Object>> rows = RowParser.parse(body == null ? new byte[0] : body.getBytes(),
        services.config().inference().maxRowsPerRequest());
    if (coalescer != null && coalescer.takes(rows.size())) {
      coalescer.add(model, rows).onComplete(ar -> {
        if (ar.failed()) {
          ctx.fail(ar.cause());
        } else if (ar.result().error() != null) {
          ctx.fail(ar.result().error());
        } else {
          Responses.send(ctx, 200, Buffer.buffer(PredictionFormat.json(ar.result().predictions(),
              ar.result().target())));
        }
      });
      return;
    }
    InferenceService inProcess = model == null ? local.service() : null;
    Future<Buffer> answer = inProcess != null ? LocalInference.asApiFailure(inProcess.predictSelected(rows, loop))
        : services.vertx().eventBus().<Buffer>request(InferenceVerticle.PREDICT, new PredictCall(model, rows, true),
            new DeliveryOptions().setSendTimeout(services.config().bus().timeoutMs())).map(Message::body)
            .recover(t -> Future.failedFuture(Bus.toApiError(InferenceVerticle.PREDICT, t)));
    answer.onSuccess(bytes -> Responses.send(ctx, 200, bytes)).onFailure(ctx::fail);
  }

}
