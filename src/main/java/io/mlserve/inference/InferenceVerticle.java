package io.mlserve.inference;

import io.mlserve.app.Role;
import io.mlserve.app.RolePresence;
import io.mlserve.app.Services;
import io.mlserve.bus.Bus;
import io.mlserve.registry.ModelRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.Status;

/**
 * Role {@code inference}: owns the ONNX Runtime sessions and answers {@code inference.predict}, {@code models.list}
 * and {@code models.select}; follows {@code models.changed} (new production versions) and selection changes made
 * through other inference processes. Readiness check {@code inference}: KO, saying what to do, while no model serves.
 */
public final class InferenceVerticle extends VerticleBase {
  public static final String PREDICT = "inference.predict";
  /** {@link PredictBatch}es of small requests gathered by an api event loop (see {@link PredictCoalescer}). */
  public static final String PREDICT_BATCH = "inference.predict.batch";
  public static final String LIST = "models.list";
  public static final String SELECT = "models.select";
  static final String HEALTH_CHECK = "inference";

  private final Services services;
  private InferenceService service;

  public InferenceVerticle(Services services) {
    this.services = services;
  }

  @Override
  public Future<?> start() {
    service = new InferenceService(vertx, services);
    PredictCall.registerCodec(vertx);
    PredictBatch.registerCodecs(vertx);
    Bus.consumeObjects(vertx, PREDICT_BATCH, service::predictBatch);
    Bus.consumeObjects(vertx, PREDICT, body -> service.predict(body == null ? new JsonObject() : body));
    Bus.consume(vertx, LIST, body -> service.list());
    Bus.consume(vertx, SELECT, service::select);
    vertx.eventBus().<JsonObject>consumer(ModelRegistry.CHANGED_ADDRESS, m -> service.onModelsChanged(m.body()));
    vertx.eventBus().<JsonObject>consumer(InferenceService.SELECTION_CHANGED,
        m -> service.onSelectionChanged(m.body()));
    services.health().register(HEALTH_CHECK, 2000, p -> {
      LoadedModel m = service.current();
      p.complete(m != null
          ? Status.OK(new JsonObject().put("model", m.name()).put("version", m.version()))
          : Status.KO(new JsonObject().put("error", service.noModelAdvice())));
    });
    RolePresence.announce(vertx, Role.INFERENCE);
    if (services.config().inference().inProcess()) {
      LocalInference.of(services).attach(service); // before start: like the bus, answers 503 until a model loads
    }
    return service.start();
  }

  @Override
  public Future<?> stop() {
    services.health().unregister(HEALTH_CHECK);
    if (service != null) {
      LocalInference.of(services).detach(service);
      return vertx.executeBlocking(() -> {
        service.close();
        return null;
      });
    }
    return Future.succeededFuture();
  }
}
