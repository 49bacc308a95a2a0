package io.containerlease.lease;

import java.time.Duration;
import java.time.Instant;

/**
 * The rules on lease time, with no I/O: how long a lease may be asked for, and how far an extension
 * may push it. The hard cap is on the lease's whole life (createdAt + maxLife), extensions included.
 */
public record LeasePolicy(Duration minDuration, Duration maxLife) {

    public LeasePolicy {
        if (minDuration.isNegative() || minDuration.isZero() || minDuration.compareTo(maxLife) > 0) {
            throw new IllegalArgumentException("need 0 < minDuration <= maxLife");
        }
    }

    /** @throws InvalidRequestException when the duration is outside [minDuration, maxLife] */
    public Duration checkDuration(Duration requested) {
        if (requested.compareTo(minDuration) < 0 || requested.compareTo(maxLife) > 0) {
            throw new InvalidRequestException("invalid_duration", "duration must be between "
                    + minDuration.toSeconds() + " seconds and " + maxLife.toMinutes() + " minutes, got "
                    + requested.toSeconds() + " seconds");
        }
        return requested;
    }

    /** The expiry an extension grants: current expiry plus the extension, clamped to the lease's cap. */
    public Extension extend(Lease lease, Duration extension) {
        if (extension.isNegative() || extension.isZero() || extension.compareTo(maxLife) > 0) {
            throw new InvalidRequestException("invalid_duration", "an extension must be between 1 second and "
                    + maxLife.toMinutes() + " minutes, got " + extension.toSeconds() + " seconds");
        }
        Instant wanted = lease.expiresAt().plus(extension);
        boolean clamped = wanted.isAfter(lease.maxExpiresAt());
        return new Extension(clamped ? lease.maxExpiresAt() : wanted, lease.maxExpiresAt(), clamped);
    }

    public record Extension(Instant expiresAt, Instant maxExpiresAt, boolean clamped) {}
}
