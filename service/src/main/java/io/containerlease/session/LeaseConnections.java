package io.containerlease.session;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.containerlease.lease.EndReason;
import io.containerlease.lease.Lease;
import io.containerlease.lease.LeaseId;
import io.containerlease.schedule.RetryLoop;
import io.containerlease.schedule.RetryPolicy;
import io.containerlease.schedule.TaskScheduler;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live connections (terminals and log streams) of every lease, and the disconnect grace: when
 * a lease's last connection goes, a timer starts; any new connection cancels it; when it fires, the
 * lease ends as {@code disconnected}. A failing end is retried with backoff until it succeeds.
 *
 * <p>A connection is closed through its {@link Registration}, idempotently, so a WebSocket's close
 * and error callbacks may both call it (Jetty does not always call close after a network error).
 */
public final class LeaseConnections {
    private static final Logger log = LoggerFactory.getLogger(LeaseConnections.class);

    /** Ends a lease whose grace ran out. May throw; it is then retried. */
    public interface GraceExpiry {
        void expired(LeaseId id);
    }

    /** Where the control messages for one connection go (its socket's outbox); not the program's channel. */
    public interface ControlSink {
        /** Sends a JSON control message; must not block for long. */
        void sendControl(Map<String, Object> message);

        /** Closes the connection with a WebSocket close code. */
        void close(int code, String reason);
    }

    private final TaskScheduler scheduler;
    private final InstantSource clock;
    private final RetryLoop retries;
    private final GraceExpiry onExpired;
    private final EndedLeases ended;
    private final ConcurrentHashMap<LeaseId, Room> rooms = new ConcurrentHashMap<>();
    /** Connections to a lease through the other servers of a shared store; none by default. */
    private volatile ConnectionsElsewhere elsewhere = ConnectionsElsewhere.NONE;

    /**
     * Counts the other servers' connections too: a grace starts only when the lease has none
     * anywhere, and a connection elsewhere stops it. Done while wiring, before the service is used.
     */
    public void countElsewhere(ConnectionsElsewhere elsewhere) {
        this.elsewhere = elsewhere;
    }

    /** The other servers' count for the lease changed: start or stop its grace here accordingly. */
    public void elsewhereChanged(LeaseId id) {
        Room room = rooms.get(id);
        if (room == null) {
            return; // no connection here ever: the servers that had them keep its grace
        }
        synchronized (room) {
            if (elsewhere.count(id) > 0) {
                room.cancelGrace();
            } else if (room.open.isEmpty()) {
                room.startGrace();
            }
        }
    }

    /** This server's connections per lease, for a full report to the others. */
    public Map<LeaseId, Integer> localCounts() {
        Map<LeaseId, Integer> counts = new java.util.HashMap<>();
        rooms.forEach((id, room) -> {
            synchronized (room) {
                if (!room.open.isEmpty()) {
                    counts.put(id, room.open.size());
                }
            }
        });
        return counts;
    }

    public LeaseConnections(
            TaskScheduler scheduler,
            InstantSource clock,
            RetryPolicy retry,
            RandomGenerator random,
            GraceExpiry onExpired,
            EndedLeases ended) {
        this.ended = ended;
        this.scheduler = scheduler;
        this.clock = clock;
        this.retries = new RetryLoop(scheduler, retry, random);
        this.onExpired = onExpired;
    }

    /**
     * Counts a new live connection to the lease, cancelling any pending grace timer. When the lease
     * has ended (even a moment ago, while this connection was being set up), the connection is told
     * {@code {type: "ended", reason}} and closed instead, nothing is kept, and the answer is empty.
     */
    public Optional<Registration> open(Lease lease, ControlSink sink) {
        if (!ended.contains(lease.id())) {
            Room room = rooms.computeIfAbsent(
                    lease.id(), id -> new Room(id, lease.rules().disconnectGrace()));
            Registration registration = new Registration(room, sink);
            boolean added;
            synchronized (room) {
                added = !room.ended;
                if (added) {
                    room.cancelGrace();
                    room.open.add(registration);
                }
            }
            // The ending records its tombstone before it drops rooms: checked after adding, one of the two sees the
            // other.
            if (added && !ended.contains(lease.id())) {
                elsewhere.report(lease.id(), count(lease.id()));
                return Optional.of(registration);
            }
            forgetIfEmpty(room, registration);
        }
        tellEnded(sink, ended.reason(lease.id()).orElse(EndReason.RELEASED));
        return Optional.empty();
    }

