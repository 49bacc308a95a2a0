package io.containerlease;

import io.containerlease.lease.EndReason;
import io.containerlease.reaper.ExpiryTimers;
import io.containerlease.schedule.RetryPolicy;
import io.containerlease.session.EndedLeases;
import io.containerlease.session.ExpiryWarnings;
import io.containerlease.session.IdleTimers;
import io.containerlease.session.LeaseConnections;
import io.containerlease.session.LogStreams;
import io.containerlease.session.SessionLifecycle;
import io.containerlease.session.SessionView;
import io.containerlease.session.TerminalSessions;

/** Live use of a lease: its connections and their grace, idle timers, expiry warnings, terminals and log streams. */
record SessionAssembly(
        LeaseConnections connections,
        IdleTimers idle,
        TerminalSessions terminals,
        LogStreams logs,
        SessionLifecycle lifecycle) {

    SessionView view() {
        return new SessionView(connections, idle);
    }

    static SessionAssembly build(CoreAssembly core, EventAssembly events, Started started) {
        var base = core.base();
        var config = core.config();
        var scheduler = core.scheduler();
        var leases = core.leases();
        var streams = core.engine().streams();
        var ended = new EndedLeases();
        var connections = new LeaseConnections(
                scheduler,
                base.clock(),
                RetryPolicy.REMOVAL,
                base.random(),
                id -> leases.end(id, EndReason.DISCONNECTED),
                ended);
        var idle = new IdleTimers(
                scheduler, base.clock(), RetryPolicy.REMOVAL, base.random(), id -> leases.end(id, EndReason.IDLE));
        // Last activity and pending grace ends are kept in the store, so a restart resets neither.
        idle.keepMarksIn(core.store());
        connections.keepMarksIn(core.store());
        var warnings = new ExpiryWarnings(
                new ExpiryTimers(scheduler, base.clock()), base.clock(), config.expiryWarning(), connections);
        warnings.addListener(events.sources()::expiring);
        var terminals = new TerminalSessions(
                streams,
                config.terminalBufferBytes(),
                base.random(),
                ended,
                scheduler,
                base.clock(),
                config.terminalDetached());
        var logs = started.add(new LogStreams(
                streams,
                new LogStreams.Budget(config.logBufferLines(), config.logBufferBytes(), config.logBufferTotalBytes()),
                ended));
        core.metrics()
                .trackSessionMemory(
                        logs::heldBytes, config.logBufferTotalBytes(), logs::evictedLines, streams::queuedInputBytes);
        var lifecycle = new SessionLifecycle(connections, idle, warnings, terminals, logs, ended);
        leases.addListener(lifecycle);
        return new SessionAssembly(connections, idle, terminals, logs, lifecycle);
    }
}
