package io.containerlease.lease;

import java.time.Instant;

/** One precise timer per lease; the core's port onto the reaper's timer wheel. */
public interface LeaseTimers {
    /** Runs {@code onDue} at {@code at}, replacing any timer the lease already had. */
    void schedule(LeaseId id, Instant at, Runnable onDue);

    /** Drops the lease's timer, if any. Idempotent. */
    void cancel(LeaseId id);
}
