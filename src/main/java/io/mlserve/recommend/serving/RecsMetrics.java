package io.mlserve.recommend.serving;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.mlserve.recommend.algo.Algo;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Serving metrics: {@code mlserve_recs_requests_total{algo,source}}, lookups per cache tier
 * ({@code mlserve_recs_cache_lookups_total{tier,result}}) and the hit ratio per tier
 * ({@code mlserve_recs_cache_hit_ratio{tier}}). Counters are pre-registered so the hot path only increments.
 */
public final class RecsMetrics {
  public enum Tier {
    NEAR, REDIS, MONGO
  }

  private final Map<Algo, Map<CachedRecs.Source, Counter>> requests = new EnumMap<>(Algo.class);
  private final Map<Tier, Counter> hits = new EnumMap<>(Tier.class);
  private final Map<Tier, Counter> misses = new EnumMap<>(Tier.class);
  private final Map<Tier, LongAdder[]> counts = new EnumMap<>(Tier.class);

  public RecsMetrics(MeterRegistry registry) {
    for (Algo a : Algo.SERVED) {
      Map<CachedRecs.Source, Counter> bySource = new EnumMap<>(CachedRecs.Source.class);
      for (CachedRecs.Source s : CachedRecs.Source.values()) {
        bySource.put(s, Counter.builder("mlserve.recs.requests")
            .description("Recommendation requests by algorithm and the tier that answered")
            .tag("algo", a.id()).tag("source", s.id).register(registry));
      }
      requests.put(a, bySource);
    }
    for (Tier t : Tier.values()) {
      String tier = t.name().toLowerCase(java.util.Locale.ROOT);
      hits.put(t, Counter.builder("mlserve.recs.cache.lookups").description("Read-path lookups per tier")
          .tag("tier", tier).tag("result", "hit").register(registry));
      misses.put(t, Counter.builder("mlserve.recs.cache.lookups").description("Read-path lookups per tier")
          .tag("tier", tier).tag("result", "miss").register(registry));
      LongAdder[] c = {new LongAdder(), new LongAdder()};
      counts.put(t, c);
      Gauge.builder("mlserve.recs.cache.hit.ratio", c, x -> {
            double h = x[0].sum();
            double all = h + x[1].sum();
            return all == 0 ? Double.NaN : h / all;
          })
          .description("Share of lookups this tier answered").tag("tier", tier).register(registry);
    }
  }

  public void request(Algo algo, CachedRecs.Source source) {
    requests.get(algo).get(source).increment();
  }

  public void lookup(Tier tier, boolean hit) {
    (hit ? hits : misses).get(tier).increment();
    counts.get(tier)[hit ? 0 : 1].increment();
  }
}
