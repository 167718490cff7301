package io.mlserve.inference;

import io.mlserve.api.QueryParams;
import io.mlserve.app.Services;
import io.mlserve.bus.Bus;
import io.mlserve.common.ApiError;
import io.mlserve.registry.ModelRegistry;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code DELETE /models/{name}/{version}}: removes a version that nothing serves. Refused with 409 when it is the
 * production version, the version the stored selection pins, or the version an inference process is serving (asked
 * over {@code models.list}; e.g. the previous version kept serving after a broken promotion). Files go only from
 * under the models directory ({@link ModelRegistry#delete}).
 */
final class ModelDeletion {
  private static final Logger LOG = LoggerFactory.getLogger(ModelDeletion.class);

  private final Services services;
  private final ModelRegistry registry;
  private final SelectionStore selections;

  ModelDeletion(Services services) {
    this.services = services;
    this.registry = new ModelRegistry(services.vertx(), services.mongo(), services.config().models().dir());
    this.selections = new SelectionStore(services.mongo());
  }

  /** Validates the path parameters (400 naming them) before anything reaches MongoDB or the file system. */
  static int version(String raw) {
    return QueryParams.parseInt("version", raw, 1, Integer.MAX_VALUE);
  }

  static String name(String raw) {
    try {
      return ModelRegistry.checkName(raw);
    } catch (ApiError e) {
      throw ApiError.badRequest("name", e.getMessage());
    }
  }

  Future<JsonObject> delete(String name, int version) {
    return registry.get(name, version)
        .compose(doc -> selections.read(services.config().inference().defaultModel()))
        .compose(sel -> {
          if (sel.name().equals(name) && sel.version() != null && sel.version() == version) {
            return Future.failedFuture(conflict(name, version, "it is the selected model (POST /select-model "
                + "another version first)"));
          }
          return servingVersion(name);
        })
        .compose(serving -> serving != null && serving == version
            ? Future.failedFuture(conflict(name, version, "an inference process is serving it"))
            : registry.delete(name, version))
        .map(doc -> new JsonObject().put("deleted", new JsonObject().put("model_name", name).put("version", version)
            .put("stage", doc.getString("stage"))));
  }

  /** The version of {@code name} the inference role serves now, or null (other model, or no inference role). */
  private Future<Integer> servingVersion(String name) {
    return Bus.request(services.vertx(), InferenceVerticle.LIST, new JsonObject(),
            services.config().bus().timeoutMs())
        .map(list -> {
          JsonObject sel = list.getJsonObject("selected", new JsonObject());
          return name.equals(sel.getString("model_name")) ? sel.getInteger("servingVersion") : null;
        })
        .recover(t -> {
          // with no inference role reachable nothing serves from this process group; the stored selection and the
          // production stage were checked already
          LOG.info("deleting a model without asking an inference role what it serves: {}", t.getMessage());
          return Future.succeededFuture(null);
        });
  }

  private static ApiError conflict(String name, int version, String why) {
    return ApiError.conflict("model " + name + " version " + version + " cannot be deleted: " + why);
  }
}
