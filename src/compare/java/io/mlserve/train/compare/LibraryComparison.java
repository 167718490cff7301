package io.mlserve.train.compare;

import io.mlserve.bench.Stats;
import io.mlserve.train.ClassificationMetrics;
import io.mlserve.train.OfflineTraining;
import io.mlserve.train.SklearnBaseline;
import io.mlserve.train.forest.ForestParams;
import io.vertx.core.json.JsonObject;
import org.tribuo.Example;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.dtree.CARTClassificationTrainer;
import org.tribuo.classification.ensemble.VotingCombiner;
import org.tribuo.common.tree.RandomForestTrainer;
import org.tribuo.impl.ArrayExample;
import org.tribuo.provenance.SimpleDataSourceProvenance;
import smile.base.cart.SplitRule;
import smile.classification.RandomForest;
import smile.data.DataFrame;
import smile.data.formula.Formula;
import smile.data.vector.IntVector;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The library comparison behind the trainer's design: our forest, Smile 3.1.1 (GPL-3.0) and Tribuo 4.3.2
 * (Apache-2.0) RandomForest, and scikit-learn, all with 100 trees, sqrt(features) per split, unlimited depth and
 * leaves of 1 row, on the same covertype-15k split (80/20 stratified, seed 42). Smile and Tribuo are only on the
 * classpath of the non-default {@code compare-libs} Maven profile; nothing here ships in the jar:
 *
 * <pre>mvn -Pcompare-libs -q test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.mlserve.train.compare.LibraryComparison [-Dexec.args="path/to.csv runs"]</pre>
 */
public final class LibraryComparison {
  private static final int TREES = 100;

  record Row(String library, String licence, double wall, double cpu, double accuracy, double macroF1, String note) {
  }

  public static void main(String[] args) throws Exception {
    Path csv = Path.of(args.length > 0 ? args[0] : "../shared/data/covertype/covertype-15k.csv");
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    OfflineTraining.Split split = OfflineTraining.Split.of(OfflineTraining.fromCsv(csv), 0.2, 42);
    int threads = Runtime.getRuntime().availableProcessors();
    List<Row> rows = new ArrayList<>();
    System.out.printf(Locale.ROOT, "covertype-15k: %d train / %d test rows, %d columns, %d cores%n",
        split.trainY().length, split.testY().length, split.data().columns(), threads);

    ForestParams params = new ForestParams(TREES, 0, 0, 1, 256, 42);
    OfflineTraining.train(split, params, threads); // warm-up
    double[] wall = new double[runs];
    double[] cpu = new double[runs];
    OfflineTraining.Result ours = null;
    for (int i = 0; i < runs; i++) {
      ours = OfflineTraining.train(split, params, threads);
      wall[i] = ours.trainNanos() / 1e9;
      cpu[i] = ours.cpuNanos() / 1e9;
    }
    rows.add(new Row("mlserve forest", "Apache-2.0", Stats.median(wall), Stats.median(cpu),
        ours.metrics().accuracy(), ours.metrics().macroF1(), threads + " threads, median of " + runs));
    System.out.println(rows.get(rows.size() - 1));

    rows.add(smile(split, runs));
    System.out.println(rows.get(rows.size() - 1));
    rows.add(tribuo(split));
    System.out.println(rows.get(rows.size() - 1));
    for (int jobs : new int[] {1, threads}) {
      JsonObject sk = SklearnBaseline.run(Path.of("/usr/bin/python3"), Path.of("bench/sklearn_rf.py"), split, TREES,
          jobs, runs);
      if (sk != null) {
        rows.add(new Row("scikit-learn " + sk.getString("sklearn"), "BSD-3-Clause", sk.getDouble("trainSeconds"),
            sk.getDouble("cpuSeconds"), sk.getDouble("accuracy"), sk.getDouble("macroF1"),
            "n_jobs=" + jobs + ", median of " + runs));
        System.out.println(rows.get(rows.size() - 1));
      }
    }
    System.out.println();
    System.out.println("| library | licence | train wall s | train CPU s | accuracy | macro-F1 | note |");
    System.out.println("|---|---|---|---|---|---|---|");
    for (Row r : rows) {
      System.out.printf(Locale.ROOT, "| %s | %s | %.2f | %.2f | %.4f | %.4f | %s |%n", r.library(), r.licence(),
          r.wall(), r.cpu(), r.accuracy(), r.macroF1(), r.note());
    }
  }

