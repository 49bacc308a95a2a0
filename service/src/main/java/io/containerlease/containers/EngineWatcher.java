package io.containerlease.containers;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.containerlease.lease.ContainerEvents;
import io.containerlease.lease.LeaseId;
import io.containerlease.schedule.RetryPolicy;
import io.containerlease.schedule.TaskScheduler;
import java.io.Closeable;
import java.io.IOException;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One subscription to the engine's container events for the whole service. Each event goes to
 * {@link ContainerStates#engineSaid} (in order, on one worker), which asks the engine again where the
 * event may mean a change; a broken subscription is
 * re-established with backoff, and every (re)subscription is followed by a refresh of every live
 * lease, so an event missed in the gap cannot leave a stale state: level-triggered, like the
 * reconciler. That refresh gives the engine to provisions and removals under way first ({@link UrgentWorkFirst}).
 */
public final class EngineWatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EngineWatcher.class);

    private final ContainerEvents events;
    private final ContainerStates states;
    private final String instanceId;
    private final TaskScheduler scheduler;
    private final RetryPolicy retry;
    private final RandomGenerator random;
    private final InstantSource clock;
    private final UrgentWorkFirst urgentFirst;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(Thread.ofPlatform()
            .name("containerlease-engine-events")
            .daemon(true)
            .factory());
    private final Object lock = new Object();

    private Closeable subscription;
    private TaskScheduler.Cancellable pendingRetry;
    private int failures;
    private boolean closed;
    private volatile long resyncs;

    public EngineWatcher(
            ContainerEvents events,
            ContainerStates states,
            String instanceId,
            TaskScheduler scheduler,
            RetryPolicy retry,
            RandomGenerator random,
            InstantSource clock,
            UrgentWorkFirst urgentFirst) {
        this.events = events;
        this.states = states;
        this.instanceId = instanceId;
        this.scheduler = scheduler;
        this.retry = retry;
        this.random = random;
        this.clock = clock;
        this.urgentFirst = urgentFirst;
    }

    public void start() {
        subscribe();
    }

    /** How many times every live lease was asked again after a (re)subscription (for tests and metrics). */
    public long resyncs() {
        return resyncs;
    }

    private void subscribe() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            pendingRetry = null;
            try {
                // From a second ago: an event of the moment of subscribing is heard twice rather than never.
                subscription = events.watch(instanceId, clock.instant().minusSeconds(1), new Sink());
                failures = 0;
            } catch (RuntimeException e) {
                log.warn("cannot follow the engine's events; trying again {}", kv("error", e.getMessage()));
                scheduleRetry();
                return;
            }
        }
        worker.execute(this::resync);
    }

    private void resync() {
        resync(new java.util.ArrayDeque<>(states.tracked()), 0);
    }

    /**
     * Asks about each lease left; while provisions or removals are under way (a burst, a restart's
     * catch-up) the rest waits a step, off the worker, so events go on being heard meanwhile.
     */
    private void resync(java.util.Deque<LeaseId> left, int stepsWaited) {
        while (!left.isEmpty()) {
            if (urgentFirst.waitAnotherStep(stepsWaited)) {
                scheduler.schedule(UrgentWorkFirst.STEP, () -> {
                    try {
                        worker.execute(() -> resync(left, stepsWaited + 1));
                    } catch (java.util.concurrent.RejectedExecutionException stopped) {
                        // the watcher was closed meanwhile
                    }
                });
                return;
            }
            states.refreshQuietly(left.poll());
        }
        resyncs++;
    }

    private void scheduleRetry() {
        synchronized (lock) {
            if (closed || pendingRetry != null) {
                return;
            }
            pendingRetry = scheduler.schedule(retry.delayBefore(++failures, random), this::subscribe);
        }
    }

    private final class Sink implements ContainerEvents.Sink {
        @Override
        public void event(String containerId, Optional<LeaseId> leaseId, String action, Instant at) {
            leaseId.ifPresent(id -> worker.execute(() -> states.engineSaid(id, action, at)));
        }

        @Override
        public void closed(Throwable error) {
            synchronized (lock) {
                if (closed || error == null) {
                    return;
                }
                subscription = null;
            }
            log.warn(
                    "the engine's event stream broke; following it again {}",
                    kv("error", String.valueOf(error.getMessage())));
            scheduleRetry();
        }
    }

    @Override
    public void close() {
        Closeable open;
        synchronized (lock) {
            closed = true;
            open = subscription;
            subscription = null;
            if (pendingRetry != null) {
                pendingRetry.cancel();
            }
        }
        if (open != null) {
            try {
                open.close();
            } catch (IOException ignored) {
                // being discarded
            }
        }
        worker.shutdownNow();
    }
}
