package io.containerlease.lease;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * One lease as the store knows it. Immutable: a state change is a conditional update in the store,
 * after which the caller reads the lease again.
 *
 * @param maxExpiresAt the latest expiry any extension may reach (createdAt + LEASE_MAX_MINUTES)
 * @param endReason    set when the lease starts ending, null while it is live
 * @param endedAt      when the container was confirmed gone, null until ENDED
 * @param detail       a human-readable note on a failure, null otherwise
 * @param rules        the optional end rules beyond expiry (disconnect grace, idle timeout)
 * @param owner        the user the lease belongs to ("" for leases from before tenancy: admins only)
 */
public record Lease(
        LeaseId id,
        String imageType,
        LeaseState state,
        Instant createdAt,
        Instant expiresAt,
        Instant maxExpiresAt,
        String containerId,
        EndReason endReason,
        Instant endedAt,
        String detail,
        SessionRules rules,
        String owner) {

    public Lease {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(imageType, "imageType");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(expiresAt, "expiresAt");
        Objects.requireNonNull(maxExpiresAt, "maxExpiresAt");
        Objects.requireNonNull(rules, "rules");
        Objects.requireNonNull(owner, "owner");
        if (expiresAt.isBefore(createdAt) || maxExpiresAt.isBefore(expiresAt)) {
            throw new IllegalArgumentException("need createdAt <= expiresAt <= maxExpiresAt");
        }
        if ((state == LeaseState.ENDING || state == LeaseState.ENDED) != (endReason != null)) {
            throw new IllegalArgumentException("an end reason is set exactly when the lease is ending or ended");
        }
        if ((state == LeaseState.ENDED) != (endedAt != null)) {
            throw new IllegalArgumentException("endedAt is set exactly when the lease is ended");
        }
    }

    /** This new lease, recorded as running in {@code containerId} at once (a warm pool's container, made before it). */
    public Lease runningIn(String containerId) {
        if (state != LeaseState.PROVISIONING) {
            throw new IllegalStateException("only a new lease can be given a container");
        }
        return new Lease(
                id,
                imageType,
                LeaseState.RUNNING,
                createdAt,
                expiresAt,
                maxExpiresAt,
                containerId,
                null,
                null,
                null,
                rules,
                owner);
    }

    /** A new lease, before its container exists. */
    public static Lease provisioning(
            LeaseId id,
            String imageType,
            Instant now,
            Duration duration,
            Duration maxLife,
            SessionRules rules,
            String owner) {
        return new Lease(
                id,
                imageType,
                LeaseState.PROVISIONING,
                now,
                now.plus(duration),
                now.plus(maxLife),
                null,
                null,
                null,
                null,
                rules,
                owner);
    }

    public static Lease provisioning(
            LeaseId id, String imageType, Instant now, Duration duration, Duration maxLife, SessionRules rules) {
        return provisioning(id, imageType, now, duration, maxLife, rules, Caller.ANONYMOUS_ADMIN.user());
    }

    public static Lease provisioning(LeaseId id, String imageType, Instant now, Duration duration, Duration maxLife) {
        return provisioning(id, imageType, now, duration, maxLife, SessionRules.NONE);
    }

    public boolean isLive() {
        return !state.isTerminal();
    }

    public Duration remaining(Instant now) {
        Duration left = Duration.between(now, expiresAt);
        return left.isNegative() ? Duration.ZERO : left;
    }
}
