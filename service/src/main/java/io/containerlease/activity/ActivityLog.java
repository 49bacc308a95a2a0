package io.containerlease.activity;

import java.util.List;
import java.util.Optional;

/** The durable record of every state-changing request and every lease end. */
public interface ActivityLog {
    void record(ActivityEntry entry);

    /**
     * A page of entries, newest first, before {@code beforeSeq} (0: from the newest).
     *
     * @param user empty for everyone's (an admin's view)
     */
    List<ActivityEntry> page(Optional<String> user, Optional<String> leaseId, long beforeSeq, int limit);

    /** Forgets at most {@code limit} entries older than {@code cutoff}; returns how many. */
    int purgeBefore(java.time.Instant cutoff, int limit);
}
