package io.containerlease.pool;

import java.time.Duration;
import java.util.Map;

/**
 * How a warm pool is set up: its sizes by image type (the floor each is kept at), the most each may
 * grow to with demand ({@code maxima}), its cap over all types, how many it makes at
 * once, what it does at stop, how often it checks its containers, how long a container may wait
 * before it is replaced ({@code maxWait}, POOL_MAX_WAIT_MINUTES), and how long after its making a
 * container ends itself if no server is alive ({@code deadlineAfter}: the wait, then the longest
 * lease, then the dead-man margin), and {@code build}, what names this build of the service inside its
 * containers (our helper's digest): a pool container of another build is not taken back.
 */
public record PoolSettings(
        Map<String, Integer> sizes,
        Map<String, Integer> maxima,
        int maxTotal,
        int refillConcurrency,
        boolean drainOnStop,
        Duration checkEvery,
        Duration maxWait,
        Duration deadlineAfter,
        String build) {
    /** Pools of a fixed size: each kept at its size, whatever the demand. */
    public PoolSettings(
            Map<String, Integer> sizes,
            int maxTotal,
            int refillConcurrency,
            boolean drainOnStop,
            Duration checkEvery,
            Duration maxWait,
            Duration deadlineAfter) {
        this(sizes, sizes, maxTotal, refillConcurrency, drainOnStop, checkEvery, maxWait, deadlineAfter, "");
    }

    public PoolSettings {
        sizes = Map.copyOf(sizes);
        maxima = Map.copyOf(maxima);
        if (deadlineAfter.compareTo(maxWait) <= 0) {
            throw new IllegalArgumentException(
                    "a pool container's deadline must leave room for a lease after its wait");
        }
    }
}
