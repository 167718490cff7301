package io.mlserve.recommend.algo;

import io.mlserve.recommend.data.InteractionMatrix;
import io.mlserve.recommend.data.UserHistory;

/**
 * Cluster-based recommendations: users are grouped by {@link SphericalKMeans}; a user is recommended the items most
 * popular among the members of their cluster (share of members who have the item) that they have not seen.
 */
public final class ClusterModel {
  private final SphericalKMeans kmeans;
  private final float[][] share;
  private final int[] size;

  private ClusterModel(SphericalKMeans kmeans, float[][] share, int[] size) {
    this.kmeans = kmeans;
    this.share = share;
    this.size = size;
  }

  public static ClusterModel fit(InteractionMatrix m, int k, int iterations, long seed, Parallel parallel,
                                 Progress progress) {
    SphericalKMeans km = SphericalKMeans.fit(m, k, iterations, seed, parallel, progress);
    int clusters = km.centroids().length;
    float[][] share = new float[clusters][m.itemCount()];
    int[] size = new int[clusters];
    int[] assign = km.assignment();
    for (int u = 0; u < m.userCount(); u++) {
      size[assign[u]]++;
      for (int p = m.rowStart(u); p < m.rowEnd(u); p++) {
        share[assign[u]][m.rowItems()[p]] += 1;
      }
    }
    for (int c = 0; c < clusters; c++) {
      for (int i = 0; i < share[c].length; i++) {
        share[c][i] = size[c] == 0 ? 0 : share[c][i] / size[c];
      }
    }
    return new ClusterModel(km, share, size);
  }

  /** The user's cluster: their k-means assignment when known to the model, else the nearest centroid. */
  public int clusterOf(UserHistory h) {
    if (h.userIndex() >= 0 && h.userIndex() < kmeans.assignment().length) {
      return kmeans.assignment()[h.userIndex()];
    }
    return kmeans.nearest(h.items());
  }

  /** Adds the user's cluster scores into {@code out}. */
  public void score(UserHistory h, float[] out) {
    float[] s = share[clusterOf(h)];
    for (int i = 0; i < out.length; i++) {
      out[i] += s[i];
    }
  }

  public int clusters() {
    return size.length;
  }

  public int[] sizes() {
    return size.clone();
  }

  public SphericalKMeans kmeans() {
    return kmeans;
  }
}
