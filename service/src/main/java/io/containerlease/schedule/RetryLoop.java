package io.containerlease.schedule;

import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one retry loop of the service (container removal, the end of a disconnected or idle lease):
 * runs an attempt; after a failure, waits the policy's backoff for that attempt's number on the
 * scheduler and tries again, until an attempt succeeds or the loop is cancelled. The attempt count
 * lives with each loop, the policy is shared and immutable.
 */
public final class RetryLoop {
    private static final Logger log = LoggerFactory.getLogger(RetryLoop.class);

    /** One try; throwing means it failed and will be tried again. */
    public interface Attempt {
        void run(int attempt);
    }

    /** Hears each failure before the wait, to log or count it. */
    public interface Failure {
        void failed(int attempt, Duration retryIn, RuntimeException error);
    }

    private final TaskScheduler scheduler;
    private final RetryPolicy policy;
    private final RandomGenerator random;

    public RetryLoop(TaskScheduler scheduler, RetryPolicy policy, RandomGenerator random) {
        this.scheduler = scheduler;
        this.policy = policy;
        this.random = random;
    }

    /**
     * Starts a loop: attempt 1 is handed to {@code executor} at once (so with {@code Runnable::run}
     * it has run when this returns), later ones after their backoff. Cancelling stops the attempts
     * still to come; one already running finishes.
     */
    public TaskScheduler.Cancellable start(Executor executor, Attempt attempt, Failure onFailure) {
        Run run = new Run(executor, attempt, onFailure);
        run.submit(1);
        return run;
    }

    private final class Run implements TaskScheduler.Cancellable {
        private final Executor executor;
        private final Attempt attempt;
        private final Failure onFailure;
        private TaskScheduler.Cancellable pending;
        private boolean cancelled;

        Run(Executor executor, Attempt attempt, Failure onFailure) {
            this.executor = executor;
            this.attempt = attempt;
            this.onFailure = onFailure;
        }

        void submit(int n) {
            try {
                executor.execute(() -> run(n));
            } catch (RejectedExecutionException closing) {
                // The service is stopping; the reconcile pass at the next start finishes the job.
                log.warn("retry not started, its executor is closed");
            }
        }

        private void run(int n) {
            synchronized (this) {
                if (cancelled) {
                    return;
                }
            }
            try {
                attempt.run(n);
            } catch (RuntimeException e) {
                Duration wait = policy.delayBefore(n, random);
                onFailure.failed(n, wait, e);
                synchronized (this) {
                    if (!cancelled) {
                        pending = scheduler.schedule(wait, () -> submit(n + 1));
                    }
                }
            }
        }

        @Override
        public synchronized void cancel() {
            cancelled = true;
            if (pending != null) {
                pending.cancel();
            }
        }
    }
}
