package io.mlserve.train;

import io.mlserve.config.TrainConfig;
import io.mlserve.train.forest.ForestParams;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Hyperparameter candidates for a tune run: every combination of trees × maxDepth × mtry × nodeSize ({@code grid}),
 * or {@code budget} distinct combinations drawn with the seed ({@code random}, the whole grid when it is smaller).
 * Every candidate uses the same forest seed so differences come from the parameters, not the randomness.
 */
public final class SearchSpace {
  private SearchSpace() {
  }

  public static List<ForestParams> candidates(TrainConfig.Search search, int maxBins, long seed) {
    List<ForestParams> grid = new ArrayList<>();
    for (int trees : search.trees()) {
      for (int depth : search.maxDepth()) {
        for (int mtry : search.mtry()) {
          for (int nodeSize : search.nodeSize()) {
            grid.add(new ForestParams(trees, depth, mtry, nodeSize, maxBins, seed));
          }
        }
      }
    }
    List<ForestParams> distinct = new ArrayList<>(new LinkedHashSet<>(grid));
    if (search.strategy().equals("grid") || search.budget() >= distinct.size()) {
      return distinct;
    }
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = 0; i < search.budget(); i++) { // partial Fisher-Yates: the first `budget` of a seeded shuffle
      int j = i + random.nextInt(distinct.size() - i);
      ForestParams t = distinct.get(i);
      distinct.set(i, distinct.get(j));
      distinct.set(j, t);
    }
    return List.copyOf(distinct.subList(0, search.budget()));
  }
}
