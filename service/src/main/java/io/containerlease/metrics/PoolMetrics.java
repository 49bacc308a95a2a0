package io.containerlease.metrics;

import io.containerlease.pool.PoolMeters;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The warm pool on {@code /metrics}: containers waiting and the size each pool is kept at (by image
 * type), provisions it served ({@code containerlease.pool.hits}) and could not, by reason
 * ({@code containerlease.pool.misses}: {@code empty}, or {@code env}, {@code secret_env},
 * {@code secret_files}, which a running container cannot take), and how long making a replacement took.
 */
public final class PoolMetrics implements PoolMeters {
    private final MeterRegistry registry;

    public PoolMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public void track(
            Supplier<Map<String, Integer>> sizes,
            Supplier<Map<String, Integer>> targets,
            Supplier<Map<String, Double>> claimsPerMinute) {
        for (String type : targets.get().keySet()) {
            Gauge.builder("containerlease.pool.size", () -> sizes.get().getOrDefault(type, 0))
                    .description("Warm pool containers waiting, by image type")
                    .tag("imageType", type)
                    .register(registry);
            Gauge.builder("containerlease.pool.target", () -> targets.get().getOrDefault(type, 0))
                    .description("The size each warm pool is kept at now: the catalog's warmPool, raised by the "
                            + "last minute's demand up to its warmPoolMax")
                    .tag("imageType", type)
                    .register(registry);
            Gauge.builder(
                            "containerlease.pool.claims.per.minute",
                            () -> claimsPerMinute.get().getOrDefault(type, 0.0))
                    .description("Provisions that asked each warm pool for a container over the last minute")
                    .tag("imageType", type)
                    .register(registry);
        }
    }

    @Override
    public void hit(String imageType) {
        Counter.builder("containerlease.pool.hits")
                .description("Provisions served by a warm pool container")
                .tag("imageType", imageType)
                .register(registry)
                .increment();
    }

    @Override
    public void miss(String imageType, String reason) {
        Counter.builder("containerlease.pool.misses")
                .description("Provisions of a pooled image type that took the cold path, by reason")
                .tag("imageType", imageType)
                .tag("reason", reason)
                .register(registry)
                .increment();
    }

    @Override
    public void refilled(String imageType, Duration took) {
        Timer.builder("containerlease.pool.refill")
                .description("Making one warm pool container (create, start)")
                .tag("imageType", imageType)
                .register(registry)
                .record(took);
    }

    @Override
    public void refillFailed(String imageType) {
        Counter.builder("containerlease.pool.refill.failures")
                .description("Warm pool containers that could not be made")
                .tag("imageType", imageType)
                .register(registry)
                .increment();
    }
}
