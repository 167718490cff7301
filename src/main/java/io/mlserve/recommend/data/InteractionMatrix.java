package io.mlserve.recommend.data;

import java.util.Arrays;

/**
 * The user × item rating matrix, immutable, in two sparse layouts over primitive arrays: rows by user (CSR, item
 * indices ascending) and columns by item (CSC, user indices ascending). Users and items have dense indices in
 * ascending external-id order ({@link IdIndex}). A repeated (user, item) pair keeps the last rating given.
 */
public final class InteractionMatrix {
  private final IdIndex users;
  private final IdIndex items;
  private final int[] userPtr;
  private final int[] userItems;
  private final float[] userRatings;
  private final int[] itemPtr;
  private final int[] itemUsers;
  private final float[] itemRatings;

  private InteractionMatrix(IdIndex users, IdIndex items, int[] userPtr, int[] userItems, float[] userRatings) {
    this.users = users;
    this.items = items;
    this.userPtr = userPtr;
    this.userItems = userItems;
    this.userRatings = userRatings;
    int nItems = items.size();
    int nnz = userItems.length;
    itemPtr = new int[nItems + 1];
    for (int i = 0; i < nnz; i++) {
      itemPtr[userItems[i] + 1]++;
    }
    for (int i = 0; i < nItems; i++) {
      itemPtr[i + 1] += itemPtr[i];
    }
    itemUsers = new int[nnz];
    itemRatings = new float[nnz];
    int[] fill = Arrays.copyOf(itemPtr, nItems);
    for (int u = 0; u < users.size(); u++) {
      for (int p = userPtr[u]; p < userPtr[u + 1]; p++) {
        int pos = fill[userItems[p]]++;
        itemUsers[pos] = u;
        itemRatings[pos] = userRatings[p];
      }
    }
  }

  /** Builds the matrix from rows; later rows win for repeated (user, item) pairs. */
  public static InteractionMatrix of(RatingsBuffer rows) {
    int n = rows.size();
    int[] u = new int[n];
    int[] it = new int[n];
    for (int i = 0; i < n; i++) {
      u[i] = rows.user(i);
      it[i] = rows.item(i);
    }
    IdIndex users = IdIndex.of(u, n);
    IdIndex items = IdIndex.of(it, n);
    int nUsers = users.size();
    int[] count = new int[nUsers + 1];
    int[] ui = new int[n];
    for (int i = 0; i < n; i++) {
      ui[i] = users.indexOf(u[i]);
      count[ui[i] + 1]++;
    }
    for (int i = 0; i < nUsers; i++) {
      count[i + 1] += count[i];
    }
    // bucket rows by user, then sort each user's (item, position) pairs and keep the last position per item
    long[] packed = new long[n];
    int[] fill = Arrays.copyOf(count, nUsers);
    for (int i = 0; i < n; i++) {
      packed[fill[ui[i]]++] = ((long) items.indexOf(it[i]) << 32) | i;
    }
    int[] ptr = new int[nUsers + 1];
    int[] outItems = new int[n];
    float[] outRatings = new float[n];
    int m = 0;
    for (int user = 0; user < nUsers; user++) {
      Arrays.sort(packed, count[user], count[user + 1]);
      for (int p = count[user]; p < count[user + 1]; p++) {
        int item = (int) (packed[p] >>> 32);
        boolean lastOfItem = p + 1 == count[user + 1] || (int) (packed[p + 1] >>> 32) != item;
        if (lastOfItem) {
          outItems[m] = item;
          outRatings[m] = rows.rating((int) packed[p]);
          m++;
        }
      }
      ptr[user + 1] = m;
    }
    return new InteractionMatrix(users, items, ptr, Arrays.copyOf(outItems, m), Arrays.copyOf(outRatings, m));
  }

  public IdIndex users() {
    return users;
  }

  public IdIndex items() {
    return items;
  }

  public int userCount() {
    return users.size();
  }

  public int itemCount() {
    return items.size();
  }

  public int nnz() {
    return userItems.length;
  }

  public int rowStart(int user) {
    return userPtr[user];
  }

  public int rowEnd(int user) {
    return userPtr[user + 1];
  }

  public int rowLength(int user) {
    return userPtr[user + 1] - userPtr[user];
  }

  /** Item indices of all rows, addressed through {@link #rowStart}/{@link #rowEnd}. */
  public int[] rowItems() {
    return userItems;
  }

  public float[] rowRatings() {
    return userRatings;
  }

  public int colStart(int item) {
    return itemPtr[item];
  }

  public int colEnd(int item) {
    return itemPtr[item + 1];
  }

  public int colLength(int item) {
    return itemPtr[item + 1] - itemPtr[item];
  }

  public int[] colUsers() {
    return itemUsers;
  }

  public float[] colRatings() {
    return itemRatings;
  }

  /** One user's history as standalone arrays (item indices ascending). */
  public UserHistory history(int user) {
    return new UserHistory(user, Arrays.copyOfRange(userItems, userPtr[user], userPtr[user + 1]),
        Arrays.copyOfRange(userRatings, userPtr[user], userPtr[user + 1]));
  }
}
