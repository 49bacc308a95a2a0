package io.containerlease.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The floor plus the last minute's claims, within the maximum; a flood remembers no more than the maximum. */
class PoolDemandTest {
    private static final long S = Duration.ofSeconds(1).toNanos();
    private final PoolDemand demand = new PoolDemand(Map.of("busybox", 2), Map.of("busybox", 10));

    @Test
    void claimsRaiseTheTargetForAMinuteWithinTheMaximum() {
        assertThat(demand.target("busybox", 0)).isEqualTo(2);
        demand.claimed("busybox", 0);
        demand.claimed("busybox", 30 * S);
        assertThat(demand.target("busybox", 30 * S)).isEqualTo(4);
        assertThat(demand.perMinute("busybox", 30 * S)).isEqualTo(2.0);
        assertThat(demand.target("busybox", 61 * S))
                .as("the first claim is older than a minute")
                .isEqualTo(3);
        assertThat(demand.target("busybox", 91 * S)).isEqualTo(2);
        for (int i = 0; i < 100_000; i++) {
            demand.claimed("busybox", 100 * S);
        }
        assertThat(demand.target("busybox", 100 * S)).isEqualTo(10);
        assertThat(demand.perMinute("busybox", 100 * S))
                .as("no more than the maximum is remembered: a flood costs no memory")
                .isEqualTo(10.0);
        assertThat(demand.target("unpooled", 0)).isZero();
        demand.claimed("unpooled", 0);
        assertThat(demand.target("unpooled", 0)).isZero();
    }
}
