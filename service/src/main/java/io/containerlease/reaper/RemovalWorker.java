package io.containerlease.reaper;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.containerlease.lease.ContainerRemovals;
import io.containerlease.lease.ContainerRuntime;
import io.containerlease.metrics.LeaseMetrics;
import io.containerlease.schedule.RetryLoop;
import io.containerlease.schedule.RetryPolicy;
import io.containerlease.schedule.TaskScheduler;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes containers until the engine confirms them gone. Removal is idempotent (a container
 * already gone counts as removed), at most one removal per container is under way at a time,
 * concurrency is bounded by the executor it runs on, and a failure is retried with backoff and
 * jitter for as long as it takes: a container is never given up on.
 */
public final class RemovalWorker implements ContainerRemovals {
    private static final Logger log = LoggerFactory.getLogger(RemovalWorker.class);

    private final ContainerRuntime runtime;
    private final Executor executor;
    private final RetryLoop retries;
    private final LeaseMetrics metrics;
    private final ConcurrentHashMap<String, CompletableFuture<Void>> underWay = new ConcurrentHashMap<>();

    /**
     * @param executor runs the removals themselves; its size bounds how many hit the engine at once
     * @param scheduler waits out the backoff between attempts
     */
    public RemovalWorker(
            ContainerRuntime runtime,
            Executor executor,
            TaskScheduler scheduler,
            RetryPolicy retry,
            RandomGenerator random,
            LeaseMetrics metrics) {
        this.runtime = runtime;
        this.executor = executor;
        this.retries = new RetryLoop(scheduler, retry, random);
        this.metrics = metrics;
    }

    @Override
    public CompletableFuture<Void> removeUntilGone(String container) {
        CompletableFuture<Void> created = new CompletableFuture<>();
        CompletableFuture<Void> existing = underWay.putIfAbsent(container, created);
        if (existing != null) {
            return existing;
        }
        created.whenComplete((ok, error) -> underWay.remove(container, created));
        retries.start(
                executor,
                attempt -> {
                    runtime.remove(container);
                    if (attempt > 1) {
                        log.info(
                                "container removed after retries {} {}",
                                kv("container", container),
                                kv("attempts", attempt));
                    }
                    created.complete(null);
                },
                (attempt, wait, e) -> {
                    metrics.reapFailed();
                    metrics.reapRetried();
                    log.warn(
                            "container removal failed, retrying {} {} {} {}",
                            kv("container", container),
                            kv("attempt", attempt),
                            kv("retryInMs", wait.toMillis()),
                            kv("error", e.getMessage()));
                });
        return created;
    }

    /** How many removals are waiting or running; zero means the worker is idle. */
    public int pending() {
        return underWay.size();
    }
}
