package io.containerlease.reaper;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.containerlease.lease.ContainerRemovals;
import io.containerlease.lease.ContainerRuntime;
import io.containerlease.metrics.LeaseMetrics;
import io.containerlease.schedule.RetryLoop;
import io.containerlease.schedule.RetryPolicy;
import io.containerlease.schedule.TaskScheduler;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.PriorityBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes containers until the engine confirms them gone. Removal is idempotent (a container
 * already gone counts as removed), at most one removal per container is under way at a time,
 * concurrency is bounded by the executor it runs on, and a failure is retried with backoff and
 * jitter for as long as it takes: a container is never given up on.
 *
 * <p>Each removal goes to the executor as a {@link Due} task: on an executor whose queue orders
 * them ({@link #prioritised}), the removals waiting go earliest due first, so a hundred leases that
 * expired during a downtime are not held up behind a hundred that came due later, whatever order
 * they were asked in. What waits for a removal (recording the lease ended, telling listeners) runs
 * off the removal threads, so those only ever wait for the engine.
 */
public final class RemovalWorker implements ContainerRemovals {
    private static final Logger log = LoggerFactory.getLogger(RemovalWorker.class);

    private final ContainerRuntime runtime;
    private final Executor executor;
    private final Executor completions;
    private final RetryLoop retries;
    private final LeaseMetrics metrics;
    private final ConcurrentHashMap<String, CompletableFuture<Void>> underWay = new ConcurrentHashMap<>();
    private final AtomicLong asked = new AtomicLong();

    /**
     * @param executor runs the removals themselves; its size bounds how many hit the engine at once
     * @param completions runs what waits for each removal
     * @param scheduler waits out the backoff between attempts
     */
    public RemovalWorker(
            ContainerRuntime runtime,
            Executor executor,
            Executor completions,
            TaskScheduler scheduler,
            RetryPolicy retry,
            RandomGenerator random,
            LeaseMetrics metrics) {
        this.runtime = runtime;
        this.executor = executor;
        this.completions = completions;
        this.retries = new RetryLoop(scheduler, retry, random);
        this.metrics = metrics;
    }

    /** Everything on the caller's thread, in the order asked (tests, tools). */
    public RemovalWorker(
            ContainerRuntime runtime,
            TaskScheduler scheduler,
            RetryPolicy retry,
            RandomGenerator random,
            LeaseMetrics metrics) {
        this(runtime, Runnable::run, Runnable::run, scheduler, retry, random, metrics);
    }

    /** A removal as its executor sees it: ordered by when its container was due to go, then by when it was asked. */
    public record Due(long dueMillis, long asked, Runnable task) implements Runnable, Comparable<Due> {
        @Override
        public void run() {
            task.run();
        }

        @Override
        public int compareTo(Due other) {
            int byDue = Long.compare(dueMillis, other.dueMillis);
            return byDue != 0 ? byDue : Long.compare(asked, other.asked);
        }
    }

    /** {@code threads} removal threads taking the waiting removals earliest due first. */
    public static ExecutorService prioritised(int threads, java.util.concurrent.ThreadFactory factory) {
        return new ThreadPoolExecutor(
                threads, threads, 0, TimeUnit.MILLISECONDS, new PriorityBlockingQueue<>(), factory);
    }

    @Override
    public CompletableFuture<Void> removeUntilGone(String container, Instant due) {
        CompletableFuture<Void> created = new CompletableFuture<>();
        CompletableFuture<Void> existing = underWay.putIfAbsent(container, created);
        if (existing != null) {
            return existing;
        }
        created.whenComplete((ok, error) -> underWay.remove(container, created));
        long dueMillis = due.toEpochMilli();
        retries.start(
                task -> executor.execute(new Due(dueMillis, asked.incrementAndGet(), task)),
                attempt -> {
                    runtime.remove(container);
                    if (attempt > 1) {
                        log.info(
                                "container removed after retries {} {}",
                                kv("container", container),
                                kv("attempts", attempt));
                    }
                    completions.execute(() -> created.complete(null));
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

    @Override
    public boolean underWay() {
        return !underWay.isEmpty();
    }
}
