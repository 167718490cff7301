package io.mlserve.recommend.serving;

import io.mlserve.api.QueryParams;
import io.mlserve.common.ApiError;
import io.mlserve.recommend.algo.Algo;
import io.vertx.core.json.JsonArray;

/** A validated recommendation request: 400s name the parameter and what is accepted. */
public record RecsQuery(long userId, Algo algo, int k) {
  public static final int DEFAULT_K = 10;
  public static final int MAX_K = 100;

  /**
   * @param algoRaw null = the default algorithm (read from the user's default key)
   */
  public static RecsQuery parse(String userRaw, String userField, String algoRaw, String kRaw) {
    if (userRaw == null || userRaw.isBlank()) {
      throw ApiError.badRequest(userField, userField + " is required: a positive integer user id");
    }
    long userId = QueryParams.parseLong(userField, userRaw, 1, Integer.MAX_VALUE);
    Algo algo = null;
    if (algoRaw != null) {
      algo = Algo.parse(algoRaw);
      if (algo == null || !Algo.SERVED.contains(algo)) {
        throw ApiError.badRequest("algo", "unknown algo '" + abbreviate(algoRaw) + "'; valid: "
            + String.join(", ", Algo.servedIds())).with("allowed", new JsonArray(Algo.servedIds()));
      }
    }
    int k = kRaw == null ? DEFAULT_K : QueryParams.parseInt("k", kRaw, 1, MAX_K);
    return new RecsQuery(userId, algo, k);
  }

  private static String abbreviate(String s) {
    return s.length() > 40 ? s.substring(0, 40) + "..." : s;
  }
}
