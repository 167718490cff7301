package io.mlserve.recommend.store;

import io.mlserve.recommend.data.RatingsBuffer;

import io.mlserve.store.Collections;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.BulkOperation;
import io.vertx.ext.mongo.BulkWriteOptions;
import io.vertx.ext.mongo.FindOptions;
import io.vertx.ext.mongo.MongoClient;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@code interactions} collection: idempotent writes (unordered bulk upserts keyed by the unique
 * (userId, itemId) index, so a repeated pair updates the rating) and reads into primitive buffers.
 */
public final class InteractionStore {
  /** Counts of one write. */
  public record Written(long upserted, long modified, long matched) {
    public Written plus(Written o) {
      return new Written(upserted + o.upserted, modified + o.modified, matched + o.matched);
    }
  }

  private InteractionStore() {
  }

  /** Upserts rows {@code [from, to)}, last one wins within the range. */
  public static Future<Written> upsert(MongoClient mongo, RatingsBuffer rows, int from, int to) {
    List<BulkOperation> ops = new ArrayList<>(to - from);
    for (int i = from; i < to; i++) {
      JsonObject key = new JsonObject().put("userId", rows.user(i)).put("itemId", rows.item(i));
      JsonObject set = new JsonObject().put("$set", new JsonObject()
          .put("rating", (double) rows.rating(i)).put("ts", rows.ts(i)));
      ops.add(BulkOperation.createUpdate(key, set, true, false));
    }
    if (ops.isEmpty()) {
      return Future.succeededFuture(new Written(0, 0, 0));
    }
    return mongo.bulkWriteWithOptions(Collections.INTERACTIONS, ops, new BulkWriteOptions(false))
        .map(r -> new Written(r.getUpserts() == null ? 0 : r.getUpserts().size(), r.getModifiedCount(),
            r.getMatchedCount()));
  }

  /** Every interaction (projected to the four fields), streamed into a buffer; {@code onRow} sees the count. */
  public static Future<RatingsBuffer> loadAll(MongoClient mongo, java.util.function.LongConsumer onRows) {
    RatingsBuffer out = new RatingsBuffer(1 << 16);
    FindOptions opts = new FindOptions().setBatchSize(10_000).setFields(new JsonObject()
        .put("_id", 0).put("userId", 1).put("itemId", 1).put("rating", 1).put("ts", 1));
    var promise = io.vertx.core.Promise.<RatingsBuffer>promise();
    var stream = mongo.findBatchWithOptions(Collections.INTERACTIONS, new JsonObject(), opts);
    stream.exceptionHandler(promise::tryFail)
        .endHandler(v -> promise.tryComplete(out))
        .handler(d -> {
          out.add(d.getInteger("userId"), d.getInteger("itemId"), d.getNumber("rating").floatValue(),
              d.getNumber("ts") == null ? 0 : d.getNumber("ts").longValue());
          if ((out.size() & 0x3FFF) == 0) {
            onRows.accept(out.size());
          }
        });
    return promise.future();
  }

  /** The interactions of some users. */
  public static Future<RatingsBuffer> loadUsers(MongoClient mongo, List<Integer> userIds) {
    JsonObject query = new JsonObject().put("userId", new JsonObject().put("$in", new io.vertx.core.json.JsonArray(
        new ArrayList<>(userIds))));
    FindOptions opts = new FindOptions().setFields(new JsonObject()
        .put("_id", 0).put("userId", 1).put("itemId", 1).put("rating", 1).put("ts", 1));
    return mongo.findWithOptions(Collections.INTERACTIONS, query, opts).map(list -> {
      RatingsBuffer out = new RatingsBuffer(list.size());
      list.forEach(d -> out.add(d.getInteger("userId"), d.getInteger("itemId"), d.getNumber("rating").floatValue(),
          d.getNumber("ts") == null ? 0 : d.getNumber("ts").longValue()));
      return out;
    });
  }
}
