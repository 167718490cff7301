package io.mlserve.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A seeded stratified train/test split: within each class the rows are shuffled and {@code round(n * testFraction)}
 * go to the test side, so both sides keep the class proportions (a class with one row stays in training).
 */
public record StratifiedSplit(int[] train, int[] test) {

  public static StratifiedSplit of(int[] labels, int classes, double testFraction, long seed) {
    if (!(testFraction > 0 && testFraction < 1)) {
      throw new IllegalArgumentException("testFraction must be between 0 and 1, got " + testFraction);
    }
    List<List<Integer>> byClass = new ArrayList<>();
    for (int c = 0; c < classes; c++) {
      byClass.add(new ArrayList<>());
    }
    for (int i = 0; i < labels.length; i++) {
      byClass.get(labels[i]).add(i);
    }
    SplittableRandom random = new SplittableRandom(seed);
    int[] train = new int[labels.length];
    int[] test = new int[labels.length];
    int nTrain = 0;
    int nTest = 0;
    for (List<Integer> rows : byClass) {
      int n = rows.size();
      for (int i = n - 1; i > 0; i--) { // Fisher-Yates
        int j = random.nextInt(i + 1);
        Integer t = rows.get(i);
        rows.set(i, rows.get(j));
        rows.set(j, t);
      }
      int k = n < 2 ? 0 : (int) Math.min(n - 1, Math.round(n * testFraction));
      for (int i = 0; i < n; i++) {
        if (i < k) {
          test[nTest++] = rows.get(i);
        } else {
          train[nTrain++] = rows.get(i);
        }
      }
    }
    int[] tr = Arrays.copyOf(train, nTrain);
    int[] te = Arrays.copyOf(test, nTest);
    Arrays.sort(tr);
    Arrays.sort(te);
    return new StratifiedSplit(tr, te);
  }
}
