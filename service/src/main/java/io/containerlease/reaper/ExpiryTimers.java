package io.containerlease.reaper;

import io.containerlease.lease.LeaseId;
import io.containerlease.lease.LeaseTimers;
import io.containerlease.schedule.TaskScheduler;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A timer per lease that fires at its expiry: precise, where a poll would be late by up to its
 * interval. Losing a timer (a crash, a bug) only delays expiry until the next reconcile pass.
 */
public final class ExpiryTimers implements LeaseTimers {
    private final TaskScheduler scheduler;
    private final InstantSource clock;
    private final ConcurrentHashMap<LeaseId, Armed> timers = new ConcurrentHashMap<>();

    public ExpiryTimers(TaskScheduler scheduler, InstantSource clock) {
        this.scheduler = scheduler;
        this.clock = clock;
    }

    @Override
    public void schedule(LeaseId id, Instant at, Runnable onDue) {
        Duration delay = Duration.between(clock.instant(), at);
        Armed armed = new Armed();
        Runnable fire = () -> {
            armed.fired = true;
            // Only forget the entry if it is still this timer, not a newer one set by an extension.
            timers.remove(id, armed);
            onDue.run();
        };
        // compute() holds the key's lock, which orders concurrent schedule/cancel calls for one lease.
        timers.compute(id, (key, previous) -> {
            if (previous != null) {
                previous.cancel();
            }
            armed.handle = scheduler.schedule(delay, fire);
            return armed;
        });
        if (armed.fired) {
            timers.remove(id, armed); // it fired before compute() stored it
        }
    }

    @Override
    public void cancel(LeaseId id) {
        Armed armed = timers.remove(id);
        if (armed != null) {
            armed.cancel();
        }
    }

    /** How many timers are armed; for metrics and tests. */
    public int size() {
        return timers.size();
    }

    private static final class Armed {
        volatile TaskScheduler.Cancellable handle;
        volatile boolean fired;

        void cancel() {
            TaskScheduler.Cancellable h = handle;
            if (h != null) {
                h.cancel();
            }
        }
    }
}
