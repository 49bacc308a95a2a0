package io.containerlease.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import io.containerlease.support.ManualScheduler;
import io.containerlease.support.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The one retry loop: attempt now, then after each failure the backoff for that attempt, until one succeeds or it is cancelled. */
class RetryLoopTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final ManualScheduler scheduler = new ManualScheduler(clock);
    private final RetryLoop loop = new RetryLoop(scheduler, RetryPolicy.REMOVAL, new Random(1));
    private final List<Integer> attempts = new ArrayList<>();
    private final List<Duration> waits = new ArrayList<>();

    private TaskScheduler.Cancellable failingUntil(int succeedsAt) {
        return loop.start(
                Runnable::run,
                n -> {
                    attempts.add(n);
                    if (n < succeedsAt) {
                        throw new IllegalStateException("attempt " + n + " fails");
                    }
                },
                (n, wait, e) -> waits.add(wait));
    }

    @Test
    void theFirstAttemptRunsAtOnceAndFailuresAreRetriedWithTheirOwnNumbers() {
        failingUntil(1);
        assertThat(attempts).containsExactly(1);
        attempts.clear();
        failingUntil(5);
        assertThat(attempts).containsExactly(1);
        scheduler.advance(Duration.ofMinutes(5));
        assertThat(attempts).containsExactly(1, 2, 3, 4, 5);
        assertThat(waits).hasSize(4);
        for (int i = 0; i < waits.size(); i++) {
            long ceiling = 200L << i;
            assertThat(waits.get(i).toMillis())
                    .as("wait before attempt %d", i + 2)
                    .isBetween(ceiling / 2, ceiling);
        }
        assertThat(scheduler.pending()).isZero();
    }

    @Test
    void cancellingStopsTheAttemptsStillToCome() {
        TaskScheduler.Cancellable retrying = failingUntil(Integer.MAX_VALUE);
        scheduler.advance(Duration.ofSeconds(1));
        int before = attempts.size();
        retrying.cancel();
        scheduler.advance(Duration.ofHours(1));
        assertThat(attempts).hasSize(before);
        assertThat(scheduler.pending()).isZero();
    }
}
