package io.containerlease.reaper;

import static org.assertj.core.api.Assertions.assertThat;

import io.containerlease.metrics.LeaseMetrics;
import io.containerlease.schedule.RetryPolicy;
import io.containerlease.support.FakeRuntime;
import io.containerlease.support.ManualScheduler;
import io.containerlease.support.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

class RemovalWorkerProperties {

    /** Removal is retried until it succeeds, with growing waits, and each retry is counted. */
    @Property(tries = 200)
    void removalIsRetriedUntilItSucceeds(@ForAll @IntRange(min = 0, max = 30) int failures, @ForAll long seed) {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        ManualScheduler scheduler = new ManualScheduler(clock);
        FakeRuntime runtime = new FakeRuntime();
        runtime.plant("victim", Map.of());
        runtime.failNextRemovals.set(failures);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        RemovalWorker worker = new RemovalWorker(
                runtime, scheduler, RetryPolicy.REMOVAL, new Random(seed), new LeaseMetrics(registry));

        CompletableFuture<Void> done = worker.removeUntilGone("victim", Instant.EPOCH);
        if (failures > 0) {
            // Calls for the same container while its removal is under way share that removal.
            assertThat(worker.removeUntilGone("victim", Instant.EPOCH)).isSameAs(done);
        }

        // The backoff is capped at 30 s, so (failures + 1) * 30 s is always enough.
        for (int i = 0; i <= failures && !done.isDone(); i++) {
            scheduler.advance(Duration.ofSeconds(30));
        }
        assertThat(done).isCompleted();
        assertThat(runtime.container("victim")).isEmpty();
        assertThat(runtime.removeCalls.get()).isGreaterThanOrEqualTo(failures + 1);
        assertThat(registry.get("containerlease.reap.retries").counter().count())
                .isEqualTo(failures);
        assertThat(worker.pending()).isZero();
    }

    /** During an outage the engine must not be hammered: the worker passes each retry its own attempt number. */
    @Property(tries = 50)
    void theWaitsBetweenAttemptsGrow(@ForAll long seed) {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        ManualScheduler scheduler = new ManualScheduler(clock);
        FakeRuntime runtime = new FakeRuntime();
        runtime.clock = clock;
        runtime.plant("victim", Map.of());
        runtime.failNextRemovals.set(8);
        RemovalWorker worker = new RemovalWorker(
                runtime, scheduler, RetryPolicy.REMOVAL, new Random(seed), new LeaseMetrics(new SimpleMeterRegistry()));
        CompletableFuture<Void> done = worker.removeUntilGone("victim", Instant.EPOCH);
        while (!done.isDone()) {
            scheduler.advance(Duration.ofSeconds(1));
        }
        var times = runtime.removeTimes;
        assertThat(times).hasSize(9);
        for (int i = 2; i + 1 < times.size(); i++) {
            // With full jitter one gap may be shorter than the one before, but never than the one before that.
            Duration earlier = Duration.between(times.get(i - 2), times.get(i - 1));
            Duration later = Duration.between(times.get(i), times.get(i + 1));
            assertThat(later).as("gap %d vs gap %d", i, i - 2).isGreaterThan(earlier);
        }
        assertThat(Duration.between(times.get(0), times.get(8)))
                .as("eight waits of at least 100 ms doubling")
                .isGreaterThanOrEqualTo(Duration.ofMillis(100 * 255));
    }

    @Property(tries = 100)
    void backoffGrowsAndStaysWithinItsBounds(@ForAll @IntRange(min = 1, max = 40) int attempt, @ForAll long seed) {
        RetryPolicy policy = RetryPolicy.REMOVAL;
        Duration delay = policy.delayBefore(attempt, new Random(seed));
        long ceiling = (long) Math.min(
                policy.initial().toMillis() * Math.pow(2, attempt - 1),
                policy.max().toMillis());
        assertThat(delay.toMillis()).isBetween(ceiling / 2, ceiling);
    }
}
