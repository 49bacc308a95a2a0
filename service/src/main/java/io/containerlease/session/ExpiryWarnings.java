package io.containerlease.session;

import io.containerlease.lease.Lease;
import io.containerlease.lease.LeaseId;
import io.containerlease.lease.LeaseTimers;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;

/**
 * Warns a lease's live connections before it expires, at the smaller of {@code maxLead}
 * (EXPIRY_WARNING_SECONDS, 60 by default) and a quarter of the lease's life, so a 20-second
 * lease is warned 5 seconds ahead rather than at once.
 */
public final class ExpiryWarnings {
    private final LeaseTimers timers;
    private final InstantSource clock;
    private final Duration maxLead;
    private final LeaseConnections connections;
    private final java.util.List<Warned> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Hears each warning as it goes out. */
    public interface Warned {
        void expiring(LeaseId id, Instant expiry, long secondsLeft);
    }

    public void addListener(Warned listener) {
        listeners.add(listener);
    }

    public ExpiryWarnings(LeaseTimers timers, InstantSource clock, Duration maxLead, LeaseConnections connections) {
        this.timers = timers;
        this.clock = clock;
        this.maxLead = maxLead;
        this.connections = connections;
    }

    /** (Re)arms the warning for the lease's current expiry. */
    public void schedule(Lease lease) {
        Instant expiry = lease.expiresAt();
        timers.schedule(lease.id(), expiry.minus(lead(lease)), () -> warn(lease.id(), expiry));
    }

    public void cancel(LeaseId id) {
        timers.cancel(id);
    }

    /** How long before expiry the warning goes out. */
    Duration lead(Lease lease) {
        return min(
                maxLead, Duration.between(lease.createdAt(), lease.expiresAt()).dividedBy(4));
    }

    private void warn(LeaseId id, Instant expiry) {
        long secondsLeft = Math.max(0, Duration.between(clock.instant(), expiry).toSeconds());
        connections.broadcast(
                id, Map.of("type", "expiring", "expiryTime", expiry.toString(), "secondsLeft", secondsLeft));
        listeners.forEach(l -> l.expiring(id, expiry, secondsLeft));
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
