package io.containerlease.lease;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LeasePolicyTest {
    private final LeasePolicy policy = new LeasePolicy(Duration.ofSeconds(1), Duration.ofMinutes(60));
    private final Instant t0 = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void durationsOutsideTheBoundsAreRefused() {
        assertThat(policy.checkDuration(Duration.ofSeconds(1))).isEqualTo(Duration.ofSeconds(1));
        assertThat(policy.checkDuration(Duration.ofMinutes(60))).isEqualTo(Duration.ofMinutes(60));
        assertThatThrownBy(() -> policy.checkDuration(Duration.ofMillis(999)))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("between 1 second and 60 minutes");
        assertThatThrownBy(() -> policy.checkDuration(Duration.ofMinutes(61)))
                .isInstanceOf(InvalidRequestException.class);
    }

    @Test
    void extensionAddsToTheCurrentExpiry() {
        Lease lease = Lease.provisioning(id(), "busybox", t0, Duration.ofMinutes(10), policy.maxLife());
        LeasePolicy.Extension granted = policy.extend(lease, Duration.ofMinutes(5));
        assertThat(granted.expiresAt()).isEqualTo(t0.plus(Duration.ofMinutes(15)));
        assertThat(granted.clamped()).isFalse();
        assertThat(granted.maxExpiresAt()).isEqualTo(t0.plus(Duration.ofMinutes(60)));
    }

    @Test
    void extensionIsClampedToTheWholeLifeCap() {
        Lease lease = Lease.provisioning(id(), "busybox", t0, Duration.ofMinutes(50), policy.maxLife());
        LeasePolicy.Extension granted = policy.extend(lease, Duration.ofMinutes(30));
        assertThat(granted.expiresAt()).isEqualTo(t0.plus(Duration.ofMinutes(60)));
        assertThat(granted.clamped()).isTrue();
    }

    @Test
    void extensionMustBePositive() {
        Lease lease = Lease.provisioning(id(), "busybox", t0, Duration.ofMinutes(5), policy.maxLife());
        assertThatThrownBy(() -> policy.extend(lease, Duration.ZERO)).isInstanceOf(InvalidRequestException.class);
    }

    private static LeaseId id() {
        return LeaseId.generate(Instant.now(), new Random(1));
    }

    @Test
    void aContainersDeadlineIsItsExpiryPlusTheMarginAndItsHardDeadlineTheCapPlusTheMargin() {
        LeasePolicy policy = new LeasePolicy(Duration.ofSeconds(10), Duration.ofHours(2), Duration.ofSeconds(90));
        Lease lease = Lease.provisioning(
                new LeaseId("01m8033dce7fxx86sz54ktzqb1"),
                "busybox",
                java.time.Instant.parse("2026-12-03T10:00:00Z"),
                Duration.ofMinutes(5),
                Duration.ofHours(2));
        assertThat(policy.containerDeadline(lease)).isEqualTo(java.time.Instant.parse("2026-12-03T10:06:30Z"));
        assertThat(policy.containerHardDeadline(lease)).isEqualTo(java.time.Instant.parse("2026-12-03T12:01:30Z"));
        Lease extended = new Lease(
                lease.id(),
                lease.imageType(),
                lease.state(),
                lease.createdAt(),
                policy.extend(lease, Duration.ofMinutes(10)).expiresAt(),
                lease.maxExpiresAt(),
                null,
                null,
                null,
                null,
                lease.rules(),
                lease.owner());
        assertThat(policy.containerDeadline(extended)).isEqualTo(java.time.Instant.parse("2026-12-03T10:16:30Z"));
        assertThat(policy.containerHardDeadline(extended)).isEqualTo(java.time.Instant.parse("2026-12-03T12:01:30Z"));
    }
}