  private static double[][] rowsOf(float[] x, int n, int w) {
    double[][] out = new double[n][w];
    for (int r = 0; r < n; r++) {
      for (int c = 0; c < w; c++) {
        out[r][c] = x[r * w + c];
      }
    }
    return out;
  }

  private static String[] names(int w) {
    String[] names = new String[w];
    for (int c = 0; c < w; c++) {
      names[c] = "c" + c;
    }
    return names;
  }

  private static Row smile(OfflineTraining.Split split, int runs) {
    int w = split.data().columns();
    String[] names = names(w);
    DataFrame train = DataFrame.of(rowsOf(split.trainX(), split.trainY().length, w), names)
        .merge(IntVector.of("y", split.trainY()));
    DataFrame test = DataFrame.of(rowsOf(split.testX(), split.testY().length, w), names);
    int mtry = (int) Math.floor(Math.sqrt(w));
    double[] wall = new double[runs];
    double[] cpu = new double[runs];
    RandomForest model = null;
    fitSmile(train, mtry); // warm-up
    for (int i = 0; i < runs; i++) {
      long c0 = OfflineTraining.processCpuNanos();
      long t0 = System.nanoTime();
      model = fitSmile(train, mtry);
      wall[i] = (System.nanoTime() - t0) / 1e9;
      cpu[i] = (OfflineTraining.processCpuNanos() - c0) / 1e9;
    }
    int[] predicted = new int[split.testY().length];
    for (int r = 0; r < predicted.length; r++) {
      predicted[r] = model.predict(test.get(r));
    }
    ClassificationMetrics m = ClassificationMetrics.of(split.testY(), predicted, split.data().classLabels());
    return new Row("Smile 3.1.1 RandomForest", "GPL-3.0", Stats.median(wall), Stats.median(cpu), m.accuracy(),
        m.macroF1(), "parallel streams, maxNodes = rows, median of " + runs);
  }

  private static RandomForest fitSmile(DataFrame train, int mtry) {
    // ntrees, mtry, rule, maxDepth, maxNodes, nodeSize, subsample (1.0 = bootstrap with replacement)
    return RandomForest.fit(Formula.lhs("y"), train, TREES, mtry, SplitRule.GINI, 1000, train.size(), 1, 1.0);
  }

  private static Row tribuo(OfflineTraining.Split split) {
    int w = split.data().columns();
    String[] names = names(w);
    LabelFactory factory = new LabelFactory();
    MutableDataset<Label> train = new MutableDataset<>(new SimpleDataSourceProvenance("covertype", factory), factory);
    double[][] x = rowsOf(split.trainX(), split.trainY().length, w);
    for (int r = 0; r < x.length; r++) {
      train.add(new ArrayExample<>(new Label(Integer.toString(split.trainY()[r])), names, x[r]));
    }
    float fraction = (float) Math.floor(Math.sqrt(w)) / w;
    RandomForestTrainer<Label> trainer = new RandomForestTrainer<>(
        new CARTClassificationTrainer(Integer.MAX_VALUE, fraction, 42L), new VotingCombiner(), TREES, 42L);
    long c0 = OfflineTraining.processCpuNanos();
    long t0 = System.nanoTime();
    Model<Label> model = trainer.train(train);
    double wall = (System.nanoTime() - t0) / 1e9;
    double cpu = (OfflineTraining.processCpuNanos() - c0) / 1e9;
    double[][] tx = rowsOf(split.testX(), split.testY().length, w);
    int[] predicted = new int[tx.length];
    for (int r = 0; r < tx.length; r++) {
      Example<Label> e = new ArrayExample<>(factory.getUnknownOutput(), names, tx[r]);
      predicted[r] = Integer.parseInt(model.predict(e).getOutput().getLabel());
    }
    ClassificationMetrics m = ClassificationMetrics.of(split.testY(), predicted, split.data().classLabels());
    return new Row("Tribuo 4.3.2 RandomForestTrainer(CART)", "Apache-2.0", wall, cpu, m.accuracy(), m.macroF1(),
        "one run (sequential trees)");
  }
}
