package io.mlserve.app;

import io.mlserve.api.ManagementRoutes;
import io.mlserve.feed.BatchFeederVerticle;
import io.mlserve.feed.FeedRoutes;
import io.mlserve.feed.FeedServerVerticle;
import io.mlserve.inference.InferenceRoutes;
import io.mlserve.inference.InferenceVerticle;
import io.mlserve.jobs.JobRoutes;
import io.mlserve.pipeline.PipelineRoutes;
import io.mlserve.pipeline.PipelineVerticle;
import io.mlserve.recommend.RecommenderVerticle;
import io.mlserve.train.ExperimentRoutes;
import io.mlserve.recommend.serving.RecsRoutes;
import io.mlserve.train.TrainerVerticle;

import java.util.ArrayList;
import java.util.List;

/**
 * The composition root: which verticles each role deploys and which HTTP routes each role contributes. Every
 * process also runs an HTTP server with the management routes (health, metrics, version, docs), whatever its roles,
 * so each one can be probed and scraped alike.
 */
public final class RoleCatalog {
  private RoleCatalog() {
  }

  public static List<VerticleSpec> verticles(Role role, Services s) {
    return switch (role) {
      case API -> List.of(VerticleSpec.of("PipelineVerticle", () -> new PipelineVerticle(s)));
      case RECOMMENDER -> List.of(VerticleSpec.of("RecommenderVerticle", () -> new RecommenderVerticle(s)));
      case FEEDER -> List.of(
          VerticleSpec.of("FeedServerVerticle", () -> new FeedServerVerticle(s)),
          VerticleSpec.of("BatchFeederVerticle", () -> new BatchFeederVerticle(s)));
      case TRAINER -> List.of(VerticleSpec.of("TrainerVerticle", () -> new TrainerVerticle(s)));
      case INFERENCE -> List.of(VerticleSpec.of("InferenceVerticle", () -> new InferenceVerticle(s)));
    };
  }

  /** Route modules for this process: management always, then what each deployed role serves. */
  public static List<RouteModule> routes(Services s) {
    List<RouteModule> modules = new ArrayList<>();
    modules.add(new ManagementRoutes(s));
    if (s.runs(Role.API)) {
      modules.add(new JobRoutes(s));
      modules.add(new ExperimentRoutes(s));
      modules.add(new InferenceRoutes(s));
      modules.add(new PipelineRoutes(s));
      modules.add(new RecsRoutes(s));
    }
    if (s.runs(Role.FEEDER)) {
      modules.add(new FeedRoutes(s));
    }
    return modules;
  }
}
