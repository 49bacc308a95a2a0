package io.containerlease.session;

import io.containerlease.lease.EndReason;
import io.containerlease.lease.LeaseId;

/** The lease ended while a shell or a log reader was being set up for it; nothing was kept. */
public final class LeaseEndedException extends RuntimeException {
    private final EndReason reason;

    public LeaseEndedException(LeaseId id, EndReason reason) {
        super("lease " + id.value() + " has ended (" + reason.wireName() + ")", null, false, false);
        this.reason = reason;
    }

    public EndReason reason() {
        return reason;
    }
}