    /** Takes back a registration that lost the race with its lease's end, and the room if it made one. */
    private void forgetIfEmpty(Room room, Registration registration) {
        synchronized (room) {
            room.open.remove(registration);
            if (room.open.isEmpty()) {
                room.ended = true;
                room.cancelGrace();
                rooms.remove(room.id, room);
            }
        }
    }

    /**
     * The lease's connections were cut without their close callbacks (the server restarted): start
     * its grace as if the last one had just closed. A connection arriving meanwhile cancels it.
     */
    public void connectionsLost(Lease lease) {
        if (ended.contains(lease.id())) {
            return;
        }
        Room room = rooms.computeIfAbsent(
                lease.id(), id -> new Room(id, lease.rules().disconnectGrace()));
        Optional<Instant> pending =
                marks.flatMap(store -> store.sessionMarks(lease.id()).graceEndsAt());
        synchronized (room) {
            if (room.open.isEmpty() && elsewhere.count(lease.id()) == 0) {
                room.startGrace(pending);
            }
        }
    }

    /**
     * Keeps each lease's pending grace end in {@code store}, so a restart neither forgets a grace nor
     * grants a fresh one: written when a grace starts and when a connection cancels it.
     */
    public void keepMarksIn(io.containerlease.lease.LeaseStore store) {
        this.marks = Optional.of(store);
    }

    private volatile Optional<io.containerlease.lease.LeaseStore> marks = Optional.empty();

    private void markGraceEnd(LeaseId id, Optional<Instant> endsAt) {
        marks.ifPresent(store -> {
            try {
                store.markGraceEnd(id, endsAt);
            } catch (RuntimeException e) {
                log.warn(
                        "could not keep a lease's grace end {} {}",
                        kv("leaseId", id.value()),
                        kv("error", String.valueOf(e.getMessage())));
            }
        });
    }

    public int count(LeaseId id) {
        Room room = rooms.get(id);
        if (room == null) {
            return 0;
        }
        synchronized (room) {
            return room.open.size();
        }
    }

    /** When the pending grace timer will end the lease, if one is running. */
    public Optional<Instant> graceDeadline(LeaseId id) {
        Room room = rooms.get(id);
        if (room == null) {
            return Optional.empty();
        }
        synchronized (room) {
            return Optional.ofNullable(room.graceDeadline);
        }
    }

    /** Sends a control message to every live connection of the lease. */
    public void broadcast(LeaseId id, Map<String, Object> message) {
        for (Registration r : snapshot(id)) {
            r.send(message);
        }
    }

    /**
     * The lease ended: tells every connection why, closes them normally, cancels any grace timer
     * and forgets the lease. Connections opened afterwards are refused.
     */
    public void endAll(LeaseId id, EndReason reason) {
        ended.record(id, reason);
        Room room = rooms.get(id);
        if (room == null) {
            return;
        }
        List<Registration> closing;
        synchronized (room) {
            room.ended = true;
            room.cancelGrace();
            closing = new ArrayList<>(room.open);
            room.open.clear();
        }
        rooms.remove(id, room);
        for (Registration r : closing) {
            tellEnded(r.sink, reason);
        }
    }

    /** What every connection of an ending lease hears last: why, then a normal close. */
    private static void tellEnded(ControlSink sink, EndReason reason) {
        try {
            sink.sendControl(Map.of("type", "ended", "reason", reason.wireName()));
        } catch (RuntimeException e) {
            log.debug("ended message not delivered", e);
        }
        sink.close(1000, "lease ended: " + reason.wireName());
    }

    /** Whether this lease has any state here (for tests: all of it goes when the lease ends). */
    public boolean tracks(LeaseId id) {
        return rooms.containsKey(id);
    }

