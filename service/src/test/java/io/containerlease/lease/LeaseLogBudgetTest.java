package io.containerlease.lease;

import static org.assertj.core.api.Assertions.assertThat;

import io.containerlease.support.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class LeaseLogBudgetTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-03T12:00:00Z"));
    private final LeaseId noisy = new LeaseId("01m8033dce7fxx86sz54ktzqb1");
    private final LeaseId quiet = new LeaseId("01m8033dce7fxx86sz54ktzqb2");

    @Test
    void aBurstThenOneLinePerRefillAndTheNextLineSaysHowManyWereHeldBack() {
        LeaseLogBudget budget = new LeaseLogBudget(clock, 3, Duration.ofSeconds(6));
        for (int i = 0; i < 3; i++) {
            assertThat(budget.take(noisy)).isZero();
        }
        for (int i = 0; i < 100; i++) {
            assertThat(budget.take(noisy)).isEqualTo(-1);
        }
        assertThat(budget.take(quiet)).as("another lease has its own budget").isZero();
        clock.advance(Duration.ofSeconds(6));
        assertThat(budget.take(noisy)).isEqualTo(100);
        assertThat(budget.take(noisy)).isEqualTo(-1);
    }
}
