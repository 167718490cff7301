package io.mlserve.covertype;

import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Seeded synthetic Covertype rows with the real data's shape, so the pipeline, tests and benchmarks run without
 * {@code ../shared}. Class priors, per-class means and spreads, and per-class wilderness/soil frequencies were
 * measured on the 15,000-row UCI sample; hillshades follow from aspect and slope by the usual illumination formula
 * (plus noise), so features are correlated the way they are in the field. Classes overlap as in the real data, so a
 * model cannot be perfect.
 */
public final class CovertypeGenerator {
  /** Per class: mean and standard deviation of the 7 numeric fields not derived from geometry. */
  private record ClassProfile(int label, double prior, double[] mean, double[] sd,
                              Map<String, Double> wilderness, Map<String, Double> soil) {
    ClassProfile {
      // a canonical order, whatever map the weights come in, so a seed gives the same rows in every process
      wilderness = new java.util.TreeMap<>(wilderness);
    }
  }

  // Elevation, Aspect, Slope, HDist_Hydrology, VDist_Hydrology, HDist_Roadways, HDist_FirePoints
  private static final List<ClassProfile> PROFILES = List.of(
      new ClassProfile(1, 5487, new double[] {3129, 156, 13, 275, 43, 2621, 2001},
          new double[] {158, 117, 7, 217, 58, 1496, 1233},
          ordered("Rawah", 2721.0, "Commanche", 2321.0, "Neota", 445.0),
          soils("C7745", 1118, "C7202", 871, "C7201", 642, "C7756", 550, "C7757", 505, "C7755", 326, "C7700", 301,
              "C8771", 212, "C7746", 190, "C8772", 176, "C8776", 135, "C7102", 117)),
      new ClassProfile(2, 7292, new double[] {2921, 152, 14, 280, 47, 2400, 2152},
          new double[] {185, 108, 7, 211, 59, 1613, 1405},
          ordered("Rawah", 3692.0, "Commanche", 3323.0, "Neota", 214.0, "Cache", 63.0),
          soils("C7745", 1837, "C7756", 791, "C4744", 693, "C7757", 647, "C7746", 509, "C7202", 488, "C7755", 359,
              "C4758", 353, "C4703", 294, "C7700", 271, "C4704", 236, "C7201", 189)),
      new ClassProfile(3, 931, new double[] {2399, 174, 20, 211, 63, 920, 893},
          new double[] {198, 106, 9, 144, 58, 638, 527},
          ordered("Cache", 550.0, "Commanche", 381.0),
          soils("C4703", 274, "C2705", 194, "C2703", 139, "C2717", 96, "C2704", 65, "C2702", 63, "C4704", 46,
              "C2706", 26, "C6102", 18, "C5101", 3, "C6101", 3, "C4758", 2)),
      new ClassProfile(4, 67, new double[] {2226, 143, 20, 126, 53, 931, 786},
          new double[] {95, 86, 11, 145, 69, 372, 466},
          ordered("Cache", 67.0),
          soils("C2704", 30, "C6102", 8, "C2705", 6, "C4703", 6, "C5101", 4, "C2702", 3, "C2717", 3, "C2703", 3,
              "C6101", 3, "C2706", 1)),
      new ClassProfile(5, 238, new double[] {2788, 138, 17, 197, 46, 1390, 1562},
          new double[] {95, 94, 9, 177, 50, 1069, 911},
          ordered("Commanche", 147.0, "Rawah", 91.0),
          soils("C7746", 46, "C4758", 34, "C7745", 29, "C7202", 24, "C4704", 19, "C2705", 17, "C7756", 13,
              "C6102", 10, "C7757", 9, "C2703", 9, "C7755", 7, "C4703", 7)),
      new ClassProfile(6, 466, new double[] {2424, 186, 19, 161, 44, 1071, 1097},
          new double[] {189, 134, 8, 122, 46, 582, 600},
          ordered("Cache", 253.0, "Commanche", 213.0),
          soils("C4703", 238, "C2703", 34, "C2717", 30, "C2705", 20, "C2702", 20, "C6102", 20, "C4704", 15,
              "C4758", 15, "C7757", 14, "C2706", 11, "C6101", 10, "C5101", 9)),
      new ClassProfile(7, 519, new double[] {3360, 148, 15, 348, 65, 2726, 2005},
          new double[] {106, 109, 8, 278, 76, 1182, 1089},
          ordered("Commanche", 336.0, "Rawah", 131.0, "Neota", 52.0),
          soils("C8771", 170, "C8772", 144, "C8776", 81, "C7745", 24, "C7756", 23, "C8703", 20, "C7202", 11,
              "C7757", 10, "C7746", 8, "C7700", 7, "C8708", 6, "C7755", 5)));

  private final SplittableRandom random;
  private final double totalPrior = PROFILES.stream().mapToDouble(ClassProfile::prior).sum();