    private List<Registration> snapshot(LeaseId id) {
        Room room = rooms.get(id);
        if (room == null) {
            return List.of();
        }
        synchronized (room) {
            return new ArrayList<>(room.open);
        }
    }

    /** The grace ran out: end the lease, retrying until that succeeds or a connection comes back. */
    private void graceRanOut(Room room) {
        TaskScheduler.Cancellable retrying = retries.start(
                Runnable::run,
                attempt -> {
                    synchronized (room) {
                        // A connection may have arrived after the timer fired but before we got the lock.
                        if (room.ended
                                || !room.open.isEmpty()
                                || room.graceTimer == null
                                || elsewhere.count(room.id) > 0) {
                            return;
                        }
                    }
                    log.info("disconnect grace ran out {} {}", kv("leaseId", room.id.value()), kv("attempt", attempt));
                    onExpired.expired(room.id);
                },
                (attempt, wait, e) -> log.warn(
                        "ending a disconnected lease failed, retrying {} {} {}",
                        kv("leaseId", room.id.value()),
                        kv("retryInMs", wait.toMillis()),
                        kv("error", e.getMessage())));
        synchronized (room) {
            if (room.graceTimer != null) {
                room.graceTimer = retrying; // so a connection that comes back stops the retries too
            } else {
                retrying.cancel();
            }
        }
    }

    /** One lease's connections and grace timer; guarded by its own monitor. */
    private final class Room {
        final LeaseId id;
        final Optional<Duration> grace;
        final Set<Registration> open = new LinkedHashSet<>();
        TaskScheduler.Cancellable graceTimer;
        Instant graceDeadline;
        boolean ended;

        Room(LeaseId id, Optional<Duration> grace) {
            this.id = id;
            this.grace = grace;
        }

        void startGrace() {
            startGrace(Optional.empty());
        }

        /** Starts the grace, ending at {@code kept} when a grace was pending before a restart (never later than a fresh one). */
        void startGrace(Optional<Instant> kept) {
            if (grace.isEmpty() || ended || graceTimer != null) {
                return;
            }
            Instant now = clock.instant();
            Instant fresh = now.plus(grace.get());
            graceDeadline = kept.filter(k -> k.isBefore(fresh)).orElse(fresh);
            Duration delay = graceDeadline.isAfter(now) ? Duration.between(now, graceDeadline) : Duration.ZERO;
            graceTimer = scheduler.schedule(delay, () -> graceRanOut(this));
            markGraceEnd(id, Optional.of(graceDeadline));
            log.info(
                    "last connection closed, grace started {} {}",
                    kv("leaseId", id.value()),
                    kv("endsAt", graceDeadline));
        }

        void cancelGrace() {
            if (graceTimer != null) {
                graceTimer.cancel();
                graceTimer = null;
                graceDeadline = null;
                markGraceEnd(id, Optional.empty());
            }
        }
    }

    /** One live connection. Closing it is idempotent. */
    public final class Registration {
        private final Room room;
        private final ControlSink sink;

        private Registration(Room room, ControlSink sink) {
            this.room = room;
            this.sink = sink;
        }

        /**
         * The lease turned out to have ended while this connection was being set up (a part of it
         * refused with {@link LeaseEndedException}): drops the connection and tells the client why.
         */
        public void leaseEnded(EndReason reason) {
            synchronized (room) {
                room.open.remove(this);
            }
            tellEnded(sink, reason);
        }

        /** The connection is gone (closed or failed). Safe to call more than once. */
        public void close() {
            boolean removed;
            int left;
            synchronized (room) {
                removed = room.open.remove(this);
                left = room.open.size();
                if (removed && left == 0 && elsewhere.count(room.id) == 0) {
                    room.startGrace();
                }
            }
            if (removed) {
                elsewhere.report(room.id, left);
            }
        }

        void send(Map<String, Object> message) {
            try {
                sink.sendControl(message);
            } catch (RuntimeException e) {
                log.debug("control message not delivered {}", kv("leaseId", room.id.value()), e);
            }
        }
    }
}
