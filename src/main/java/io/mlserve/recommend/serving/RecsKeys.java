package io.mlserve.recommend.serving;

import io.mlserve.recommend.algo.Algo;

/**
 * Names shared by the writer (recommender role) and the read path (api role): Redis keys, the event-bus addresses
 * and the popularity document.
 */
public final class RecsKeys {
  public static final String GET = "recs.get";
  public static final String COMPUTE = "recs.compute";
  public static final String USER_REFRESH = "recs.user.refresh";
  public static final String INVALIDATED = "recs.invalidated";
  /** The popularity list is stored as the recommendations of this pseudo user (real ids are positive). */
  public static final int POPULARITY_USER = 0;

  private RecsKeys() {
  }

  /** {@code recommendations:{userId}}: the default algorithm's entry, read when the client names no algo. */
  public static String defaultKey(long userId) {
    return "recommendations:" + userId;
  }

  /** {@code recommendations:{userId}:{algo}}: read when the client names the algo. */
  public static String algoKey(long userId, Algo algo) {
    return "recommendations:" + userId + ":" + algo.id();
  }

  public static String popularityKey() {
    return "recommendations:popular";
  }
}
