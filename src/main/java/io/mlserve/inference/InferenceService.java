package io.mlserve.inference;

import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.mlserve.app.Services;
import io.mlserve.common.ApiError;
import io.mlserve.config.InferenceConfig;
import io.mlserve.inference.PredictRequest.ModelSpec;
import io.mlserve.inference.SelectionStore.Selection;
import io.mlserve.registry.ModelRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The inference role's state and behaviour behind the event-bus addresses: which model is selected (MongoDB, shared by
 * every inference process), loading sessions in the background and swapping them in, {@code ?model=} overrides, and
 * predictions through the {@link PredictionEngine}. Confined to the verticle's context, except the engine's runners
 * and the {@code predictSelected} methods, which api event loops of this process call directly
 * ({@link LocalInference}).
 */
final class InferenceService implements AutoCloseable {
  static final String SELECTION_CHANGED = "inference.selection.changed";
  private static final Logger LOG = LoggerFactory.getLogger(InferenceService.class);

  private final Vertx vertx;
  private final Context context;
  private final InferenceConfig config;
  private final ModelRegistry registry;
  private final SelectionStore store;
  private final ModelLoader loader;
  private final PredictionEngine engine;
  private final ServingModels serving;
  private final MultiGauge servingGauge;
  private final ModelCatalog catalog;
  private final io.micrometer.core.instrument.MeterRegistry metrics;
  private final String processId = UUID.randomUUID().toString();
  private final Map<String, Future<LoadedModel>> overrideLoads = new HashMap<>();
  private Future<?> selectionChain = Future.succeededFuture();
  private volatile Selection selection;
  private volatile String problem = "the first model is still loading";

