package io.containerlease.session;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.containerlease.lease.EndReason;
import io.containerlease.lease.LeaseId;
import java.time.Duration;
import java.util.Optional;

/**
 * Tombstones of leases that ended, so that a connection, a shell or a log reader that checked its
 * lease just before it ended, and registers just after its session state was dropped, backs out
 * instead of bringing that state back for good. Every registration checks here after it is in
 * place; the ending records here before it drops anything.
 */
public final class EndedLeases {
    /** Far longer than the moment between a connection's check of its lease and its registration. */
    static final Duration KEPT = Duration.ofMinutes(10);

    private final Cache<LeaseId, EndReason> ended =
            Caffeine.newBuilder().expireAfterWrite(KEPT).maximumSize(100_000).build();

    /** The lease ended for this reason. Idempotent: the first reason stays. */
    public void record(LeaseId id, EndReason reason) {
        ended.asMap().putIfAbsent(id, reason);
    }

    /** Why the lease ended, if it ended recently. */
    public Optional<EndReason> reason(LeaseId id) {
        return Optional.ofNullable(ended.getIfPresent(id));
    }

    /** @throws LeaseEndedException when the lease ended recently */
    public void requireNotEnded(LeaseId id) {
        EndReason reason = ended.getIfPresent(id);
        if (reason != null) {
            throw new LeaseEndedException(id, reason);
        }
    }

    public boolean contains(LeaseId id) {
        return ended.getIfPresent(id) != null;
    }
}
