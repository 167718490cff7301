package io.mlserve.recommend.batch;

import io.mlserve.recommend.data.IdIndex;
import io.mlserve.recommend.data.InteractionMatrix;
import io.mlserve.recommend.data.RatingsBuffer;
import io.mlserve.recommend.data.UserHistory;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Interactions posted since the current model was fitted, per user. A per-user refresh merges them over the user's
 * row in the model, so it needs no MongoDB query (an embedded mongo-java-server scans the whole collection for a
 * {@code userId} filter: 0.5 s at 100K interactions). Entries older than the start of the next batch's load are
 * dropped once that batch's model is in place, because the batch read them from MongoDB.
 *
 * <p>Bounded: past {@code maxUsers} users it forgets everything and reports itself incomplete, so refreshes read
 * from MongoDB (slower, always right) until a batch that started loading after the overflow replaces the model.
 */
final class RecentInteractions {
  static final int DEFAULT_MAX_USERS = 100_000;

  private record Entries(Map<Integer, Float> items, long updatedNanos) {
  }

  private final Map<Integer, Entries> byUser = new ConcurrentHashMap<>();
  private final int maxUsers;
  private volatile long overflowedAtNanos;
  private volatile boolean complete = true;

  RecentInteractions() {
    this(DEFAULT_MAX_USERS);
  }

  RecentInteractions(int maxUsers) {
    this.maxUsers = maxUsers;
  }

  /**
   * Records the rows; false when this holds no longer every interaction since the model was fitted (it overflowed),
   * and the caller must read the users' interactions from MongoDB instead.
   */
  boolean add(RatingsBuffer rows) {
    long now = System.nanoTime();
    if (!complete) {
      return false;
    }
    for (int i = 0; i < rows.size(); i++) {
      int item = rows.item(i);
      float rating = rows.rating(i);
      byUser.compute(rows.user(i), (u, old) -> {
        Map<Integer, Float> m = old == null ? new HashMap<>() : new HashMap<>(old.items());
        m.put(item, rating);
        return new Entries(m, now);
      });
    }
    if (byUser.size() > maxUsers) {
      complete = false;
      overflowedAtNanos = now;
      byUser.clear();
      return false;
    }
    return true;
  }

  /** A batch whose load started at {@code nanos} is in place: what it read from MongoDB need not be kept. */
  void dropOlderThan(long nanos) {
    byUser.values().removeIf(e -> e.updatedNanos() < nanos);
    if (!complete && overflowedAtNanos < nanos) {
      complete = true;
    }
  }

  boolean complete() {
    return complete;
  }

  int users() {
    return byUser.size();
  }

  /** The user's row in the model with the recent interactions merged over it (recent ratings win). */
  UserHistory history(InteractionMatrix m, int userId) {
    int u = m.users().indexOf(userId);
    Entries recent = byUser.get(userId);
    if (recent == null) {
      return u < 0 ? new UserHistory(-1, new int[0], new float[0]) : m.history(u);
    }
    IdIndex items = m.items();
    int base = u < 0 ? 0 : m.rowLength(u);
    int[] ids = new int[base + recent.items().size()];
    float[] ratings = new float[ids.length];
    for (int x = 0; x < base; x++) {
      ids[x] = items.idAt(m.rowItems()[m.rowStart(u) + x]);
      ratings[x] = m.rowRatings()[m.rowStart(u) + x];
    }
    int x = base;
    for (var e : recent.items().entrySet()) {
      ids[x] = e.getKey();
      ratings[x] = e.getValue();
      x++;
    }
    return UserHistory.fromExternal(u, ids, ratings, items);
  }
}
