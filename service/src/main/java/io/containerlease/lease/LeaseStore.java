package io.containerlease.lease;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Durable lease records: the truth about time. Every state change is conditional on the current
 * state (and returns whether it happened), so two actors racing on one lease cannot both win and no
 * caller ever reads-then-writes. Implementations throw {@link StoreException} when the backing
 * store cannot answer.
 */
public interface LeaseStore extends AutoCloseable {

    /** A stable id for the deployment this store belongs to; containers are labelled with it. */
    String instanceId();

    /** The server using this store, among those sharing it; the deployment's id when one server has it alone. */
    default String serverId() {
        return instanceId();
    }

    /** Records a new lease in PROVISIONING; called before its container is created. */
    default void insert(Lease lease) {
        insert(lease, Quota.UNLIMITED);
    }

    /**
     * Records a new lease only if its owner and the service are under their live-lease quota,
     * checked and inserted atomically so concurrent requests cannot overshoot.
     */
    Quota.Outcome insert(Lease lease, Quota quota);

    Optional<Lease> find(LeaseId id);

    /** Every lease that is not ENDED, oldest first. */
    List<Lease> listLive();

    /** A page of leases ordered by id (creation order), starting after {@code after}; only {@code owner}'s if given. */
    List<Lease> page(Optional<String> owner, boolean includeEnded, Optional<LeaseId> after, int limit);

    default List<Lease> page(boolean includeEnded, Optional<LeaseId> after, int limit) {
        return page(Optional.empty(), includeEnded, after, limit);
    }

    long countLive();

    /**
     * The live leases this server is responsible for: its expiry timers and its reconcile decisions
     * cover these only. A store used by one server gives every live lease.
     */
    default Set<LeaseId> held() {
        Set<LeaseId> all = new java.util.HashSet<>();
        listLive().forEach(lease -> all.add(lease.id()));
        return all;
    }

    /** The server responsible for the lease now (this one, when one server has the store alone); empty for an unknown lease. */
    default Optional<String> holder(LeaseId id) {
        return find(id).map(lease -> serverId());
    }

    /**
     * Makes this server responsible for every live lease of {@code deadInstance}, whose heartbeat
     * lapsed, raising each one's fence so that the dead one (if it was only paused) can no longer
     * change them. Atomic; does nothing if the instance beat again meanwhile.
     *
     * @return the leases taken over
     */
    default List<LeaseId> takeOver(String deadInstance) {
        return List.of();
    }

    /** PROVISIONING → RUNNING. */
    boolean markRunning(LeaseId id, String containerId);

    /** One of {@code from} → ENDING with the reason; the first caller's reason sticks. */
    boolean beginEnd(LeaseId id, Set<LeaseState> from, EndReason reason, String detail);

    /** RUNNING → ENDING(expired), only if the stored expiry is at or before {@code now}. */
    boolean beginEndIfExpired(LeaseId id, Instant now);

    /**
     * {@link #beginEndIfExpired} for many leases, in one write where the store can: the leases that
     * moved. Either all of them are recorded or, when it throws, none is known to be.
     */
    default java.util.Set<LeaseId> beginEndIfExpired(java.util.Collection<LeaseId> ids, Instant now) {
        return eachMoving(ids, id -> beginEndIfExpired(id, now));
    }

    /** {@code from} → ENDED directly, for a lease with no container left to remove. */
    boolean endNow(LeaseId id, LeaseState from, EndReason reason, String detail, Instant at);

    /** ENDING → ENDED, once its container is confirmed gone. */
    boolean markEnded(LeaseId id, Instant at);

    /** {@link #markEnded} for many leases, in one write where the store can: the leases that moved. */
    default java.util.Set<LeaseId> markEnded(java.util.Collection<LeaseId> ids, Instant at) {
        return eachMoving(ids, id -> markEnded(id, at));
    }

    /** A batch write done one lease at a time, by a store that has no cheaper way: the leases it moved. */
    private static java.util.Set<LeaseId> eachMoving(
            java.util.Collection<LeaseId> ids, java.util.function.Predicate<LeaseId> moves) {
        java.util.Set<LeaseId> moved = new java.util.HashSet<>();
        for (LeaseId id : ids) {
            if (moves.test(id)) {
                moved.add(id);
            }
        }
        return moved;
    }

    /**
     * Moves a RUNNING lease's expiry from {@code expected} to {@code newExpiry}, only if it still is
     * {@code expected} and has not passed {@code now} (compare-and-set, so concurrent extensions add up).
     */
    boolean updateExpiry(LeaseId id, Instant expected, Instant newExpiry, Instant now);

    /** Throws {@link StoreException} unless the store answers a trivial query. */
    void ping();

    /**
     * Forgets at most {@code limit} leases that ended before {@code cutoff}; never a live one.
     * Returns how many it forgot (fewer than {@code limit}: none older is left).
     */
    int purgeEndedBefore(Instant cutoff, int limit);

    @Override
    void close();

    /**
     * Coarse marks of a running lease's sessions, kept so that a restart of the server resets neither
     * its idle clock nor a pending disconnect grace: when it was last active, and when its grace ends
     * (empty: none pending). Written at most every few seconds per lease, never on a keystroke's path.
     */
    record SessionMarks(Optional<Instant> lastActivity, Optional<Instant> graceEndsAt) {
        public static final SessionMarks NONE = new SessionMarks(Optional.empty(), Optional.empty());
    }

    /** Records that the lease was active at {@code at}. A store that keeps no marks ignores it. */
    default void markActivity(LeaseId id, Instant at) {}

    /** Records when the lease's disconnect grace ends, or that none is pending. A store that keeps no marks ignores it. */
    default void markGraceEnd(LeaseId id, Optional<Instant> endsAt) {}

    /** The marks kept for the lease; none where the store keeps none. */
    default SessionMarks sessionMarks(LeaseId id) {
        return SessionMarks.NONE;
    }
}
