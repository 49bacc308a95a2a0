package io.containerlease.session;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.containerlease.lease.Lease;
import io.containerlease.lease.LeaseId;
import io.containerlease.schedule.RetryLoop;
import io.containerlease.schedule.RetryPolicy;
import io.containerlease.schedule.TaskScheduler;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Last activity per lease (terminal input, API calls about it) and the idle rule: a lease idle for
 * its idle timeout ends as {@code idle}. Activity only records a time; the one timer per lease
 * checks it when it fires and re-arms itself, so a busy terminal costs no timer churn.
 */
public final class IdleTimers {
    private static final Logger log = LoggerFactory.getLogger(IdleTimers.class);

    /** Ends a lease that has been idle too long. May throw; it is then retried. */
    public interface IdleExpiry {
        void expired(LeaseId id);
    }

    private final TaskScheduler scheduler;
    private final InstantSource clock;
    private final RetryLoop retries;
    private final IdleExpiry onIdle;
    private final ConcurrentHashMap<LeaseId, Tracked> tracked = new ConcurrentHashMap<>();

    public IdleTimers(
            TaskScheduler scheduler,
            InstantSource clock,
            RetryPolicy retry,
            RandomGenerator random,
            IdleExpiry onIdle) {
        this.scheduler = scheduler;
        this.clock = clock;
        this.retries = new RetryLoop(scheduler, retry, random);
        this.onIdle = onIdle;
    }

    /** How often, at most, a lease's activity is written to the store (for a restart to find). */
    static final Duration MARK_EVERY = Duration.ofSeconds(5);

    /** Starts tracking a running lease: activity now, and its idle timer if it has an idle timeout. */
    public void start(Lease lease) {
        track(lease, clock.instant());
    }

    /**
     * Starts tracking a lease found running after a restart: from the activity the store kept for it
     * (a fresh clock when it kept none), so a lease whose idle end passed while no server ran ends at once.
     */
    public void recover(Lease lease) {
        Instant last = marks.map(store -> store.sessionMarks(lease.id()).lastActivity())
                .flatMap(x -> x)
                .orElse(clock.instant());
        track(lease, last);
    }

    private void track(Lease lease, Instant lastActivity) {
        Tracked t = new Tracked(lease.id(), lease.rules().idleTimeout(), lastActivity);
        Tracked previous = tracked.put(lease.id(), t);
        if (previous != null) {
            previous.cancel();
        }
        t.idleTimeout.ifPresent(timeout -> t.arm(
                lastActivity.plus(timeout).isAfter(clock.instant())
                        ? Duration.between(clock.instant(), lastActivity.plus(timeout))
                        : Duration.ZERO));
        mark(t, lastActivity);
    }

    /** Keeps each lease's last activity in {@code store}, coarsely, so a restart does not reset idle clocks. */
    public void keepMarksIn(io.containerlease.lease.LeaseStore store) {
        this.marks = Optional.of(store);
    }

    private volatile Optional<io.containerlease.lease.LeaseStore> marks = Optional.empty();

    /** Writes the activity, off the caller's path, at most every {@link #MARK_EVERY} per lease. */
    private void mark(Tracked t, Instant at) {
        if (marks.isEmpty()
                || (t.markedAt != null && Duration.between(t.markedAt, at).compareTo(MARK_EVERY) < 0)) {
            return;
        }
        t.markedAt = at;
        var store = marks.get();
        scheduler.schedule(Duration.ZERO, () -> {
            try {
                store.markActivity(t.id, at);
            } catch (RuntimeException e) {
                log.warn(
                        "could not keep a lease's last activity; a restart would give it a fresh idle clock {} {}",
                        kv("leaseId", t.id.value()),
                        kv("error", String.valueOf(e.getMessage())));
            }
        });
    }

    /** Records activity on the lease. Cheap: no timer is touched. */
    public void touch(LeaseId id) {
        touchedElsewhere(id);
        onTouch.accept(id);
    }

    /** Activity reported by another server of the store: recorded here, not reported again. */
    public void touchedElsewhere(LeaseId id) {
        Tracked t = tracked.get(id);
        if (t != null) {
            Instant now = clock.instant();
            t.lastActivity = now;
            mark(t, now);
        }
    }

    /** Where every touch here also goes (the other servers of a shared store); nowhere by default. */
    public void reportTouchesTo(java.util.function.Consumer<LeaseId> onTouch) {
        this.onTouch = onTouch;
    }

    private volatile java.util.function.Consumer<LeaseId> onTouch = id -> {};

    public Optional<Instant> lastActivity(LeaseId id) {
        return Optional.ofNullable(tracked.get(id)).map(t -> t.lastActivity);
    }

    /** When the idle rule will end the lease if nothing happens before. */
    public Optional<Instant> idleDeadline(LeaseId id) {
        Tracked t = tracked.get(id);
        return t == null ? Optional.empty() : t.idleTimeout.map(timeout -> t.lastActivity.plus(timeout));
    }

    /** The lease ended: drop its timer and state. Idempotent. */
    public void forget(LeaseId id) {
        Tracked t = tracked.remove(id);
        if (t != null) {
            t.cancel();
        }
    }

    private final class Tracked {
        final LeaseId id;
        final Optional<Duration> idleTimeout;
        volatile Instant lastActivity;
        /** When activity was last written to the store. */
        volatile Instant markedAt;

        private TaskScheduler.Cancellable timer;
        private boolean cancelled;

        Tracked(LeaseId id, Optional<Duration> idleTimeout, Instant now) {
            this.id = id;
            this.idleTimeout = idleTimeout;
            this.lastActivity = now;
        }

        synchronized void arm(Duration delay) {
            if (!cancelled) {
                timer = scheduler.schedule(delay, this::check);
            }
        }

        synchronized void cancel() {
            cancelled = true;
            if (timer != null) {
                timer.cancel();
            }
        }

        /** The timer fired: the lease may have been active since (then wait again), or it is idle: end it, retrying. */
        private void check() {
            Duration timeout = idleTimeout.orElseThrow();
            Instant due = lastActivity.plus(timeout);
            Instant now = clock.instant();
            if (now.isBefore(due)) {
                arm(Duration.between(now, due));
                return;
            }
            TaskScheduler.Cancellable retrying = retries.start(
                    Runnable::run,
                    attempt -> {
                        Instant dueNow = lastActivity.plus(timeout);
                        if (clock.instant().isBefore(dueNow)) {
                            arm(Duration.between(clock.instant(), dueNow)); // active again while we retried: wait anew
                            return;
                        }
                        log.info(
                                "lease idle for its timeout {} {} {}",
                                kv("leaseId", id.value()),
                                kv("lastActivityAt", lastActivity),
                                kv("attempt", attempt));
                        onIdle.expired(id);
                    },
                    (attempt, wait, e) -> log.warn(
                            "ending an idle lease failed, retrying {} {} {}",
                            kv("leaseId", id.value()),
                            kv("retryInMs", wait.toMillis()),
                            kv("error", e.getMessage())));
            synchronized (this) {
                if (cancelled) {
                    retrying.cancel();
                } else {
                    timer = retrying; // so forgetting the lease stops the retries too
                }
            }
        }
    }
}
