package io.mlserve.recommend.algo;

/**
 * Model settings. Defaults were tuned on a validation split carved out of the MovieLens 100K training part (see the
 * README's quality section), never on the test part.
 *
 * @param userNeighbours   top-N most similar users whose items are scored (user-based)
 * @param userSimilarity   {@code cosine} over who-rated-what, or {@code centered} (mean-centred rating cosine)
 * @param userSimPower     neighbour similarity raised to this power when scoring (sharpens towards the closest)
 * @param itemNeighbours   top-K most similar items kept per item (item-based)
 * @param itemAlpha        asymmetric cosine exponent: sim(i,j) = co(i,j) / (|i|^a |j|^(1-a)); 0.5 is plain cosine
 * @param hybridUserWeight weight of the normalised user-based scores in the hybrid (the rest is item-based)
 * @param clusters         k of k-means over user vectors
 * @param kmeansIterations k-means iteration cap
 * @param minInteractions  users with fewer interactions get popularity (cold start)
 * @param seed             seeds k-means (everything else is deterministic)
 */
public record RecsParams(int userNeighbours, String userSimilarity, double userSimPower, int itemNeighbours,
                         double itemAlpha, double hybridUserWeight, int clusters, int kmeansIterations,
                         int minInteractions, long seed) {
  public RecsParams {
    if (userNeighbours < 1 || itemNeighbours < 1 || clusters < 1 || kmeansIterations < 1 || minInteractions < 0) {
      throw new IllegalArgumentException("neighbours, clusters and iterations must be positive");
    }
    if (!userSimilarity.equals("cosine") && !userSimilarity.equals("centered")) {
      throw new IllegalArgumentException("userSimilarity must be cosine or centered");
    }
    if (hybridUserWeight < 0 || hybridUserWeight > 1 || itemAlpha < 0 || itemAlpha > 1) {
      throw new IllegalArgumentException("hybridUserWeight and itemAlpha must be in [0, 1]");
    }
  }

  public static RecsParams defaults() {
    return new RecsParams(80, "cosine", 1.0, 200, 0.6, 0.5, 10, 25, 3, 42L);
  }

  public RecsParams withUser(int n, String sim, double power) {
    return new RecsParams(n, sim, power, itemNeighbours, itemAlpha, hybridUserWeight, clusters, kmeansIterations,
        minInteractions, seed);
  }

  public RecsParams withItem(int k, double alpha) {
    return new RecsParams(userNeighbours, userSimilarity, userSimPower, k, alpha, hybridUserWeight, clusters,
        kmeansIterations, minInteractions, seed);
  }

  public RecsParams withHybrid(double w) {
    return new RecsParams(userNeighbours, userSimilarity, userSimPower, itemNeighbours, itemAlpha, w, clusters,
        kmeansIterations, minInteractions, seed);
  }

  public RecsParams withClusters(int k) {
    return new RecsParams(userNeighbours, userSimilarity, userSimPower, itemNeighbours, itemAlpha, hybridUserWeight,
        k, kmeansIterations, minInteractions, seed);
  }
}
