package io.containerlease.session;

import io.containerlease.lease.LeaseId;

/** The session layer as the API sees it: record activity, read a lease's live status. */
public final class SessionView {
    private final LeaseConnections connections;
    private final IdleTimers idle;

    public SessionView(LeaseConnections connections, IdleTimers idle) {
        this.connections = connections;
        this.idle = idle;
    }

    /** An API call about this lease counts as activity for its idle rule. */
    public void touch(LeaseId id) {
        idle.touch(id);
    }

    public SessionStatus status(LeaseId id) {
        return new SessionStatus(
                connections.count(id), idle.lastActivity(id), connections.graceDeadline(id), idle.idleDeadline(id));
    }
}
