package io.containerlease.store;

import io.containerlease.activity.ActivityLog;
import io.containerlease.lease.LeaseStore;
import java.util.Optional;

/** A lease store with the activity log kept next to it: what the server opens at start (SQLite or Redis). */
public interface DurableStore extends LeaseStore {
    ActivityLog activityLog();

    /** What this store adds when several servers share it; empty when it is one server's alone. */
    default Optional<SharedStore> shared() {
        return Optional.empty();
    }
}
