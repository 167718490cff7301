package io.mlserve.config;

import io.mlserve.recommend.algo.RecsParams;
import io.mlserve.recommend.data.RatingRange;

import java.util.Set;

/**
 * The recommendation engine: worker pool and batch sizes, model settings, accepted ratings and which cache tiers
 * the read path uses.
 *
 * @param workerPoolSize threads of the {@code recommend} worker pool (batch compute and per-user refresh)
 * @param chunkUsers     users per batch chunk: one unordered Mongo bulk upsert and one Redis pipeline per chunk
 * @param topN           items stored per user and algorithm (the largest k a client may ask for)
 * @param ratingMin      smallest accepted rating
 * @param ratingMax      largest accepted rating
 * @param maxBatch       most interactions in one {@code POST /interactions}
 * @param redisReads     whether the read path consults Redis (false: near cache, then MongoDB)
 */
public record RecsConfig(int workerPoolSize, int chunkUsers, int topN, double ratingMin, double ratingMax,
                         int maxBatch, boolean redisReads, RecsParams params) {

  public RatingRange ratingRange() {
    return new RatingRange(ratingMin, ratingMax);
  }

  static RecsConfig from(ConfigReader r) {
    double min = r.doubleIn("recs.ratingMin", -1e9, 1e9);
    double max = r.doubleIn("recs.ratingMax", -1e9, 1e9);
    if (min > max) {
      throw new ConfigException("recs.ratingMin", "config", min, "must not exceed recs.ratingMax (" + max + ")");
    }
    return new RecsConfig(
        r.intIn("recs.workerPoolSize", 1, 256),
        r.intIn("recs.chunkUsers", 1, 100_000),
        r.intIn("recs.topN", 1, 1000),
        min,
        max,
        r.intIn("recs.maxBatch", 1, 1_000_000),
        r.bool("recs.redisReads"),
        new RecsParams(
            r.intIn("recs.userNeighbours", 1, 100_000),
            r.oneOf("recs.userSimilarity", Set.of("cosine", "centered")),
            r.doubleIn("recs.userSimPower", 0.1, 10),
            r.intIn("recs.itemNeighbours", 1, 100_000),
            r.doubleIn("recs.itemAlpha", 0, 1),
            r.doubleIn("recs.hybridUserWeight", 0, 1),
            r.intIn("recs.clusters", 1, 10_000),
            r.intIn("recs.kmeansIterations", 1, 1000),
            r.intIn("recs.minInteractions", 0, 1_000_000),
            r.longIn("recs.seed", Long.MIN_VALUE, Long.MAX_VALUE)));
  }
}
