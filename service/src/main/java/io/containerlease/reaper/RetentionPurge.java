package io.containerlease.reaper;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.containerlease.activity.ActivityLog;
import io.containerlease.lease.LeaseStore;
import io.containerlease.schedule.PeriodicTask;
import io.containerlease.schedule.TaskScheduler;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forgets what is older than RETENTION_DAYS: ended leases (by when they ended) and activity entries.
 * Live leases are never touched, whatever their age. Runs a minute after start and then hourly, in
 * batches, so the store is never locked for long; a pass that fails is logged and the next one
 * picks up where it left off.
 */
public final class RetentionPurge implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RetentionPurge.class);
    static final Duration FIRST_PASS = Duration.ofMinutes(1);
    static final Duration INTERVAL = Duration.ofHours(1);
    static final int BATCH = 5_000;

    /** What one pass forgot. */
    public record Purged(long leases, long activity) {}

    private final LeaseStore store;
    private final ActivityLog activity;
    private final InstantSource clock;
    private final Duration retention;
    private final PeriodicTask periodic;

    public RetentionPurge(
            LeaseStore store, ActivityLog activity, TaskScheduler scheduler, InstantSource clock, Duration retention) {
        this.store = store;
        this.activity = activity;
        this.clock = clock;
        this.retention = retention;
        this.periodic = new PeriodicTask(
                scheduler,
                INTERVAL,
                this::runOnce,
                e -> log.warn("retention purge failed; it runs again in an hour {}", kv("error", e.getMessage())));
    }

    public void start() {
        periodic.start(FIRST_PASS);
    }

    /** One whole pass: every batch until nothing older than the retention is left. */
    public Purged runOnce() {
        Instant cutoff = clock.instant().minus(retention);
        long leases = 0;
        long entries = 0;
        int n;
        do {
            n = store.purgeEndedBefore(cutoff, BATCH);
            leases += n;
        } while (n == BATCH && !periodic.closed());
        do {
            n = activity.purgeBefore(cutoff, BATCH);
            entries += n;
        } while (n == BATCH && !periodic.closed());
        if (leases > 0 || entries > 0) {
            log.info(
                    "retention purge {} {} {}",
                    kv("endedLeases", leases),
                    kv("activityEntries", entries),
                    kv("olderThan", cutoff));
        }
        return new Purged(leases, entries);
    }

    @Override
    public void close() {
        periodic.close();
    }
}
