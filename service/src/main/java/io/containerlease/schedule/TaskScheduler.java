package io.containerlease.schedule;

import java.time.Duration;

/**
 * Runs tasks after a delay. The reaper's timers and retries go through this, so tests can drive
 * them with a fake clock instead of sleeping.
 */
public interface TaskScheduler {
    /** Runs {@code task} once after {@code delay}; a failing task is logged, never fatal to the scheduler. */
    Cancellable schedule(Duration delay, Runnable task);

    /** A handle to a scheduled task. */
    interface Cancellable {
        /** Stops the task from running if it has not started. Idempotent. */
        void cancel();
    }
}
