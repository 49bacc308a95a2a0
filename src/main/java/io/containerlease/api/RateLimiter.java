package io.containerlease.api;

import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * A token bucket per client: {@code perMinute} requests a minute, refilled continuously, bursts up
 * to a minute's worth. Idle clients' buckets are dropped so the map stays small.
 */
final class RateLimiter {
    private static final int PRUNE_ABOVE = 10_000;

    private final double capacity;
    private final double perNano;
    private final LongSupplier nanoTime;
    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

    RateLimiter(int perMinute, LongSupplier nanoTime) {
        this.capacity = perMinute;
        this.perNano = perMinute / 60e9;
        this.nanoTime = nanoTime;
    }

    /** Takes one token for {@code client}; when none is left, how many seconds until one is. */
    OptionalLong acquire(String client) {
        if (buckets.size() > PRUNE_ABOVE) {
            long now = nanoTime.getAsLong();
            buckets.values().removeIf(b -> b.level(now) >= capacity);
        }
        Bucket bucket = buckets.computeIfAbsent(client, c -> new Bucket(capacity, nanoTime.getAsLong()));
        synchronized (bucket) {
            long now = nanoTime.getAsLong();
            double level = bucket.level(now);
            if (level >= 1) {
                bucket.tokens = level - 1;
                bucket.at = now;
                return OptionalLong.empty();
            }
            bucket.tokens = level;
            bucket.at = now;
            return OptionalLong.of((long) Math.ceil((1 - level) / perNano / 1e9));
        }
    }

    private final class Bucket {
        double tokens;
        long at;

        Bucket(double tokens, long at) {
            this.tokens = tokens;
            this.at = at;
        }

        double level(long now) {
            return Math.min(capacity, tokens + (now - at) * perNano);
        }
    }
}
