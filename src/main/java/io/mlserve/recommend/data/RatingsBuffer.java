package io.mlserve.recommend.data;

import java.util.Arrays;

/**
 * A growable column store of (userId, itemId, rating, ts) rows in primitive arrays: a million ratings take 20 MB
 * instead of the ~100 MB that as many objects would.
 */
public final class RatingsBuffer {
  private int[] users;
  private int[] items;
  private float[] ratings;
  private long[] ts;
  private int size;

  public RatingsBuffer() {
    this(1024);
  }

  public RatingsBuffer(int capacity) {
    int c = Math.max(16, capacity);
    users = new int[c];
    items = new int[c];
    ratings = new float[c];
    ts = new long[c];
  }

  public void add(int userId, int itemId, float rating, long timestamp) {
    if (size == users.length) {
      int c = users.length * 2;
      users = Arrays.copyOf(users, c);
      items = Arrays.copyOf(items, c);
      ratings = Arrays.copyOf(ratings, c);
      ts = Arrays.copyOf(ts, c);
    }
    users[size] = userId;
    items[size] = itemId;
    ratings[size] = rating;
    ts[size] = timestamp;
    size++;
  }

  public int size() {
    return size;
  }

  public int user(int i) {
    return users[i];
  }

  public int item(int i) {
    return items[i];
  }

  public float rating(int i) {
    return ratings[i];
  }

  public long ts(int i) {
    return ts[i];
  }
}
