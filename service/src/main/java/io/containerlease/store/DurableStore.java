package io.containerlease.store;

import io.containerlease.lease.LeaseStore;

/** A lease store with the activity log kept next to it: what the server opens at start (SQLite or Redis). */
public interface DurableStore extends LeaseStore {
    ActivityLog activityLog();
}
