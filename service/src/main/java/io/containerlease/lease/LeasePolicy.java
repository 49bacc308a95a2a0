package io.containerlease.lease;

import java.time.Duration;
import java.time.Instant;

/**
 * The rules on lease time, with no I/O: how long a lease may be asked for, and how far an extension
 * may push it. The hard cap is on the lease's whole life (createdAt + maxLife), extensions included.
 * {@code deadmanMargin}: how long past that cap a container may outlive a service that is gone before
 * it ends itself (DEADMAN_MARGIN_SECONDS).
 */
public record LeasePolicy(Duration minDuration, Duration maxLife, Duration deadmanMargin) {
    public static final Duration DEFAULT_DEADMAN_MARGIN = Duration.ofSeconds(60);

    public LeasePolicy {
        if (minDuration.isNegative() || minDuration.isZero() || minDuration.compareTo(maxLife) > 0) {
            throw new IllegalArgumentException("need 0 < minDuration <= maxLife");
        }
        if (deadmanMargin.isNegative()) {
            throw new IllegalArgumentException("the dead-man margin cannot be negative");
        }
    }

    public LeasePolicy(Duration minDuration, Duration maxLife) {
        this(minDuration, maxLife, DEFAULT_DEADMAN_MARGIN);
    }

    /**
     * When the lease's container ends itself if no server is alive to end the lease: its expiry plus
     * the margin. The container holds this while it runs once the service has told it (after it
     * starts, and after each extension); see {@link #containerHardDeadline}.
     */
    public Instant containerDeadline(Lease lease) {
        return lease.expiresAt().plus(deadmanMargin);
    }

    /**
     * The deadline a lease's container is created with, and holds again whenever it starts before a
     * server tells it the tighter one (a restart with no server alive): the lease's hard cap plus the
     * margin, which no extension can pass, so it is never earlier than the lease's end.
     */
    public Instant containerHardDeadline(Lease lease) {
        return lease.maxExpiresAt().plus(deadmanMargin);
    }

    /** @throws InvalidRequestException when the duration is outside [minDuration, maxLife] */
    public Duration checkDuration(Duration requested) {
        if (requested.compareTo(minDuration) < 0 || requested.compareTo(maxLife) > 0) {
            throw new InvalidRequestException(
                    "invalid_duration",
                    "a lease's duration must be between " + human(minDuration) + " and " + human(maxLife));
        }
        return requested;
    }

    /** The expiry an extension grants: current expiry plus the extension, clamped to the lease's cap. */
    public Extension extend(Lease lease, Duration extension) {
        if (extension.isNegative() || extension.isZero() || extension.compareTo(maxLife) > 0) {
            throw new InvalidRequestException(
                    "invalid_duration",
                    "an extension must be between " + human(Duration.ofSeconds(1)) + " and " + human(maxLife));
        }
        Instant wanted = lease.expiresAt().plus(extension);
        boolean clamped = wanted.isAfter(lease.maxExpiresAt());
        return new Extension(clamped ? lease.maxExpiresAt() : wanted, lease.maxExpiresAt(), clamped);
    }

    /** "1 second", "90 seconds", "1440 minutes": the units the request fields use. */
    static String human(Duration d) {
        long seconds = d.toSeconds();
        if (seconds % 60 != 0) {
            return seconds == 1 ? "1 second" : seconds + " seconds";
        }
        return d.toMinutes() == 1 ? "1 minute" : d.toMinutes() + " minutes";
    }

    public record Extension(Instant expiresAt, Instant maxExpiresAt, boolean clamped) {}
}
