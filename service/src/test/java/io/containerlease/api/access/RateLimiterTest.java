package io.containerlease.api.access;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The token bucket per client, on a fake clock. */
class RateLimiterTest {
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final RateLimiter limiter = new RateLimiter(60, nanos::get);

    private void advanceSeconds(double seconds) {
        nanos.addAndGet((long) (seconds * 1e9));
    }

    @Test
    void aClientGetsAMinutesWorthAtOnceThenWaits() {
        for (int i = 0; i < 60; i++) {
            assertThat(limiter.acquire("1.2.3.4")).as("request %d", i).isEmpty();
        }
        OptionalLong wait = limiter.acquire("1.2.3.4");
        assertThat(wait).hasValue(1);
        assertThat(limiter.acquire("5.6.7.8"))
                .as("another client has its own bucket")
                .isEmpty();
    }

    @Test
    void theBucketRefillsWithTimeAndNeverPastItsCapacity() {
        for (int i = 0; i < 60; i++) {
            limiter.acquire("c");
        }
        assertThat(limiter.acquire("c")).isPresent();
        advanceSeconds(1.01);
        assertThat(limiter.acquire("c")).as("one token a second at 60 a minute").isEmpty();
        assertThat(limiter.acquire("c")).isPresent();
        advanceSeconds(3600);
        int granted = 0;
        while (limiter.acquire("c").isEmpty()) {
            granted++;
        }
        assertThat(granted)
                .as("an hour idle refills to the capacity, not beyond")
                .isEqualTo(60);
    }

    @Test
    void theWaitItAnnouncesIsEnough() {
        for (int i = 0; i < 61; i++) {
            limiter.acquire("c");
        }
        long wait = limiter.acquire("c").orElseThrow();
        advanceSeconds(wait);
        assertThat(limiter.acquire("c")).isEmpty();
    }

    @Test
    void idleClientsAreForgottenSoManyClientsCostNoMoreThanFew() {
        for (int i = 0; i < 20_000; i++) {
            limiter.acquire("client-" + i);
        }
        assertThat(limiter.trackedClients()).isEqualTo(20_000);
        nanos.addAndGet(TimeUnit.MINUTES.toNanos(2));
        limiter.acquire("new");
        assertThat(limiter.trackedClients()).isEqualTo(1);
    }
}
