package io.containerlease.containers;

import io.containerlease.lease.ContainerUsage;
import io.containerlease.lease.EndReason;
import io.containerlease.lease.LeaseId;
import io.containerlease.lease.LeaseListener;
import io.containerlease.lease.ManagedLabels;
import io.containerlease.lease.UsageStreams;
import io.containerlease.schedule.PeriodicTask;
import io.containerlease.schedule.TaskScheduler;
import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Resource usage, measured only while someone asks: the first question about a lease opens one
 * engine stats stream for it, later ones read its newest sample, and a stream nobody asked about for
 * {@code idleAfter} is closed. At most {@code maxStreams} leases are watched at once.
 */
public final class UsageWatch implements LeaseListener, AutoCloseable {
    /** How long the first question waits for the engine's first full sample (it takes two readings, a second apart). */
    static final Duration FIRST_SAMPLE = Duration.ofSeconds(5);

    /** No sample could be had now: too many leases are watched, or the engine did not answer in time. */
    public static final class Unavailable extends RuntimeException {
        public Unavailable(String message) {
            super(message);
        }
    }

    private final UsageStreams streams;
    private final InstantSource clock;
    private final int maxStreams;
    private final Duration idleAfter;
    private final Map<LeaseId, Watch> watches = new ConcurrentHashMap<>();
    private final PeriodicTask sweeper;

    private final class Watch implements UsageStreams.Sink {
        final LeaseId id;
        final CompletableFuture<ContainerUsage> first = new CompletableFuture<>();
        volatile ContainerUsage latest;
        volatile long lastAskedMillis;
        volatile Closeable stream;

        Watch(LeaseId id) {
            this.id = id;
        }

        @Override
        public void sample(ContainerUsage usage) {
            latest = usage;
            first.complete(usage);
        }

        @Override
        public void closed(Throwable error) {
            watches.remove(id, this);
            // A runtime that says why (a cluster without a metrics API) is worth repeating to the user.
            first.completeExceptionally(new Unavailable(
                    error instanceof io.containerlease.lease.RuntimeOperationException refused
                            ? refused.clientMessage()
                            : "the engine stopped sending statistics for this container"));
        }

        void close() {
            watches.remove(id, this);
            Closeable s = stream;
            if (s != null) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // being discarded
                }
            }
        }
    }

    public UsageWatch(
            UsageStreams streams, TaskScheduler scheduler, InstantSource clock, int maxStreams, Duration idleAfter) {
        this.streams = streams;
        this.clock = clock;
        this.maxStreams = maxStreams;
        this.idleAfter = idleAfter;
        this.sweeper = new PeriodicTask(
                scheduler,
                idleAfter.dividedBy(2),
                this::sweep,
                e -> org.slf4j.LoggerFactory.getLogger(UsageWatch.class)
                        .warn("usage sweep failed: {}", e.getMessage()));
        sweeper.start(idleAfter.dividedBy(2));
    }

    /**
     * The lease container's newest usage, starting to watch it if nobody was.
     *
     * @throws Unavailable when too many leases are watched already, or no sample came in time
     */
    public ContainerUsage sample(LeaseId id) {
        Watch watch = watches.get(id);
        if (watch == null) {
            if (watches.size() >= maxStreams) {
                throw new Unavailable(
                        "statistics are being collected for " + maxStreams + " containers already; try again shortly");
            }
            Watch fresh = new Watch(id);
            watch = watches.putIfAbsent(id, fresh);
            if (watch == null) {
                watch = fresh;
                fresh.stream = streams.follow(ManagedLabels.containerName(id), fresh);
            }
        }
        watch.lastAskedMillis = clock.millis();
        ContainerUsage latest = watch.latest;
        if (latest != null) {
            return latest;
        }
        try {
            return watch.first.get(FIRST_SAMPLE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new Unavailable("the engine sent no statistics in time; try again");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Unavailable u ? u : new Unavailable("the engine's statistics failed");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unavailable("interrupted");
        }
    }

    /** Leases being watched now. */
    public int watched() {
        return watches.size();
    }

    /** The newest samples of the leases being watched (for aggregate metrics). */
    public Iterable<ContainerUsage> latestOfAll() {
        return watches.values().stream()
                .map(w -> w.latest)
                .filter(java.util.Objects::nonNull)
                .toList();
    }

    private void sweep() {
        long cutoff = clock.millis() - idleAfter.toMillis();
        watches.values().stream()
                .filter(w -> w.lastAskedMillis < cutoff)
                .toList()
                .forEach(Watch::close);
    }

    @Override
    public void onEnding(LeaseId id, EndReason reason) {
        Watch w = watches.get(id);
        if (w != null) {
            w.close();
        }
    }

    @Override
    public void close() {
        sweeper.close();
        watches.values().stream().toList().forEach(Watch::close);
    }
}
