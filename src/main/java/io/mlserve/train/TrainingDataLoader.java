package io.mlserve.train;

import io.mlserve.covertype.CovertypeSchema;
import io.mlserve.covertype.FeatureEncoding;
import io.mlserve.jobs.Job;
import io.mlserve.store.Collections;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.FindOptions;
import io.vertx.ext.mongo.MongoClient;
import io.vertx.core.streams.ReadStream;

/**
 * Streams the {@code covertype} collection (only the 13 schema fields; the feeder's bookkeeping fields are not
 * read) into a {@link TrainingSet.Builder}, counting rows as job progress; the canonical ordering runs on a worker.
 */
public final class TrainingDataLoader {
  private final Vertx vertx;
  private final MongoClient mongo;

  public TrainingDataLoader(Vertx vertx, MongoClient mongo) {
    this.vertx = vertx;
    this.mongo = mongo;
  }

  public record Loaded(TrainingSet data, long skipped, String firstProblem) {
  }

  public Future<Loaded> load(Job job, FeatureEncoding encoding) {
    return mongo.count(Collections.COVERTYPE, new JsonObject()).compose(count -> {
      job.phase("loading data").total(count, "rows");
      TrainingSet.Builder builder = new TrainingSet.Builder(encoding, (int) Math.min(count, 50_000_000));
      JsonObject fields = new JsonObject().put("_id", 0);
      CovertypeSchema.INPUT_FIELDS.forEach(f -> fields.put(f, 1));
      fields.put(CovertypeSchema.LABEL, 1);
      ReadStream<JsonObject> stream = mongo.findBatchWithOptions(Collections.COVERTYPE, new JsonObject(),
          new FindOptions().setFields(fields).setBatchSize(5000));
      Promise<Void> done = Promise.promise();
      stream.exceptionHandler(done::tryFail);
      stream.endHandler(v -> done.tryComplete());
      stream.handler(doc -> {
        builder.add(doc.getMap());
        job.advance(1);
        if (job.isCancelled()) {
          done.tryFail(new io.mlserve.jobs.JobCancelledException());
        }
      });
      return done.future().compose(v -> vertx.executeBlocking(() ->
          new Loaded(builder.build(), builder.invalid(), builder.firstProblem()), false));
    });
  }
}
