package io.containerlease.session;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.containerlease.lease.LeaseId;
import io.containerlease.runtime.ContainerStreams;
import io.containerlease.runtime.ManagedLabels;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Every open shell, per lease. Shells last until they exit or their lease ends. */
public final class TerminalSessions {
    private static final Logger log = LoggerFactory.getLogger(TerminalSessions.class);
    private static final String ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";
    /** More shells than this on one lease is a runaway client, not a user. */
    public static final int MAX_PER_LEASE = 8;

    private final ContainerStreams streams;
    private final int ringBytes;
    private final RandomGenerator random;
    private final EndedLeases ended;
    private final ConcurrentHashMap<LeaseId, Map<String, TerminalSession>> byLease = new ConcurrentHashMap<>();

    public TerminalSessions(ContainerStreams streams, int ringBytes, RandomGenerator random, EndedLeases ended) {
        this.streams = streams;
        this.ringBytes = ringBytes;
        this.random = random;
        this.ended = ended;
    }

    /**
     * Starts a shell in the lease's container.
     *
     * @throws TooManySessionsException when the lease already has {@link #MAX_PER_LEASE} shells
     * @throws LeaseEndedException when the lease has ended, even while this shell was being set up
     */
    public TerminalSession open(LeaseId leaseId, List<String> shellCommand, int cols, int rows) {
        refuseIfEnded(leaseId);
        Map<String, TerminalSession> sessions = byLease.computeIfAbsent(leaseId, id -> new ConcurrentHashMap<>());
        String id = newId();
        TerminalSession session = new TerminalSession(id, leaseId, ringBytes, () -> forget(leaseId, id));
        synchronized (sessions) {
            if (sessions.size() >= MAX_PER_LEASE) {
                throw new TooManySessionsException("lease " + leaseId.value() + " already has " + MAX_PER_LEASE
                        + " terminal sessions; end one (DELETE /api/containers/{id}/sessions/{sessionId}) or resume it with ?session=");
            }
            sessions.put(id, session);
        }
        // closeAll() runs after the tombstone is written: a shell registered after that is taken back here.
        if (ended.contains(leaseId)) {
            forget(leaseId, id);
            refuseIfEnded(leaseId);
        }
        try {
            session.started(streams.openShell(ManagedLabels.containerName(leaseId), shellCommand, cols, rows, session));
        } catch (RuntimeException e) {
            forget(leaseId, id);
            throw e;
        }
        log.info("terminal session opened {} {}", kv("leaseId", leaseId.value()), kv("sessionId", id));
        return session;
    }

    private void refuseIfEnded(LeaseId leaseId) {
        var reason = ended.reason(leaseId);
        if (reason.isPresent()) {
            throw new LeaseEndedException(leaseId, reason.get());
        }
    }

    /** Whether any shell of this lease is held here (for tests: none outlives the lease). */
    public boolean tracks(LeaseId leaseId) {
        return byLease.containsKey(leaseId);
    }

    public Optional<TerminalSession> find(LeaseId leaseId, String sessionId) {
        return Optional.ofNullable(byLease.getOrDefault(leaseId, Map.of()).get(sessionId));
    }

    public int count(LeaseId leaseId) {
        return byLease.getOrDefault(leaseId, Map.of()).size();
    }

    /** The lease ended: end its shells. Idempotent. */
    public void closeAll(LeaseId leaseId) {
        Map<String, TerminalSession> sessions = byLease.remove(leaseId);
        if (sessions != null) {
            sessions.values().forEach(TerminalSession::close);
        }
    }

    private void forget(LeaseId leaseId, String sessionId) {
        byLease.computeIfPresent(leaseId, (id, sessions) -> {
            sessions.remove(sessionId);
            return sessions.isEmpty() ? null : sessions;
        });
    }

    private String newId() {
        char[] out = new char[24];
        for (int i = 0; i < out.length; i++) {
            out[i] = ALPHABET.charAt(random.nextInt(32));
        }
        return new String(out);
    }
}
