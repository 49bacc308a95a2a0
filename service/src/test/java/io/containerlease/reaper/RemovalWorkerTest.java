package io.containerlease.reaper;

import static org.assertj.core.api.Assertions.assertThat;

import io.containerlease.metrics.LeaseMetrics;
import io.containerlease.schedule.RetryPolicy;
import io.containerlease.support.FakeRuntime;
import io.containerlease.support.LogLines;
import io.containerlease.support.ManualScheduler;
import io.containerlease.support.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** What a removal shows while it runs and after: how many are under way, the counters, the log. */
class RemovalWorkerTest {
    private final ManualScheduler scheduler =
            new ManualScheduler(new MutableClock(Instant.parse("2026-01-01T00:00:00Z")));
    private final FakeRuntime runtime = new FakeRuntime();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final RemovalWorker worker = new RemovalWorker(
            runtime, Runnable::run, scheduler, RetryPolicy.REMOVAL, new Random(1), new LeaseMetrics(registry));

    private double counted(String name) {
        return registry.get(name).counter().count();
    }

    @Test
    void aRemovalWaitingForItsRetryIsPendingUntilItIsDone() {
        runtime.plant("a", Map.of());
        runtime.plant("b", Map.of());
        runtime.failNextRemovals.set(2);
        CompletableFuture<Void> a = worker.removeUntilGone("a");
        CompletableFuture<Void> b = worker.removeUntilGone("b");
        assertThat(worker.pending()).isEqualTo(2);
        scheduler.advance(Duration.ofMinutes(1));
        assertThat(a).isCompleted();
        assertThat(b).isCompleted();
        assertThat(worker.pending()).isZero();
    }

    @Test
    void eachFailedAttemptIsCountedAndLoggedAndTheEventualRemovalSaysHowManyItTook() {
        runtime.plant("slow", Map.of());
        runtime.plant("quick", Map.of());
        try (LogLines lines = LogLines.of(RemovalWorker.class)) {
            worker.removeUntilGone("quick").join();
            assertThat(lines.messages())
                    .as("a removal at the first attempt is not news")
                    .isEmpty();

            runtime.failNextRemovals.set(2);
            CompletableFuture<Void> slow = worker.removeUntilGone("slow");
            scheduler.advance(Duration.ofMinutes(1));
            assertThat(slow).isCompleted();
            assertThat(lines.containing("container removal failed, retrying")).hasSize(2);
            assertThat(lines.containing("container removed after retries"))
                    .singleElement()
                    .satisfies(line -> assertThat(line).contains("container=slow", "attempts=3"));
        }
        assertThat(counted("containerlease.reap.failures")).isEqualTo(2);
        assertThat(counted("containerlease.reap.retries")).isEqualTo(2);
    }
}
