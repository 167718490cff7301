package io.mlserve.registry;

import io.mlserve.common.ApiError;
import io.mlserve.store.Collections;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.FindOptions;
import io.vertx.ext.mongo.MongoClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The model registry: versions per model name in the {@code models} collection, files under
 * {@code models/{name}/{version}/} ({@code model.onnx} + {@code metadata.json}), and the {@code production} stage.
 *
 * <p>Files are written to a temporary directory and moved into place atomically, so a reader never sees half a
 * model. Names are restricted to a safe alphabet and every path is checked to stay under the models directory.
 * Models found on disk but not in MongoDB (the bootstrap model shipped in {@code models/}, or a fresh database) are
 * registered by {@link #syncFromDisk()}.
 */
public final class ModelRegistry {
  public static final String PRODUCTION = "production";
  public static final String ARCHIVED = "archived";
  public static final String NONE = "none";
  public static final String CHANGED_ADDRESS = "models.changed";
  public static final String MODEL_FILE = "model.onnx";
  public static final String METADATA_FILE = "metadata.json";
  private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
  private static final Logger LOG = LoggerFactory.getLogger(ModelRegistry.class);

  private final Vertx vertx;
  private final MongoClient mongo;
  private final Path root;

  public ModelRegistry(Vertx vertx, MongoClient mongo, Path modelsDir) {
    this.vertx = vertx;
    this.mongo = mongo;
    this.root = modelsDir.toAbsolutePath().normalize();
  }

  public Path root() {
    return root;
  }

  /** 400 unless {@code name} is a plain model name (no path separators, no "..", no query operators). */
  public static String checkName(String name) {
    if (name == null || !SAFE_NAME.matcher(name).matches() || name.contains("..")) {
      throw ApiError.badRequest("model_name", "model names are 1-64 characters: letters, digits, '_', '-', '.'"
          + " (not starting with '.' and without '..')");
    }
    return name;
  }

  /** The directory of one version, guaranteed to lie under the models directory. */
  public Path versionDir(String name, int version) {
    checkName(name);
    if (version < 1) {
      throw ApiError.badRequest("version", "versions are positive integers");
    }
    Path dir = root.resolve(name).resolve(Integer.toString(version)).normalize();
    if (!dir.startsWith(root)) {
      throw ApiError.badRequest("model_name", "model path escapes the models directory");
    }
    return dir;
  }

  public Path modelFile(String name, int version) {
    return versionDir(name, version).resolve(MODEL_FILE);
  }

  /**
   * Stores a new version of {@code metadata.name()} (the next free number) and records it with stage "none".
   * Blocking file I/O runs on a worker thread. Returns the registry document.
   */
  public Future<JsonObject> register(ModelMetadata metadata, byte[] onnx) {
    String name = checkName(metadata.name());
    return nextVersion(name).compose(first -> vertx.executeBlocking(() -> writeFiles(metadata, onnx, first)))
        .compose(written -> {
          JsonObject doc = document(written, NONE);
          return mongo.insert(Collections.MODELS, doc).map(id -> {
            doc.remove("_id");
            LOG.info("registered model {} version {}", name, written.version());
            return doc;
          });
        });
  }

  private ModelMetadata writeFiles(ModelMetadata metadata, byte[] onnx, int firstCandidate) throws IOException {
    return writeVersion(root, metadata, onnx, firstCandidate);
  }

  /**
   * Writes the next free version of {@code metadata.name()} (at least {@code firstCandidate}) under {@code root}
   * without touching MongoDB: for offline tools such as {@code mlserve train --out models}; a later
   * {@link #syncFromDisk()} registers it. Atomic like {@link #register}. Returns the metadata with its version.
   */
  public static ModelMetadata writeVersion(Path root, ModelMetadata metadata, byte[] onnx, int firstCandidate)
      throws IOException {
    ModelRegistry files = new ModelRegistry(null, null, root);
    Path nameDir = files.root.resolve(checkName(metadata.name()));
    Files.createDirectories(nameDir);
    int version = Math.max(firstCandidate, files.highestOnDisk(metadata.name()) + 1);
    for (int attempt = 0; attempt < 100; attempt++, version++) {
      ModelMetadata versioned = metadata.withVersion(version).withModelSha256(onnx);
      Path tmp = nameDir.resolve(".tmp-" + UUID.randomUUID());
      try {
        Files.createDirectories(tmp);
        Files.write(tmp.resolve(MODEL_FILE), onnx);
        Files.writeString(tmp.resolve(METADATA_FILE), versioned.toJson().encodePrettily(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        deleteTree(tmp); // a full disk leaves no half-written version behind
        throw e;
      }
      try {
        try {
          Files.move(tmp, files.versionDir(metadata.name(), version), StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(tmp, files.versionDir(metadata.name(), version));
        }
        return versioned;
      } catch (FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException e) {
        deleteTree(tmp); // another writer took this version: try the next one
      }
    }
    throw new IOException("could not allocate a version directory for " + metadata.name());
  }

  private Future<Integer> nextVersion(String name) {
    return mongo.findWithOptions(Collections.MODELS, new JsonObject().put("name", name),
            new FindOptions().setSort(new JsonObject().put("version", -1)).setLimit(1))
        .map(docs -> docs.isEmpty() ? 1 : docs.get(0).getInteger("version") + 1);
  }

  private int highestOnDisk(String name) {
    Path dir = root.resolve(name);
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.matches("[1-9][0-9]{0,8}"))
          .mapToInt(Integer::parseInt).max().orElse(0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private JsonObject document(ModelMetadata m, String stage) {
    JsonObject meta = m.toJson();
    return new JsonObject()
        .put("name", m.name())
        .put("version", m.version())
        .put("stage", stage)
        .put("aliases", stage.equals(PRODUCTION) ? new io.vertx.core.json.JsonArray().add(PRODUCTION)
            : new io.vertx.core.json.JsonArray())
        .put("path", root.relativize(versionDir(m.name(), m.version())).toString())
        .put("metrics", m.metrics())
        .put("params", meta.getJsonObject("params", new JsonObject()))
        .put("data", meta.getJsonObject("data", new JsonObject()))
        .put("experimentId", meta.getString("experimentId"))
        .put("createdAt", meta.getString("createdAt", Instant.now().toString()));
  }

  /**
   * Makes {@code version} the production version of {@code name}; the previous one becomes "archived". Publishes
   * {@code models.changed} so inference processes load it.
   */
  public Future<JsonObject> promote(String name, int version) {
    JsonObject key = new JsonObject().put("name", checkName(name)).put("version", version);
    return mongo.findOne(Collections.MODELS, key, null).compose(doc -> {
      if (doc == null) {
        return Future.failedFuture(ApiError.notFound("no model " + name + " version " + version));
      }
      JsonObject demote = new JsonObject().put("$set", new JsonObject().put("stage", ARCHIVED)
          .put("aliases", new io.vertx.core.json.JsonArray()));
      JsonObject others = new JsonObject().put("name", name).put("stage", PRODUCTION)
          .put("version", new JsonObject().put("$ne", version));
      return mongo.updateCollectionWithOptions(Collections.MODELS, others, demote,
              new io.vertx.ext.mongo.UpdateOptions().setMulti(true))
          .compose(r -> mongo.updateCollection(Collections.MODELS, key, new JsonObject().put("$set",
              new JsonObject().put("stage", PRODUCTION).put("aliases",
                  new io.vertx.core.json.JsonArray().add(PRODUCTION)).put("promotedAt", Instant.now().toString()))))
          .compose(r -> get(name, version))
          .onSuccess(d -> {
            LOG.info("model {} version {} is now in production", name, version);
            vertx.eventBus().publish(CHANGED_ADDRESS, new JsonObject().put("name", name).put("version", version)
                .put("stage", PRODUCTION));
          });
    });
  }

  public Future<List<JsonObject>> list() {
    return mongo.findWithOptions(Collections.MODELS, new JsonObject(), new FindOptions()
        .setSort(new JsonObject().put("name", 1).put("version", 1)).setFields(new JsonObject().put("_id", 0)));
  }

  /** The registry document of one version; fails 404 when unknown. */
  public Future<JsonObject> get(String name, int version) {
    return mongo.findOne(Collections.MODELS, new JsonObject().put("name", checkName(name)).put("version", version),
        new JsonObject().put("_id", 0)).compose(doc -> doc == null
        ? Future.failedFuture(ApiError.notFound("no model " + name + " version " + version))
        : Future.succeededFuture(doc));
  }

  /** The production version's document, or null when the name has none. */
  public Future<JsonObject> production(String name) {
    return mongo.findOne(Collections.MODELS, new JsonObject().put("name", checkName(name)).put("stage", PRODUCTION),
        new JsonObject().put("_id", 0));
  }

  /**
   * Removes one version: its directory is first renamed aside (atomic, and a name no scan registers), then the
   * registry document is removed (on failure the directory is put back), then the files are deleted. Publishes
   * {@code models.changed} with stage {@code deleted} so inference processes drop sessions of it. The caller decides
   * whether the version may go (not production, not selected); this only refuses the production version.
   */
  public Future<JsonObject> delete(String name, int version) {
    Path dir = versionDir(name, version);
    return get(name, version).compose(doc -> {
      if (PRODUCTION.equals(doc.getString("stage"))) {
        return Future.failedFuture(ApiError.conflict("model " + name + " version " + version
            + " is the production version; promote another version first"));
      }
      return vertx.executeBlocking(() -> moveAside(dir)).compose(aside -> mongo.removeDocuments(Collections.MODELS,
              new JsonObject().put("name", name).put("version", version))
          .recover(t -> vertx.<Void>executeBlocking(() -> {
            if (aside != null) {
              Files.move(aside, dir, StandardCopyOption.ATOMIC_MOVE);
            }
            return null;
          }).transform(ar -> Future.failedFuture(ApiError.unavailable("cannot remove model " + name + " version "
              + version + " from the registry (MongoDB): " + t.getMessage()))))
          .compose(removed -> aside == null ? Future.succeededFuture()
              : vertx.executeBlocking(() -> {
                deleteTree(aside);
                return null;
              }).recover(t -> {
                LOG.warn("model {} version {}: registry entry removed but {} could not be deleted: {}", name,
                    version, aside, t.toString());
                return Future.succeededFuture();
              }))
          .map(v -> {
            LOG.info("deleted model {} version {}", name, version);
            vertx.eventBus().publish(CHANGED_ADDRESS, new JsonObject().put("name", name).put("version", version)
                .put("stage", "deleted"));
            return doc;
          }));
    });
  }

  /** Renames a version directory to a hidden sibling; null when it is not on disk (registry entry only). */
  private Path moveAside(Path dir) throws IOException {
    if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return null;
    }
    Path aside = dir.resolveSibling(".deleted-" + UUID.randomUUID());
    Files.move(dir, aside, StandardCopyOption.ATOMIC_MOVE); // a symlink is moved (and later removed) as a link
    return aside;
  }

  /**
   * The model file of a version as it will be read, after resolving symbolic links: refused (422) when it lies
   * outside the models directory, so a link planted in the models directory cannot make the server load, or reveal,
   * a file elsewhere.
   */
  public Path readableModelFile(String name, int version) {
    return insideRoot(modelFile(name, version), name, version);
  }

  /** Like {@link #readableModelFile} for metadata.json. */
  public Path readableMetadataFile(String name, int version) {
    return insideRoot(versionDir(name, version).resolve(METADATA_FILE), name, version);
  }

  private Path insideRoot(Path file, String name, int version) {
    try {
      Path real = file.toRealPath();
      if (!real.startsWith(root.toRealPath())) {
        throw ApiError.unprocessable("model_name", "model " + name + " version " + version + ": "
            + file.getFileName() + " resolves outside the models directory; refusing to load it");
      }
      return real;
    } catch (IOException e) {
      throw ApiError.unprocessable("model_name", "model " + name + " version " + version + ": cannot read "
          + file.getFileName() + " (" + e.getClass().getSimpleName() + ")");
    }
  }

  /** Reads and validates a version's metadata.json (worker thread). */
  public Future<ModelMetadata> metadata(String name, int version) {
    return vertx.executeBlocking(() -> ModelMetadata.parse(new JsonObject(
        Files.readString(readableMetadataFile(name, version)))));
  }

  /**
   * Registers versions present on disk but unknown to MongoDB, and promotes the highest version of a name that has
   * no production version. Idempotent; run at start by the roles that read or write models.
   */
  public Future<Void> syncFromDisk() {
    return vertx.executeBlocking(() -> scanDisk(root)).compose(found -> {
      Future<Void> chain = Future.succeededFuture();
      for (ModelMetadata m : found) {
        chain = chain.compose(v -> mongo.findOne(Collections.MODELS,
                new JsonObject().put("name", m.name()).put("version", m.version()), null)
            .compose(doc -> doc != null ? Future.succeededFuture()
                : mongo.insert(Collections.MODELS, document(m, NONE)).<Void>mapEmpty()
                .onSuccess(x -> LOG.info("registered model {} version {} found on disk", m.name(), m.version()))
                .recover(t -> Future.succeededFuture()))); // another process registered it first
      }
      return chain.compose(v -> promoteOrphans(found));
    });
  }

  private Future<Void> promoteOrphans(List<ModelMetadata> found) {
    Future<Void> chain = Future.succeededFuture();
    for (String name : found.stream().map(ModelMetadata::name).distinct().toList()) {
      chain = chain.compose(v -> production(name).compose(prod -> {
        if (prod != null) {
          return Future.succeededFuture();
        }
        return mongo.findWithOptions(Collections.MODELS, new JsonObject().put("name", name),
                new FindOptions().setSort(new JsonObject().put("version", -1)).setLimit(1))
            .compose(docs -> docs.isEmpty() ? Future.succeededFuture()
                : promote(name, docs.get(0).getInteger("version")).mapEmpty());
      }));
    }
    return chain;
  }

  /**
   * Every version under {@code root} ({name}/{version}/ with model.onnx and a metadata.json naming that name and
   * version); others are logged and skipped. Blocking.
   */
  public static List<ModelMetadata> scanDisk(Path root) throws IOException {
    List<ModelMetadata> found = new ArrayList<>();
    if (!Files.isDirectory(root)) {
      return found;
    }
    try (Stream<Path> names = Files.list(root)) {
      for (Path nameDir : names.filter(Files::isDirectory).toList()) {
        String name = nameDir.getFileName().toString();
        if (!SAFE_NAME.matcher(name).matches()) {
          continue;
        }
        try (Stream<Path> versions = Files.list(nameDir)) {
          for (Path vDir : versions.filter(p -> p.getFileName().toString().matches("[1-9][0-9]{0,8}")).toList()) {
            Path meta = vDir.resolve(METADATA_FILE);
            if (!Files.isRegularFile(meta) || !Files.isRegularFile(vDir.resolve(MODEL_FILE))) {
              continue;
            }
            try {
              ModelMetadata m = ModelMetadata.parse(new JsonObject(Files.readString(meta)));
              int version = Integer.parseInt(vDir.getFileName().toString());
              if (!m.name().equals(name) || m.version() != version) {
                LOG.warn("ignoring {}: its metadata names {} version {}", vDir, m.name(), m.version());
                continue;
              }
              found.add(m);
            } catch (RuntimeException e) {
              LOG.warn("ignoring {}: unreadable metadata.json ({})", vDir, e.getMessage());
            }
          }
        }
      }
    }
    return found;
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