  public CovertypeGenerator(long seed) {
    this.random = new SplittableRandom(seed);
  }

  /**
   * Weights in the order written. Not {@code Map.of}: its iteration order changes from one JVM to the next, which
   * made the same seed give different rows in different processes (and the feed's row keys differ with them).
   */
  private static Map<String, Double> ordered(Object... pairs) {
    Map<String, Double> m = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      m.put((String) pairs[i], ((Number) pairs[i + 1]).doubleValue());
    }
    return m;
  }

  private static Map<String, Double> soils(Object... pairs) {
    Map<String, Double> m = ordered(pairs);
    // a little mass on every other soil type: rare combinations exist in the field
    for (String s : CovertypeSchema.SOIL_TYPES) {
      m.putIfAbsent(s, 0.2);
    }
    return m;
  }

  /** The next row, with {@code Cover_Type}, fields in CSV order. */
  public Map<String, Object> next() {
    ClassProfile p = pickClass();
    double[] m = p.mean();
    double[] s = p.sd();
    int elevation = (int) clamp(Math.round(normal(m[0], s[0])), 1800, 3900);
    int aspect = (int) Math.floorMod(Math.round(normal(m[1], s[1] * 1.2)), 361);
    int slope = (int) clamp(Math.round(Math.abs(normal(m[2], s[2]))), 0, 66);
    int hHydro = (int) clamp(Math.round(Math.abs(normal(m[3], s[3]))), 0, 1400);
    int vHydro = (int) clamp(Math.round(normal(m[4], s[4])), -170, 600);
    int roads = (int) clamp(Math.round(Math.abs(normal(m[5], s[5]))), 0, 7100);
    int fire = (int) clamp(Math.round(Math.abs(normal(m[6], s[6]))), 0, 7200);
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("Elevation", elevation);
    row.put("Aspect", aspect);
    row.put("Slope", slope);
    row.put("Horizontal_Distance_To_Hydrology", hHydro);
    row.put("Vertical_Distance_To_Hydrology", vHydro);
    row.put("Horizontal_Distance_To_Roadways", roads);
    row.put("Hillshade_9am", hillshade(aspect, slope, 105, 50));
    row.put("Hillshade_Noon", hillshade(aspect, slope, 180, 25));
    row.put("Hillshade_3pm", hillshade(aspect, slope, 255, 55));
    row.put("Horizontal_Distance_To_Fire_Points", fire);
    row.put(CovertypeSchema.WILDERNESS, pick(p.wilderness()));
    row.put(CovertypeSchema.SOIL, pick(p.soil()));
    row.put(CovertypeSchema.LABEL, p.label());
    return row;
  }

  public List<Map<String, Object>> rows(int n) {
    List<Map<String, Object>> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(next());
    }
    return out;
  }

  /** Writes {@code n} rows as CSV with the header of the real sample. */
  public void writeCsv(Writer out, int n) throws IOException {
    out.write(String.join(",", CovertypeSchema.INPUT_FIELDS) + "," + CovertypeSchema.LABEL + "\n");
    StringBuilder line = new StringBuilder(128);
    for (int i = 0; i < n; i++) {
      line.setLength(0);
      for (Object v : next().values()) {
        if (line.length() > 0) {
          line.append(',');
        }
        line.append(v);
      }
      out.write(line.append('\n').toString());
    }
  }

  private ClassProfile pickClass() {
    double u = random.nextDouble() * totalPrior;
    for (ClassProfile p : PROFILES) {
      u -= p.prior();
      if (u < 0) {
        return p;
      }
    }
    return PROFILES.get(PROFILES.size() - 1);
  }

  private String pick(Map<String, Double> weights) {
    double total = 0;
    for (double w : weights.values()) {
      total += w;
    }
    double u = random.nextDouble() * total;
    String last = null;
    for (Map.Entry<String, Double> e : weights.entrySet()) {
      u -= e.getValue();
      last = e.getKey();
      if (u < 0) {
        return last;
      }
    }
    return last;
  }

  /** Relative illumination of a slope for a sun at {@code azimuth} and {@code zenith} degrees, 0-255, with noise. */
  private int hillshade(int aspect, int slope, double azimuth, double zenith) {
    double z = Math.toRadians(zenith);
    double s = Math.toRadians(slope);
    double a = Math.toRadians(azimuth - aspect);
    double v = 255 * (Math.cos(z) * Math.cos(s) + Math.sin(z) * Math.sin(s) * Math.cos(a));
    return (int) clamp(Math.round(v + normal(0, 8)), 0, 255);
  }

  private double normal(double mean, double sd) {
    // Box-Muller: SplittableRandom has no nextGaussian on Java 17
    double u1 = 1.0 - random.nextDouble();
    double u2 = random.nextDouble();
    return mean + sd * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  private static double clamp(double v, double lo, double hi) {
    return Math.max(lo, Math.min(hi, v));
  }
}
