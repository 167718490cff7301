package io.mlserve.inference;

import io.mlserve.common.ApiError;
import io.mlserve.inference.SelectionStore.Selection;
import io.mlserve.registry.ModelRegistry;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Registry lookups as the inference API needs them: resolving a name (production version) or name + version to a
 * registry document with 404s that list what exists, and the {@code GET /models} listing.
 */
final class ModelCatalog {
  private final ModelRegistry registry;

  ModelCatalog(ModelRegistry registry) {
    this.registry = registry;
  }

  /**
   * The registry document for {@code name} at {@code version} (null: its production version). When not found, the
   * models directory is synced once (a model copied in by hand), then the 404 lists the known names or versions.
   */
  Future<JsonObject> resolve(String name, Integer version, String field) {
    return find(name, version).compose(doc -> doc != null ? Future.succeededFuture(doc)
        : registry.syncFromDisk().recover(t -> Future.succeededFuture())
        .compose(v -> find(name, version))
        .compose(again -> again != null ? Future.succeededFuture(again) : notFound(name, version, field)));
  }

  private Future<JsonObject> find(String name, Integer version) {
    return version == null ? registry.production(name)
        : registry.get(name, version).recover(t -> t instanceof ApiError e && e.status() == 404
        ? Future.succeededFuture(null) : Future.failedFuture(t));
  }

  private Future<JsonObject> notFound(String name, Integer version, String field) {
    return registry.list().compose(all -> {
      List<String> names = all.stream().map(d -> d.getString("name")).distinct().toList();
      List<Integer> versions = all.stream().filter(d -> name.equals(d.getString("name")))
          .map(d -> d.getInteger("version")).toList();
      if (versions.isEmpty()) {
        return Future.failedFuture(new ApiError(404, "not found", "no model named '" + name + "'; known models: "
            + (names.isEmpty() ? "none (train one or add one to the models directory)" : String.join(", ", names)),
            field, null).with("known", new JsonArray(names)));
      }
      String detail = version == null
          ? "model '" + name + "' has no production version; select one of its versions explicitly"
          : "model '" + name + "' has no version " + version;
      return Future.failedFuture(new ApiError(404, "not found", detail + "; known versions: " + versions,
          version == null ? field : "version", null).with("versions", new JsonArray(versions))
          .with("known", new JsonArray(names)));
    });
  }

  /** {@code GET /models}: per name its versions with stage, aliases and metrics, and what serves right now. */
  Future<JsonObject> list(Selection selection, ServingModels serving, String defaultModel) {
    LoadedModel selected = serving.selected();
    List<LoadedModel> loaded = new ArrayList<>(serving.overrides());
    if (selected != null) {
      loaded.add(selected);
    }
    return registry.list().map(all -> {
      Map<String, JsonObject> byName = new LinkedHashMap<>();
      for (JsonObject doc : all) {
        String name = doc.getString("name");
        int version = doc.getInteger("version");
        JsonObject entry = byName.computeIfAbsent(name, n -> new JsonObject().put("name", n)
            .putNull("production").put("versions", new JsonArray()));
        if (ModelRegistry.PRODUCTION.equals(doc.getString("stage"))) {
          entry.put("production", version);
        }
        boolean isSelected = selected != null && selected.name().equals(name) && selected.version() == version;
        entry.getJsonArray("versions").add(new JsonObject()
            .put("version", version)
            .put("stage", doc.getString("stage"))
            .put("aliases", doc.getJsonArray("aliases", new JsonArray()))
            .put("metrics", doc.getJsonObject("metrics", new JsonObject()))
            .put("createdAt", doc.getString("createdAt"))
            .put("selected", isSelected)
            .put("loaded", loaded.stream().anyMatch(m -> m.name().equals(name) && m.version() == version)));
      }
      JsonObject sel = new JsonObject().put("model_name", selection.name()).put("version", selection.version())
          .put("followsProduction", selection.followsProduction()).put("source", selection.source())
          .put("loaded", selected != null);
      if (selected != null) {
        sel.put("servingVersion", selected.version()).put("loadedAt", selected.loadedAt().toString())
            .put("loadMs", selected.loadMillis());
      }
      return new JsonObject()
          .put("models", new JsonArray(new ArrayList<>(byName.values())))
          .put("selected", sel)
          .put("defaultModel", defaultModel);
    });
  }
}
