package io.containerlease.lease;

import java.time.Duration;
import java.util.Optional;

/**
 * The end rules a lease may carry besides its expiry. Empty means the rule is off.
 *
 * @param disconnectGrace how long the lease outlives its last live connection (terminal or log stream)
 * @param idleTimeout     how long the lease survives without terminal input or API activity
 */
public record SessionRules(Optional<Duration> disconnectGrace, Optional<Duration> idleTimeout) {
    public static final SessionRules NONE = new SessionRules(Optional.empty(), Optional.empty());

    public SessionRules {
        if (disconnectGrace.filter(d -> d.isNegative() || d.isZero()).isPresent()
                || idleTimeout.filter(d -> d.isNegative() || d.isZero()).isPresent()) {
            throw new IllegalArgumentException("grace and idle timeout must be positive when given");
        }
    }

    /** Each rule from {@code requested} where given, else from {@code defaults}. */
    public SessionRules orElse(SessionRules defaults) {
        return new SessionRules(disconnectGrace.or(defaults::disconnectGrace), idleTimeout.or(defaults::idleTimeout));
    }
}
