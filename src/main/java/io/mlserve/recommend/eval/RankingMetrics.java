package io.mlserve.recommend.eval;

import java.util.BitSet;

/**
 * Top-k ranking metrics with binary relevance (an item is relevant when it is in the user's held-out set), averaged
 * over users: precision@k = hits/k, recall@k = hits/|relevant|, NDCG@k = DCG/ideal DCG with gain 1/log2(rank+1),
 * MAP@k = sum of precision at each hit / min(k, |relevant|); coverage = distinct recommended items / catalogue.
 */
public final class RankingMetrics {
  private final int k;
  private final BitSet recommended = new BitSet();
  private double precision;
  private double recall;
  private double ndcg;
  private double map;
  private int users;

  public RankingMetrics(int k) {
    this.k = k;
  }

  /** Adds one user: {@code ranked} are recommended item ids best first, {@code relevant} the held-out ids (sorted). */
  public void add(int[] ranked, int[] relevantSorted) {
    int hits = 0;
    double dcg = 0;
    double ap = 0;
    int n = Math.min(k, ranked.length);
    for (int r = 0; r < n; r++) {
      recommended.set(ranked[r]);
      if (java.util.Arrays.binarySearch(relevantSorted, ranked[r]) >= 0) {
        hits++;
        dcg += 1 / log2(r + 2);
        ap += (double) hits / (r + 1);
      }
    }
    double idcg = 0;
    for (int r = 0; r < Math.min(k, relevantSorted.length); r++) {
      idcg += 1 / log2(r + 2);
    }
    precision += (double) hits / k;
    recall += relevantSorted.length == 0 ? 0 : (double) hits / relevantSorted.length;
    ndcg += idcg == 0 ? 0 : dcg / idcg;
    map += relevantSorted.length == 0 ? 0 : ap / Math.min(k, relevantSorted.length);
    users++;
  }

  private static double log2(double x) {
    return Math.log(x) / Math.log(2);
  }

  public int users() {
    return users;
  }

  public double precision() {
    return users == 0 ? 0 : precision / users;
  }

  public double recall() {
    return users == 0 ? 0 : recall / users;
  }

  public double ndcg() {
    return users == 0 ? 0 : ndcg / users;
  }

  public double map() {
    return users == 0 ? 0 : map / users;
  }

  public double coverage(int catalogue) {
    return catalogue == 0 ? 0 : (double) recommended.cardinality() / catalogue;
  }
}