  InferenceService(Vertx vertx, Services services) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.config = services.config().inference();
    this.registry = new ModelRegistry(vertx, services.mongo(), services.config().models().dir());
    this.store = new SelectionStore(services.mongo());
    this.loader = new ModelLoader(new ModelLoader.SessionSettings(config.intraOpThreads(), config.interOpThreads(),
        config.optimizationLevel()));
    this.engine = new PredictionEngine(new PredictionEngine.Settings(config.threads(), config.batching(),
        config.maxBatchRows(), config.maxWaitMicros() * 1000, config.chunkRows(), config.maxQueuedRows()),
        services.metrics());
    this.serving = new ServingModels(config.overrideModels());
    io.micrometer.core.instrument.Gauge.builder("mlserve.model.sessions.open", loader, ModelLoader::openSessions)
        .description("ONNX Runtime sessions open in this process (selected, overrides, and retired ones still "
            + "finishing requests)").register(services.metrics());
    // which model and version this process serves: 1 for the selected one (the dashboard's "model in production")
    this.servingGauge = MultiGauge.builder("mlserve.model.serving")
        .description("The model version this inference process serves (value 1)").register(services.metrics());
    this.catalog = new ModelCatalog(registry);
    this.metrics = services.metrics();
    this.selection = new Selection(config.defaultModel(), null, "default (inference.defaultModel)");
  }

  /** Registers models found on disk, reads the selection and loads it. A model that cannot load is not fatal. */
  Future<Void> start() {
    return registry.syncFromDisk()
        .recover(t -> {
          LOG.warn("could not sync the models directory with the registry: {}", t.toString());
          return Future.succeededFuture();
        })
        .compose(v -> store.read(config.defaultModel()))
        .compose(sel -> {
          selection = sel;
          return serialized(() -> apply(sel, false, false));
        })
        .<Void>mapEmpty()
        .recover(t -> {
          LOG.warn("no model loaded at start: {}", problem);
          return Future.succeededFuture();
        });
  }

  LoadedModel current() {
    return serving.selected();
  }

  String problem() {
    return problem;
  }

  /** What to tell a client or an operator when no model can serve. */
  String noModelAdvice() {
    return "no model is loaded (" + problem + "). Train one (POST /pipeline/run with the trainer role) or copy a "
        + "model version into " + registry.root() + "/{name}/{version}/ (model.onnx + metadata.json), then POST "
        + "/select-model {\"model_name\": \"...\"}";
  }

  // ---- predictions ------------------------------------------------------------------------------------------

  /**
   * {@code inference.predict}: a {@link PredictCall} (or its JSON form) → JSON answer bytes. Rows not validated by
   * this process's api role are validated here.
   */
  Future<Buffer> predict(Object body) {
    PredictCall call = body instanceof PredictCall c ? c : body instanceof JsonObject j
        ? new PredictCall(j.getString("model"), null, false) : null;
    if (call == null) {
      throw ApiError.badRequest("body", "inference.predict takes {model?, rows: [...]}");
    }
    List<Map<String, Object>> rows = call.validated() ? call.rows()
        : PredictRequest.rows(call.rows() != null ? call.rows()
        : PredictCall.unwrap(((JsonObject) body).getValue("rows")), config.maxRowsPerRequest());
    String raw = call.model();
    Future<LoadedModel> model = raw == null ? selectedModel() : override(PredictRequest.parseSpec(raw, "model"));
    return model.compose(m -> run(m, rows, context));
  }

  /**
   * The in-process path ({@link LocalInference}): validated rows for the selected model, answered on
   * {@code replyOn}. Safe from any thread.
   */
  Future<Buffer> predictSelected(List<Map<String, Object>> rows, Context replyOn) {
    return selectedModel().compose(m -> run(m, rows, replyOn));
  }

  private Future<Buffer> run(LoadedModel m, List<Map<String, Object>> rows, Context replyOn) {
    return Future.fromCompletionStage(engine.predict(m, rows, 0)
            .thenApply(p -> Buffer.buffer(PredictionFormat.json(p, m.target()))), replyOn)
        .recover(t -> Future.failedFuture(PredictionEngine.unwrap(t)));
  }

  /**
   * {@code inference.predict.batch}: the {@link PredictBatch} of small requests an api event loop gathered, sent to
   * the engine together so one run serves them; each request gets its own outcome (its validation error, the
   * model's encoding error for one of its rows, or its predictions). A missing model fails the whole batch.
   */
  Future<PredictOutcomes> predictBatch(Object body) {
    if (!(body instanceof PredictBatch batch) || batch.requests() == null) {
      throw ApiError.badRequest("body", "inference.predict.batch takes a PredictBatch");
    }
    int n = batch.requests().size();
    PredictOutcomes.Outcome[] outcomes = new PredictOutcomes.Outcome[n];
    List<List<Map<String, Object>>> valid = new ArrayList<>(n);
    int[] positions = new int[n];
    for (int i = 0; i < n; i++) {
      try {
        List<Map<String, Object>> rows = batch.requests().get(i);
        valid.add(batch.validated() ? rows : PredictRequest.rows(rows, config.maxRowsPerRequest()));
        positions[valid.size() - 1] = i;
      } catch (ApiError e) {
        outcomes[i] = PredictOutcomes.Outcome.failed(e);
      }
    }
    if (valid.isEmpty()) {
      return Future.succeededFuture(new PredictOutcomes(List.of(outcomes)));
    }
    String raw = batch.model();
    Future<LoadedModel> model = raw == null ? selectedModel() : override(PredictRequest.parseSpec(raw, "model"));
    return model.compose(m -> runEach(m, valid, positions, outcomes, context));
  }

  /**
   * The in-process path ({@link LocalInference}) of a {@link PredictBatch}: validated requests for the selected
   * model, one outcome each, answered on {@code replyOn}. Safe from any thread.
   */
  Future<PredictOutcomes> predictSelectedEach(List<List<Map<String, Object>>> requests, Context replyOn) {
    int n = requests.size();
    if (n == 0) {
      return Future.succeededFuture(new PredictOutcomes(List.of())); // acquiring n - 1 more references needs n > 0
    }
    int[] positions = new int[n];
    for (int i = 0; i < n; i++) {
      positions[i] = i;
    }
    return selectedModel().compose(m -> runEach(m, requests, positions, new PredictOutcomes.Outcome[n], replyOn));
  }

  /** Runs {@code valid} together; the outcome of {@code valid[i]} goes to {@code outcomes[positions[i]]}. */
  private Future<PredictOutcomes> runEach(LoadedModel m, List<List<Map<String, Object>>> valid, int[] positions,
                                          PredictOutcomes.Outcome[] outcomes, Context replyOn) {
    m.acquireMore(valid.size() - 1); // one reference per request, as the engine releases them
    List<CompletableFuture<Predictions>> answers = engine.predictEach(m, valid);
    CompletableFuture<Void> all = CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new));
    return Future.fromCompletionStage(all.handle((v, t) -> v), replyOn).map(v -> {
      for (int i = 0; i < answers.size(); i++) {
        CompletableFuture<Predictions> a = answers.get(i);
        outcomes[positions[i]] = a.isCompletedExceptionally()
            ? PredictOutcomes.Outcome.failed(PredictionEngine.unwrap(a.handle((p, t) -> t).join()))
            : PredictOutcomes.Outcome.of(a.join(), m.target());
      }
      return new PredictOutcomes(List.of(outcomes));
    });
  }

  private Future<LoadedModel> selectedModel() {
    LoadedModel m = serving.acquireSelected();
    return m != null ? Future.succeededFuture(m) : Future.failedFuture(ApiError.unavailable(noModelAdvice()));
  }

  private Future<LoadedModel> override(ModelSpec spec) {
    LoadedModel sel = serving.selected();
    if (sel != null && sel.name().equals(spec.name()) && (spec.version() != null
        ? sel.version() == spec.version() : selection.followsProduction() && selection.name().equals(spec.name()))
        && sel.tryAcquire()) {
      return Future.succeededFuture(sel);
    }
    LoadedModel cached = serving.acquireOverride(spec.key());
    if (cached != null) {
      return Future.succeededFuture(cached);
    }
    String key = spec.key();
    Future<LoadedModel> loading = overrideLoads.get(key); // concurrent requests for one override share one load
    if (loading == null) {
      loading = catalog.resolve(spec.name(), spec.version(), "model")
          .compose(doc -> load(spec.name(), doc.getInteger("version")))
          .onSuccess(m -> serving.putOverride(key, m));
      overrideLoads.put(key, loading);
      loading.onComplete(ar -> overrideLoads.remove(key));
    }
    return loading.compose(m -> m.tryAcquire() ? Future.succeededFuture(m) : override(spec));
  }


  // ---- selection and hot swap ------------------------------------------------------------------------------

  /** {@code models.select} {model_name, version?}: load, persist, swap, tell the other inference processes. */
  Future<JsonObject> select(JsonObject body) {
    Selection wanted = SelectRequest.parse(body);
    return serialized(() -> apply(wanted, true, true));
  }

  /**
   * {@code models.changed}: a new production version of the selected model is loaded and swapped in; a deleted
   * version's override session is dropped.
   */
  void onModelsChanged(JsonObject event) {
    String name = event.getString("name");
    if (name != null && "deleted".equals(event.getString("stage")) && event.getInteger("version") != null) {
      serving.dropOverride(name + ":" + event.getInteger("version")); // its files are gone: no new requests on it
      return;
    }
    if (name == null || !ModelRegistry.PRODUCTION.equals(event.getString("stage"))) {
      return;
    }
    serving.dropProductionOverride(name);
    serialized(() -> {
      Selection sel = selection; // as it is once earlier selection changes are done
      if (!sel.name().equals(name) || !(sel.followsProduction() || serving.selected() == null)) {
        return Future.succeededFuture();
      }
      return apply(sel, false, false);
    }).onFailure(t -> LOG.warn("could not load the new production version of {}: {}", name, t.getMessage()));
  }

  /** {@code inference.selection.changed} from another process: follow its selection. */
  void onSelectionChanged(JsonObject event) {
    if (processId.equals(event.getString("origin")) || event.getString("model_name") == null) {
      return;
    }
    Selection sel = new Selection(event.getString("model_name"), event.getInteger("version"), "POST /select-model");
    serialized(() -> apply(sel, false, false))
        .onFailure(t -> LOG.warn("could not follow the selection of {}: {}", sel.name(), t.getMessage()));
  }

  /** Runs selection changes one after another, so the last one asked for is the one that serves. */
  private <T> Future<T> serialized(Supplier<Future<T>> step) {
    Future<T> next = selectionChain.transform(ar -> step.get());
    selectionChain = next;
    return next;
  }

  private Future<JsonObject> apply(Selection wanted, boolean persist, boolean announce) {
    return catalog.resolve(wanted.name(), wanted.version(), "model_name").compose(doc -> {
      int version = doc.getInteger("version");
      LoadedModel current = serving.selected();
      boolean same = current != null && current.name().equals(wanted.name()) && current.version() == version;
      Future<LoadedModel> model = same ? Future.succeededFuture(current) : load(wanted.name(), version);
      boolean newSelection = !wanted.equals(selection);
      return model.compose(m -> (persist && newSelection ? store.write(wanted) : Future.<Void>succeededFuture())
          .recover(t -> {
            if (m != current) {
              m.retire();
            }
            return Future.failedFuture(ApiError.unavailable("cannot store the selection in MongoDB: "
                + t.getMessage()));
          })
          .map(v -> {
            boolean changed = newSelection || m != current;
            selection = wanted;
            if (m != current) {
              serving.swapSelected(m);
              servingGauge.register(List.of(MultiGauge.Row.of(
                  Tags.of("model", m.name(), "version", String.valueOf(m.version())), 1)), true);
              LOG.info("serving model {} version {} (loaded in {} ms{})", m.name(), m.version(), m.loadMillis(),
                  current == null ? "" : ", replacing version " + current.version() + " of " + current.name());
            }
            problem = null;
            if (announce && changed) {
              vertx.eventBus().publish(SELECTION_CHANGED, wanted.toJson().put("origin", processId));
            }
            return selectedJson(doc, m, changed);
          }));
    }).onFailure(t -> {
      if (serving.selected() == null) {
        problem = t.getMessage();
      }
    });
  }

  private JsonObject selectedJson(JsonObject doc, LoadedModel m, boolean changed) {
    return new JsonObject()
        .put("selected", new JsonObject().put("model_name", m.name()).put("version", m.version())
            .put("followsProduction", selection.followsProduction())
            .put("stage", doc.getString("stage")).put("metrics", doc.getJsonObject("metrics"))
            .put("loaded", true).put("loadMs", m.loadMillis()).put("loadedAt", m.loadedAt().toString()))
        .put("changed", changed);
  }

  /** Reads metadata and creates the session on a worker thread. */
  private Future<LoadedModel> load(String name, int version) {
    return registry.metadata(name, version)
        .recover(t -> Future.failedFuture(ApiError.unprocessable("model_name", "model " + name + " version "
            + version + " has no readable metadata.json: " + t.getMessage())))
        .compose(meta -> vertx.executeBlocking(() -> {
          try {
            return loader.load(registry.readableModelFile(name, version), meta);
          } catch (ModelLoader.ModelLoadException e) {
            throw ApiError.unprocessable("model_name", e.getMessage());
          }
        }, false))
        .onSuccess(m -> io.micrometer.core.instrument.Timer.builder("mlserve.model.load")
            .description("Time to create an ONNX Runtime session and check it against metadata.json")
            .tag("model", name).register(metrics).record(java.time.Duration.ofMillis(m.loadMillis())));
  }

  // ---- listing ---------------------------------------------------------------------------------------------

  /** {@code models.list}: every registered model and version, which is selected, which sessions are loaded. */
  Future<JsonObject> list() {
    return catalog.list(selection, serving, config.defaultModel())
        .map(json -> problem == null || serving.selected() != null ? json : json.put("problem", noModelAdvice()));
  }

  @Override
  public void close() {
    problem = "the inference role is stopping"; // what a request that still arrives is told
    engine.close();
    serving.close();
  }
}
