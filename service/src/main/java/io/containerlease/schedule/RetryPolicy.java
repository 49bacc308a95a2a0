package io.containerlease.schedule;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with full jitter: attempt n waits a random time in
 * [delay/2, delay] where delay = min(initial * multiplier^(n-1), max). Immutable; the attempt
 * count lives with each item being retried.
 */
public record RetryPolicy(Duration initial, double multiplier, Duration max) {

    public static final RetryPolicy REMOVAL = new RetryPolicy(Duration.ofMillis(200), 2.0, Duration.ofSeconds(30));

    public RetryPolicy {
        if (initial.isNegative() || initial.isZero() || multiplier < 1 || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("need 0 < initial <= max and multiplier >= 1");
        }
    }

    /** The wait before retry number {@code attempt} (1 is the first retry). */
    public Duration delayBefore(int attempt, RandomGenerator random) {
        double raw = initial.toMillis() * Math.pow(multiplier, Math.max(0, attempt - 1));
        long ceiling = (long) Math.min(raw, max.toMillis());
        long floor = ceiling / 2;
        return Duration.ofMillis(floor + random.nextLong(ceiling - floor + 1));
    }
}
