package io.containerlease.session;

import io.containerlease.lease.LeaseId;

/**
 * The connections the other servers of a shared store have to each lease, as they report them: a
 * lease's grace starts only when it has none anywhere.
 */
public interface ConnectionsElsewhere {
    ConnectionsElsewhere NONE = new ConnectionsElsewhere() {
        @Override
        public int count(LeaseId id) {
            return 0;
        }

        @Override
        public void report(LeaseId id, int here) {}
    };

    /** How many connections the other servers have to the lease. */
    int count(LeaseId id);

    /** Tells the other servers how many connections this one has to the lease now. */
    void report(LeaseId id, int here);
}
