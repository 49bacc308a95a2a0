package io.containerlease.lease;

import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How many log lines about one lease a tenant's program may cause: a burst, then one line per
 * {@code refillEvery} (a program that restarts or reconnects in a loop would otherwise write the
 * server's log full). A line held back is counted, and the next line let through says how many.
 */
public final class LeaseLogBudget {
    private final InstantSource clock;
    private final int burst;
    private final long refillMillis;
    private final Map<LeaseId, Bucket> buckets = new ConcurrentHashMap<>();

    private static final class Bucket {
        double tokens;
        long at;
        long heldBack;

        Bucket(int burst, long at) {
            this.tokens = burst;
            this.at = at;
        }
    }

    public LeaseLogBudget(InstantSource clock, int burst, Duration refillEvery) {
        this.clock = clock;
        this.burst = burst;
        this.refillMillis = Math.max(1, refillEvery.toMillis());
    }

    /**
     * Takes one line's worth of the lease's budget.
     *
     * @return -1 when the line is to be held back; else how many lines were held back since the last one let through
     */
    public long take(LeaseId id) {
        long now = clock.millis();
        Bucket bucket = buckets.computeIfAbsent(id, k -> new Bucket(burst, now));
        synchronized (bucket) {
            bucket.tokens = Math.min(burst, bucket.tokens + (double) (now - bucket.at) / refillMillis);
            bucket.at = now;
            if (bucket.tokens < 1) {
                bucket.heldBack++;
                return -1;
            }
            bucket.tokens--;
            long held = bucket.heldBack;
            bucket.heldBack = 0;
            return held;
        }
    }

    /** The lease ended: its budget goes. */
    public void forget(LeaseId id) {
        buckets.remove(id);
    }
}
