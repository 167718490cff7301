package io.mlserve.recommend.algo;

import io.mlserve.recommend.data.InteractionMatrix;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * k-means on the unit sphere (cosine distance) over sparse user vectors (who-rated-what, L2-normalised), with
 * k-means++ seeding from a fixed seed. Assigning a user costs k dot products of a sparse row with dense centroids
 * (O(row length · k)), so an iteration over MovieLens 1M takes tens of milliseconds; generic dense k-means
 * (commons-math3) copies every user into a dense catalogue-sized vector and is far slower (figures: README,
 * {@code bench recs-kmeans}).
 */
public final class SphericalKMeans {
  private final int[] assignment;
  private final float[][] centroids;
  private final int iterations;

  private SphericalKMeans(int[] assignment, float[][] centroids, int iterations) {
    this.assignment = assignment;
    this.centroids = centroids;
    this.iterations = iterations;
  }

  public static SphericalKMeans fit(InteractionMatrix m, int k, int maxIterations, long seed, Parallel parallel,
                                    Progress progress) {
    int users = m.userCount();
    int items = m.itemCount();
    if (users == 0) {
      return new SphericalKMeans(new int[0], new float[0][items], 0);
    }
    k = Math.max(1, Math.min(k, users));
    float[] inv = new float[users];
    for (int u = 0; u < users; u++) {
      inv[u] = m.rowLength(u) == 0 ? 0 : (float) (1.0 / Math.sqrt(m.rowLength(u)));
    }
    float[][] c = seed(m, k, inv, seed);
    int[] assign = new int[users];
    Arrays.fill(assign, -1);
    int it = 0;
    int chunk = parallel.chunkFor(users, 4);
    for (; it < maxIterations; it++) {
      progress.checkCancelled();
      float[][] centroids = c;
      int[] changed = new int[(users + chunk - 1) / chunk];
      parallel.forRange(users, chunk, (from, to) -> {
        int ch = 0;
        for (int u = from; u < to; u++) {
          int best = nearest(m, u, centroids);
          if (best != assign[u]) {
            assign[u] = best;
            ch++;
          }
        }
        changed[from / chunk] = ch;
      });
      c = recompute(m, assign, k, items, inv, c);
      if (Arrays.stream(changed).sum() == 0) {
        it++;
        break;
      }
    }
    return new SphericalKMeans(assign, c, it);
  }

  private static int nearest(InteractionMatrix m, int u, float[][] centroids) {
    int[] rowItems = m.rowItems();
    int best = 0;
    double bestDot = Double.NEGATIVE_INFINITY;
    for (int c = 0; c < centroids.length; c++) {
      float[] cen = centroids[c];
      double dot = 0;
      for (int p = m.rowStart(u); p < m.rowEnd(u); p++) {
        dot += cen[rowItems[p]];
      }
      if (dot > bestDot) {
        bestDot = dot;
        best = c;
      }
    }
    return best;
  }

  /** Mean of the members' unit vectors, normalised; an emptied cluster keeps its previous centroid. */
  private static float[][] recompute(InteractionMatrix m, int[] assign, int k, int items, float[] inv,
                                     float[][] previous) {
    float[][] c = new float[k][items];
    int[] size = new int[k];
    int[] rowItems = m.rowItems();
    for (int u = 0; u < assign.length; u++) {
      int a = assign[u];
      size[a]++;
      for (int p = m.rowStart(u); p < m.rowEnd(u); p++) {
        c[a][rowItems[p]] += inv[u];
      }
    }
    for (int x = 0; x < k; x++) {
      if (size[x] == 0) {
        c[x] = previous[x];
        continue;
      }
      normalise(c[x]);
    }
    return c;
  }

  /** k-means++: each next seed is a user drawn with probability proportional to its distance to the nearest seed. */
  private static float[][] seed(InteractionMatrix m, int k, float[] inv, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    int users = m.userCount();
    int items = m.itemCount();
    float[][] c = new float[k][];
    double[] dist = new double[users];
    Arrays.fill(dist, Double.MAX_VALUE);
    int first = rnd.nextInt(users);
    for (int x = 0; x < k; x++) {
      int pick = first;
      if (x > 0) {
        double total = 0;
        for (double d : dist) {
          total += d;
        }
        double r = rnd.nextDouble() * total;
        pick = users - 1;
        for (int u = 0; u < users; u++) {
          r -= dist[u];
          if (r <= 0) {
            pick = u;
            break;
          }
        }
      }
      c[x] = unitRow(m, pick, inv, items);
      int[] rowItems = m.rowItems();
      for (int u = 0; u < users; u++) {
        double dot = 0;
        for (int p = m.rowStart(u); p < m.rowEnd(u); p++) {
          dot += c[x][rowItems[p]];
        }
        double d = Math.max(0, 1 - dot * inv[u]); // cosine distance
        dist[u] = Math.min(dist[u], d * d);
      }
    }
    return c;
  }

  private static float[] unitRow(InteractionMatrix m, int u, float[] inv, int items) {
    float[] v = new float[items];
    for (int p = m.rowStart(u); p < m.rowEnd(u); p++) {
      v[m.rowItems()[p]] = inv[u];
    }
    return v;
  }

  private static void normalise(float[] v) {
    double sq = 0;
    for (float x : v) {
      sq += x * x;
    }
    if (sq > 0) {
      float s = (float) (1 / Math.sqrt(sq));
      for (int i = 0; i < v.length; i++) {
        v[i] *= s;
      }
    }
  }

  public int[] assignment() {
    return assignment;
  }

  public float[][] centroids() {
    return centroids;
  }

  public int iterations() {
    return iterations;
  }

  /** The nearest centroid of an arbitrary history (item indices), e.g. a user who was not in the training data. */
  public int nearest(int[] items) {
    int best = 0;
    double bestDot = Double.NEGATIVE_INFINITY;
    for (int c = 0; c < centroids.length; c++) {
      double dot = 0;
      for (int i : items) {
        dot += centroids[c][i];
      }
      if (dot > bestDot) {
        bestDot = dot;
        best = c;
      }
    }
    return best;
  }

  /** Sum over users of cosine distance to their centroid (lower is tighter clusters). */
  public double inertia(InteractionMatrix m) {
    double total = 0;
    for (int u = 0; u < m.userCount(); u++) {
      double dot = 0;
      for (int p = m.rowStart(u); p < m.rowEnd(u); p++) {
        dot += centroids[assignment[u]][m.rowItems()[p]];
      }
      total += 1 - (m.rowLength(u) == 0 ? 0 : dot / Math.sqrt(m.rowLength(u)));
    }
    return total;
  }
}
