package io.containerlease.cluster;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.containerlease.lease.LeaseId;
import io.containerlease.lease.LeaseService;
import io.containerlease.lease.LeaseStore;
import io.containerlease.schedule.PeriodicTask;
import io.containerlease.schedule.TaskScheduler;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This server's life among others on one store: it beats every {@code interval} (its heartbeat
 * lapses after three missed beats), and takes over the leases of every server on the same engine
 * whose heartbeat lapsed, so their leases still end on time. Until its first beat, and whenever it
 * misses its own (a long pause), it must not act on its own judgement: {@link #acting()} says so.
 */
public final class InstanceWatch implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(InstanceWatch.class);
    private static final int LOOKS_PER_BEAT = 4;

    private final Heartbeats heartbeats;
    private final LeaseStore store;
    private final LeaseService leases;
    private final String self;
    private final String engineId;
    private final Duration interval;
    private final Duration ttl;
    private final PeriodicTask periodic;
    private volatile long lastBeatNanos;
    /** Whether a beat ever found the one before it lapsed, and when it last did (System.nanoTime()). */
    private volatile boolean lapsed;

    private volatile long lastLapseNanos;

    public InstanceWatch(
            Heartbeats heartbeats,
            LeaseStore store,
            LeaseService leases,
            String self,
            String engineId,
            Duration interval,
            TaskScheduler scheduler) {
        this.heartbeats = heartbeats;
        this.store = store;
        this.leases = leases;
        this.self = self;
        this.engineId = engineId;
        this.interval = interval;
        this.ttl = interval.multipliedBy(3);
        // Looks for dead servers four times per beat: a dead server's leases are taken over within a
        // quarter beat of its heartbeat lapsing, not a whole one.
        this.periodic = new PeriodicTask(
                scheduler,
                interval.dividedBy(LOOKS_PER_BEAT),
                this::runOnce,
                e -> log.warn("heartbeat or takeover failed; retrying next beat {}", kv("error", e.getMessage())));
    }

    /** The first beat, before the server acts: says it is alive and takes over what the dead left. */
    public void start() {
        runOnce();
        periodic.start(interval.dividedBy(LOOKS_PER_BEAT));
    }

    /**
     * Whether this server's heartbeat has been current all along since {@code sinceNanos}
     * ({@link System#nanoTime()}): a server paused past its heartbeat's life may have been declared
     * dead, so it must not remove or end anything on what it saw before the pause.
     */
    public boolean actingSince(long sinceNanos) {
        long now = System.nanoTime();
        boolean fresh = lastBeatNanos != 0 && now - lastBeatNanos < ttl.toNanos();
        return fresh && (!lapsed || lastLapseNanos - sinceNanos < 0);
    }

    void runOnce() {
        long started = System.nanoTime();
        if (lastBeatNanos == 0
                || started - lastBeatNanos >= interval.toNanos() - interval.toNanos() / (2 * LOOKS_PER_BEAT)) {
            beat(started);
        }
        takeOverTheDead();
    }

    private void beat(long started) {
        boolean lapsedHere = lastBeatNanos != 0 && started - lastBeatNanos >= ttl.toNanos();
        boolean alive = heartbeats.beat(self, engineId, ttl);
        if (lastBeatNanos != 0 && (lapsedHere || !alive)) {
            lastLapseNanos = started;
            lapsed = true;
            log.warn(
                    "this server's heartbeat had lapsed (was it paused?); other servers may have taken over its leases {}",
                    kv("instance", self));
        }
        lastBeatNanos = started;
    }

    private void takeOverTheDead() {
        for (String dead : heartbeats.dead(engineId)) {
            if (dead.equals(self)) {
                continue;
            }
            List<LeaseId> taken = store.takeOver(dead);
            if (!taken.isEmpty()) {
                log.info(
                        "took over the leases of a server whose heartbeat lapsed {} {}",
                        kv("deadInstance", dead),
                        kv("leases", taken.size()));
                leases.adopt(taken);
            }
            heartbeats.forget(dead);
        }
    }

    @Override
    public void close() {
        periodic.close();
    }
}
