package io.mlserve.recommend.cli;

import io.mlserve.config.ConfigException;
import io.mlserve.config.ConfigLoader;
import io.mlserve.config.MlserveConfig;
import io.mlserve.recommend.data.RatingsBuffer;
import io.mlserve.recommend.data.RatingsFile;
import io.mlserve.recommend.store.InteractionStore;
import io.mlserve.store.Collections;
import io.mlserve.store.EmbeddedMongo;
import io.mlserve.store.MongoClients;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.MongoClient;
import io.vertx.ext.web.client.WebClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code import-ratings}: bulk-loads a rating file into {@code interactions} with unordered bulk upserts keyed by
 * (userId, itemId), so a rerun changes nothing. Writes straight to MongoDB (the configured one, or the embedded one
 * in {@code dataDir} while no service holds it), or through a running service's {@code POST /interactions}
 * with {@code --api}.
 */
@Command(name = "import-ratings", mixinStandardHelpOptions = true,
    description = "Bulk-loads ratings (MovieLens u.data or CSV userId,itemId,rating[,ts]) into MongoDB; idempotent.")
public final class ImportRatingsCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "FILE", description = "The rating file.")
  Path file;

  @Option(names = "--format", defaultValue = "movielens", description = "movielens or csv (default ${DEFAULT-VALUE}).")
  String format;

  @Option(names = "--conf", paramLabel = "FILE", description = "JSON config file (defaults < file < environment).")
  Path conf;

  @Option(names = "--api", paramLabel = "URL",
      description = "Post through a running service (e.g. http://127.0.0.1:8080) instead of writing to MongoDB.")
  String api;

  @Option(names = "--admin-key", description = "Bearer key for --api when security.adminKey is set (default: env MLSERVE_ADMIN_KEY).")
  String adminKey;

  @Option(names = "--chunk", defaultValue = "5000", description = "Rows per bulk write (default ${DEFAULT-VALUE}, at most 10000).")
  int chunk;

  @Override
  public Integer call() throws Exception {
    MlserveConfig config;
    try {
      config = ConfigLoader.load(conf, System.getenv());
    } catch (ConfigException e) {
      System.err.println(e.getMessage());
      return 2;
    }
    if (!Files.isRegularFile(file)) {
      System.err.println("no such file: " + file);
      return 2;
    }
    if (chunk < 1 || chunk > 10_000) {
      System.err.println("--chunk must be 1-10000");
      return 2;
    }
    RatingsBuffer rows;
    try {
      rows = RatingsFile.read(file, RatingsFile.Format.parse(format), config.recs().ratingRange());
    } catch (RatingsFile.BadRowException | IllegalArgumentException e) {
      System.err.println(file + ": " + e.getMessage() + " (nothing was imported)");
      return 2;
    }
    System.err.printf(Locale.ROOT, "read %d ratings from %s%n", rows.size(), file);
    Vertx vertx = Vertx.vertx();
    EmbeddedMongo embedded = null;
    try {
      Writer writer;
      if (api != null) {
        writer = httpWriter(vertx, rows);
      } else {
        String uri = config.mongo().uri();
        if (config.mongo().embedded()) {
          embedded = EmbeddedMongo.start(config.mongo().embeddedBackend(), config.dataDir(),
              config.mongo().embeddedPort());
          uri = embedded.connectionString();
        }
        MongoClient mongo = MongoClients.create(vertx, uri, config.mongo());
        await(Collections.ensureIndexes(mongo));
        writer = (from, to) -> InteractionStore.upsert(mongo, rows, from, to);
      }
      Progress p = new Progress(rows.size());
      InteractionStore.Written total = new InteractionStore.Written(0, 0, 0);
      for (int from = 0; from < rows.size(); from += chunk) {
        int to = Math.min(rows.size(), from + chunk);
        total = total.plus(await(writer.write(from, to)));
        p.report(to);
      }
      if (embedded != null) {
        embedded.commit();
      }
      double seconds = p.seconds();
      System.err.printf(Locale.ROOT, "imported %d ratings in %.1f s (%d new, %d updated)%n", rows.size(), seconds,
          total.upserted(), total.modified());
      System.out.println(new JsonObject().put("file", file.toString()).put("read", rows.size())
          .put("inserted", total.upserted()).put("updated", total.modified())
          .put("unchanged", rows.size() - total.upserted() - total.modified())
          .put("seconds", Math.round(seconds * 100) / 100.0).encode());
      return 0;
    } catch (Exception e) {
      System.err.println("import failed: " + e.getMessage());
      return 1;
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      if (embedded != null) {
        embedded.close();
      }
    }
  }

  @FunctionalInterface
  private interface Writer {
    Future<InteractionStore.Written> write(int from, int to);
  }

  private Writer httpWriter(Vertx vertx, RatingsBuffer rows) {
    WebClient client = WebClient.create(vertx);
    String base = api.endsWith("/") ? api.substring(0, api.length() - 1) : api;
    String key = adminKey != null ? adminKey : System.getenv("MLSERVE_ADMIN_KEY");
    return (from, to) -> {
      io.vertx.core.json.JsonArray batch = new io.vertx.core.json.JsonArray();
      for (int i = from; i < to; i++) {
        batch.add(new JsonObject().put("userId", rows.user(i)).put("itemId", rows.item(i))
            .put("rating", rows.rating(i)).put("ts", rows.ts(i)));
      }
      var req = client.postAbs(base + "/interactions");
      if (key != null && !key.isEmpty()) {
        req.bearerTokenAuthentication(key);
      }
      return req.sendJson(batch).compose(r -> r.statusCode() == 200
          ? Future.succeededFuture(new InteractionStore.Written(r.bodyAsJsonObject().getLong("inserted"),
              r.bodyAsJsonObject().getLong("updated"), 0))
          : Future.failedFuture(base + "/interactions answered " + r.statusCode() + ": " + r.bodyAsString()));
    };
  }

  private static <T> T await(Future<T> f) throws Exception {
    try {
      return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.MINUTES);
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof Exception ex ? ex : e;
    }
  }

  /** A progress line on stderr at most every 2 s: count, percent, rate, ETA. */
  static final class Progress {
    private final long total;
    private final long start = System.nanoTime();
    private long lastPrint;

    Progress(long total) {
      this.total = total;
    }

    double seconds() {
      return (System.nanoTime() - start) / 1e9;
    }

    void report(long done) {
      long now = System.nanoTime();
      if (done < total && now - lastPrint < 2_000_000_000L) {
        return;
      }
      lastPrint = now;
      double rate = done / Math.max(1e-9, seconds());
      System.err.printf(Locale.ROOT, "imported %d/%d (%.1f%%), %.0f ratings/s, ETA %.0f s%n", done, total,
          100.0 * done / total, rate, (total - done) / Math.max(1e-9, rate));
    }
  }
}
