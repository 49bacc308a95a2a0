package io.containerlease.api.access;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.function.LongSupplier;

/**
 * A token bucket per client: {@code perMinute} requests a minute, refilled continuously, bursts up
 * to a minute's worth. Buckets live in a bounded cache that forgets a client a minute after its
 * last request (its bucket would be full again by then anyway), so memory and the cost of a request
 * stay flat however many clients come and go.
 */
public final class RateLimiter implements RequestLimiter {
    /** More distinct clients than this within a minute is an attack; the least recent lose their bucket (and get a full one). */
    public static final long MAX_CLIENTS = 100_000;

    private final double capacity;
    private final double perNano;
    private final LongSupplier nanoTime;
    private final Cache<String, Bucket> buckets;

    public RateLimiter(int perMinute, LongSupplier nanoTime) {
        this.capacity = perMinute;
        this.perNano = perMinute / 60e9;
        this.nanoTime = nanoTime;
        Ticker ticker = nanoTime::getAsLong;
        this.buckets = Caffeine.newBuilder()
                .expireAfterAccess(Duration.ofMinutes(1))
                .maximumSize(MAX_CLIENTS)
                .ticker(ticker)
                .executor(Runnable::run)
                .build();
    }

    /** Takes one token for {@code client}; when none is left, how many seconds until one is. */
    @Override
    public OptionalLong acquire(String client) {
        Bucket bucket = buckets.get(client, c -> new Bucket(capacity, nanoTime.getAsLong()));
        synchronized (bucket) {
            long now = nanoTime.getAsLong();
            double level = bucket.level(now);
            bucket.at = now;
            if (level >= 1) {
                bucket.tokens = level - 1;
                return OptionalLong.empty();
            }
            bucket.tokens = level;
            return OptionalLong.of((long) Math.ceil((1 - level) / perNano / 1e9));
        }
    }

    /** Clients with a bucket right now (for tests). */
    public long trackedClients() {
        buckets.cleanUp();
        return buckets.estimatedSize();
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
