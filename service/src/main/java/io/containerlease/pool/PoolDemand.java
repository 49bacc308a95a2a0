package io.containerlease.pool;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * How many containers each image type's pool should hold now: its floor (the catalog's
 * {@code warmPool}) plus the provisions that asked for one in the last {@link #WINDOW} (served or
 * not), within the type's maximum ({@code warmPoolMax}). A burst raises the target so the next
 * burst finds the pool full; a minute without demand brings it back to the floor.
 *
 * <p>Each type remembers at most its maximum's worth of claim times: more would not change the target.
 */
final class PoolDemand {
    /** How far back demand counts. */
    static final Duration WINDOW = Duration.ofSeconds(60);

    private final Map<String, Integer> floors;
    private final Map<String, Integer> maxima;
    /** Each type's recent claims, by {@link System#nanoTime}-like times, oldest first. */
    private final Map<String, Deque<Long>> claims = new HashMap<>();

    PoolDemand(Map<String, Integer> floors, Map<String, Integer> maxima) {
        this.floors = Map.copyOf(floors);
        this.maxima = Map.copyOf(maxima);
        floors.keySet().forEach(type -> claims.put(type, new ArrayDeque<>()));
    }

    /** A provision of {@code type} asked for a warm container at {@code nanos}. */
    synchronized void claimed(String type, long nanos) {
        Deque<Long> times = claims.get(type);
        if (times == null) {
            return;
        }
        times.addLast(nanos);
        while (times.size() > maximum(type)) {
            times.pollFirst();
        }
    }

    /** The size the type's pool is kept at now. */
    synchronized int target(String type, long nanos) {
        return Math.min(maximum(type), floors.getOrDefault(type, 0) + recent(type, nanos));
    }

    /** Claims in the last {@link #WINDOW}, per minute. */
    synchronized double perMinute(String type, long nanos) {
        return recent(type, nanos) * (60.0 / WINDOW.toSeconds());
    }

    private int maximum(String type) {
        return maxima.getOrDefault(type, floors.getOrDefault(type, 0));
    }

    private int recent(String type, long nanos) {
        Deque<Long> times = claims.get(type);
        if (times == null) {
            return 0;
        }
        long since = nanos - WINDOW.toNanos();
        while (!times.isEmpty() && times.peekFirst() - since < 0) {
            times.pollFirst();
        }
        return times.size();
    }
}
