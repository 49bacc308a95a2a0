package io.containerlease.reaper;

import static org.assertj.core.api.Assertions.assertThat;

import io.containerlease.lease.LeaseId;
import io.containerlease.support.ManualScheduler;
import io.containerlease.support.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ExpiryTimersTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final ManualScheduler scheduler = new ManualScheduler(clock);
    private final ExpiryTimers timers = new ExpiryTimers(scheduler, clock);
    private final LeaseId id = LeaseId.generate(clock.instant(), new Random(1));
    private final List<Instant> fired = new ArrayList<>();

    @Test
    void firesAtTheExpiryNotBefore() {
        timers.schedule(id, clock.instant().plusSeconds(10), () -> fired.add(clock.instant()));
        scheduler.advance(Duration.ofMillis(9_999));
        assertThat(fired).isEmpty();
        scheduler.advance(Duration.ofMillis(1));
        assertThat(fired).containsExactly(Instant.parse("2026-01-01T00:00:10Z"));
        assertThat(timers.size()).isZero();
    }

    @Test
    void reschedulingReplacesTheOldTimer() {
        timers.schedule(id, clock.instant().plusSeconds(10), () -> fired.add(clock.instant()));
        timers.schedule(id, clock.instant().plusSeconds(20), () -> fired.add(clock.instant()));
        scheduler.advance(Duration.ofSeconds(30));
        assertThat(fired).containsExactly(Instant.parse("2026-01-01T00:00:20Z"));
    }

    @Test
    void cancelledTimersNeverFire() {
        timers.schedule(id, clock.instant().plusSeconds(10), () -> fired.add(clock.instant()));
        timers.cancel(id);
        timers.cancel(id);
        scheduler.advance(Duration.ofSeconds(30));
        assertThat(fired).isEmpty();
        assertThat(scheduler.pending()).isZero();
    }

    @Test
    void aTimerInThePastFiresAtOnce() {
        timers.schedule(id, clock.instant().minusSeconds(5), () -> fired.add(clock.instant()));
        scheduler.runDue();
        assertThat(fired).hasSize(1);
    }
}
