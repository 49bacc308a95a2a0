package io.containerlease.session;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.containerlease.lease.ContainerStreams;
import io.containerlease.lease.LeaseId;
import io.containerlease.lease.ManagedLabels;
import io.containerlease.schedule.TaskScheduler;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every open shell, per lease. Shells last until they exit, their lease ends, someone ends them
 * ({@link #end}), or nobody has been attached to them for the detached timeout (never shorter than
 * the lease's disconnect grace, so a client coming back within its grace finds its shell).
 */
public final class TerminalSessions {
    private static final Logger log = LoggerFactory.getLogger(TerminalSessions.class);
    private static final String ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";
    /** More shells than this on one lease is a runaway client, not a user. */
    public static final int MAX_PER_LEASE = 8;

    private final ContainerStreams streams;
    private final int ringBytes;
    private final RandomGenerator random;
    private final EndedLeases ended;
    private final TaskScheduler scheduler;
    private final InstantSource clock;
    private final Duration detachedTimeout;
    private final ConcurrentHashMap<LeaseId, Map<String, TerminalSession>> byLease = new ConcurrentHashMap<>();
    /**
     * Shells that exited by themselves, kept a while with their output and status: a client that was
     * away when its command ended (a network drop) comes back to how it ended instead of "no such shell".
     */
    private final ConcurrentHashMap<LeaseId, Map<String, TerminalSession>> exitedByLease = new ConcurrentHashMap<>();

    public static final Duration KEEP_EXITED = Duration.ofSeconds(60);

    /** @param detachedTimeout how long a shell may go without any client before it is ended (TERMINAL_DETACHED_SECONDS) */
    public TerminalSessions(
            ContainerStreams streams,
            int ringBytes,
            RandomGenerator random,
            EndedLeases ended,
            TaskScheduler scheduler,
            InstantSource clock,
            Duration detachedTimeout) {
        this.streams = streams;
        this.ringBytes = ringBytes;
        this.random = random;
        this.ended = ended;
        this.scheduler = scheduler;
        this.clock = clock;
        this.detachedTimeout = detachedTimeout;
    }

    /**
     * Starts a shell in the lease's container.
     *
     * @throws TooManySessionsException when the lease already has {@link #MAX_PER_LEASE} shells
     * @throws LeaseEndedException when the lease has ended, even while this shell was being set up
     */
    public TerminalSession open(
            LeaseId leaseId, List<String> shellCommand, int cols, int rows, Optional<Duration> leaseGrace) {
        ended.requireNotEnded(leaseId);
        Map<String, TerminalSession> sessions = byLease.computeIfAbsent(leaseId, id -> new ConcurrentHashMap<>());
        String id = newId();
        Duration limit =
                leaseGrace.filter(g -> g.compareTo(detachedTimeout) > 0).orElse(detachedTimeout);
        Reaping reaping = new Reaping(limit);
        TerminalSession session = new TerminalSession(
                id,
                leaseId,
                ringBytes,
                exited -> {
                    reaping.stop();
                    retire(exited);
                },
                reaping,
                clock);
        synchronized (sessions) {
            if (sessions.size() >= MAX_PER_LEASE) {
                throw new TooManySessionsException(
                        "lease " + leaseId.value() + " already has " + MAX_PER_LEASE
                                + " terminal sessions; end one (DELETE /api/containers/{id}/sessions/{sessionId}) or resume it with ?session=");
            }
            sessions.put(id, session);
        }
        // closeAll() runs after the tombstone is written: a shell registered after that is taken back here.
        if (ended.contains(leaseId)) {
            forget(byLease, leaseId, id);
            ended.requireNotEnded(leaseId);
        }
        try {
            session.started(streams.openShell(ManagedLabels.containerName(leaseId), shellCommand, cols, rows, session));
        } catch (RuntimeException e) {
            forget(byLease, leaseId, id);
            throw e;
        }
        log.info("terminal session opened {} {}", kv("leaseId", leaseId.value()), kv("sessionId", id));
        reaping.unattended(session); // until its first client attaches
        return session;
    }

    /** The lease's shells, oldest first. */
    public List<TerminalSession.Summary> list(LeaseId leaseId) {
        return byLease.getOrDefault(leaseId, Map.of()).values().stream()
                .map(TerminalSession::summary)
                .sorted(java.util.Comparator.comparing(TerminalSession.Summary::createdAt))
                .toList();
    }

    /** Ends one shell (its clients are told it exited). Returns false when there is no such shell. */
    public boolean end(LeaseId leaseId, String sessionId) {
        Optional<TerminalSession> session =
                Optional.ofNullable(byLease.getOrDefault(leaseId, Map.of()).get(sessionId));
        session.ifPresent(s -> {
            log.info(
                    "terminal session ended on request {} {}",
                    kv("leaseId", leaseId.value()),
                    kv("sessionId", sessionId));
            s.close();
        });
        return session.isPresent();
    }

    /** Ends a shell once nobody has been attached to it for its limit; any attach cancels that. */
    private final class Reaping implements TerminalSession.Attendance {
        private final Duration limit;
        private TaskScheduler.Cancellable timer;

        Reaping(Duration limit) {
            this.limit = limit;
        }

        @Override
        public synchronized void unattended(TerminalSession session) {
            if (timer == null) {
                timer = scheduler.schedule(limit, () -> expire(session));
            }
        }

        @Override
        public void attended(TerminalSession session) {
            stop();
        }

        /** Someone is attached again, or the shell is gone: no timer. */
        synchronized void stop() {
            if (timer != null) {
                timer.cancel();
                timer = null;
            }
        }

        private void expire(TerminalSession session) {
            synchronized (this) {
                timer = null;
            }
            if (session.closeIfUnattended()) {
                log.info(
                        "terminal session ended, nobody attached for {} {} {}",
                        kv("limitS", limit.toSeconds()),
                        kv("leaseId", session.leaseId().value()),
                        kv("sessionId", session.id()));
            }
        }
    }

    /** Whether any shell of this lease is held here (for tests: none outlives the lease). */
    public boolean tracks(LeaseId leaseId) {
        return byLease.containsKey(leaseId) || exitedByLease.containsKey(leaseId);
    }

    /** A live shell, or one that exited by itself within {@link #KEEP_EXITED} (attaching to it gives its output and status). */
    public Optional<TerminalSession> find(LeaseId leaseId, String sessionId) {
        TerminalSession live = byLease.getOrDefault(leaseId, Map.of()).get(sessionId);
        return live != null
                ? Optional.of(live)
                : Optional.ofNullable(
                        exitedByLease.getOrDefault(leaseId, Map.of()).get(sessionId));
    }

    public int count(LeaseId leaseId) {
        return byLease.getOrDefault(leaseId, Map.of()).size();
    }

    /** The lease ended: end its shells. Idempotent. */
    public void closeAll(LeaseId leaseId) {
        exitedByLease.remove(leaseId);
        Map<String, TerminalSession> sessions = byLease.remove(leaseId);
        if (sessions != null) {
            sessions.values().forEach(TerminalSession::close);
        }
    }

    /** A shell is gone: one that ended by itself is kept a while for a client that was away. */
    private void retire(TerminalSession session) {
        LeaseId leaseId = session.leaseId();
        if (session.exitedWithStatus() && !ended.contains(leaseId)) {
            exitedByLease
                    .computeIfAbsent(leaseId, id -> new ConcurrentHashMap<>())
                    .put(session.id(), session);
            scheduler.schedule(KEEP_EXITED, () -> forget(exitedByLease, leaseId, session.id()));
        }
        forget(byLease, leaseId, session.id());
    }

    private static void forget(
            ConcurrentHashMap<LeaseId, Map<String, TerminalSession>> map, LeaseId leaseId, String sessionId) {
        map.computeIfPresent(leaseId, (id, sessions) -> {
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
