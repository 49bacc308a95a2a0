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
    private final RemovalWorker worker =
            new RemovalWorker(runtime, scheduler, RetryPolicy.REMOVAL, new Random(1), new LeaseMetrics(registry));

    private double counted(String name) {
        return registry.get(name).counter().count();
    }

    @Test
    void aRemovalWaitingForItsRetryIsPendingUntilItIsDone() {
        runtime.plant("a", Map.of());
        runtime.plant("b", Map.of());
        runtime.failNextRemovals.set(2);
        CompletableFuture<Void> a = worker.removeUntilGone("a", Instant.EPOCH);
        CompletableFuture<Void> b = worker.removeUntilGone("b", Instant.EPOCH);
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
            worker.removeUntilGone("quick", Instant.EPOCH).join();
            assertThat(lines.messages())
                    .as("a removal at the first attempt is not news")
                    .isEmpty();

            runtime.failNextRemovals.set(2);
            CompletableFuture<Void> slow = worker.removeUntilGone("slow", Instant.EPOCH);
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

    /**
     * Removals waiting for the engine go earliest due first, whatever order they were asked in: a
     * hundred leases that expired during a downtime are not held up behind later ones.
     */
    @Test
    void theWaitingRemovalsGoEarliestDueFirstAndWhatWaitsForThemRunsOffTheRemovalThreads() throws Exception {
        var removalThreads =
                RemovalWorker.prioritised(1, Thread.ofPlatform().name("removal").factory());
        var completions = java.util.concurrent.Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("after-removal").factory());
        java.util.concurrent.CountDownLatch busy = new java.util.concurrent.CountDownLatch(1);
        // The one removal thread is busy while the removals are asked for.
        removalThreads.execute(new RemovalWorker.Due(0, 0, () -> {
            try {
                busy.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        FakeRuntime engine = new FakeRuntime();
        for (String name : java.util.List.of("due-at-10", "due-at-20", "due-at-30")) {
            engine.plant(name, Map.of());
        }
        RemovalWorker prioritised = new RemovalWorker(
                engine,
                removalThreads,
                completions,
                scheduler,
                RetryPolicy.REMOVAL,
                new Random(2),
                new LeaseMetrics(registry));
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        try {
            var late = prioritised.removeUntilGone("due-at-30", t0.plusSeconds(30));
            prioritised.removeUntilGone("due-at-10", t0.plusSeconds(10));
            prioritised.removeUntilGone("due-at-20", t0.plusSeconds(20));
            java.util.concurrent.atomic.AtomicReference<String> ranOn =
                    new java.util.concurrent.atomic.AtomicReference<>();
            var after = late.thenRun(() -> ranOn.set(Thread.currentThread().getName()));
            busy.countDown();
            after.get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(engine.removeNames).containsExactly("due-at-10", "due-at-20", "due-at-30");
            assertThat(ranOn.get()).isEqualTo("after-removal");
        } finally {
            removalThreads.shutdownNow();
            completions.shutdownNow();
        }
    }
}
