package io.containerlease.schedule;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link TaskScheduler} on one timer thread that only hands due tasks to virtual threads, so a slow
 * task (a store write, a Docker call) never delays the next timer. Every task is wrapped in a
 * catch-all: a scheduled task that throws is logged and the scheduler lives on.
 */
public final class ExecutorTaskScheduler implements TaskScheduler, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ExecutorTaskScheduler.class);

    private final ScheduledThreadPoolExecutor timer;
    private final ExecutorService workers = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("reaper-task-", 0).factory());

    public ExecutorTaskScheduler(String name) {
        timer = new ScheduledThreadPoolExecutor(
                1, Thread.ofPlatform().name(name).daemon(true).factory());
        timer.setRemoveOnCancelPolicy(true);
        timer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    /** After {@link #close()}, tasks are dropped: the next start's reconcile pass covers what they would have done. */
    @Override
    public Cancellable schedule(Duration delay, Runnable task) {
        long nanos = Math.max(0, delay.toNanos());
        try {
            var future = timer.schedule(() -> runOnWorker(task), nanos, TimeUnit.NANOSECONDS);
            return () -> future.cancel(false);
        } catch (RejectedExecutionException closed) {
            log.debug("scheduler closed; task dropped");
            return () -> {};
        }
    }

    private void runOnWorker(Runnable task) {
        try {
            workers.execute(() -> runGuarded(task));
        } catch (RejectedExecutionException closed) {
            log.debug("scheduler closed; due task dropped");
        }
    }

    private static void runGuarded(Runnable task) {
        try {
            task.run();
        } catch (Throwable e) {
            log.error("scheduled task failed; the scheduler carries on", e);
        }
    }

    /** Stops timing new tasks, then waits briefly for tasks already running. */
    @Override
    public void close() {
        timer.shutdownNow();
        workers.shutdown();
        try {
            if (!workers.awaitTermination(10, TimeUnit.SECONDS)) {
                log.warn("scheduled tasks still running after 10 s; leaving them");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
