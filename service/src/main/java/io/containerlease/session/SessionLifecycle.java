package io.containerlease.session;

import io.containerlease.lease.EndReason;
import io.containerlease.lease.Lease;
import io.containerlease.lease.LeaseId;
import io.containerlease.lease.LeaseListener;
import java.util.Map;

/**
 * Keeps live sessions in step with their lease: a running lease gets idle tracking and an expiry
 * warning; an extension re-arms the warning and is announced; an ending lease tells every
 * connection why, closes them, ends its shells, stops following its log, and drops all session
 * state for it.
 */
public final class SessionLifecycle implements LeaseListener {
    private final LeaseConnections connections;
    private final IdleTimers idle;
    private final ExpiryWarnings warnings;
    private final TerminalSessions terminals;
    private final LogStreams logs;
    private final EndedLeases ended;

    public SessionLifecycle(
            LeaseConnections connections,
            IdleTimers idle,
            ExpiryWarnings warnings,
            TerminalSessions terminals,
            LogStreams logs,
            EndedLeases ended) {
        this.ended = ended;
        this.connections = connections;
        this.idle = idle;
        this.warnings = warnings;
        this.terminals = terminals;
        this.logs = logs;
    }

    @Override
    public void onRunning(Lease lease) {
        idle.start(lease);
        warnings.schedule(lease);
    }

    /**
     * After a restart: the idle clock goes on from the activity the store kept, and the restart cut
     * every connection, so a lease with a disconnect grace starts it now (or goes on with the one that
     * was pending when the server stopped).
     */
    @Override
    public void onRecovered(Lease lease) {
        idle.recover(lease);
        warnings.schedule(lease);
        connections.connectionsLost(lease);
    }

    @Override
    public void onExtended(Lease lease) {
        warnings.schedule(lease);
        connections.broadcast(
                lease.id(),
                Map.of("type", "extended", "expiryTime", lease.expiresAt().toString()));
    }

    @Override
    public void onEnding(LeaseId id, EndReason reason) {
        // First: whatever registers from now on sees the tombstone and backs out, so nothing dropped below comes back.
        ended.record(id, reason);
        warnings.cancel(id);
        idle.forget(id);
        connections.endAll(id, reason);
        terminals.closeAll(id);
        logs.stop(id);
    }
}
