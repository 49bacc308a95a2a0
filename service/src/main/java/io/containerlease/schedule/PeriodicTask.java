package io.containerlease.schedule;

import java.time.Duration;
import java.util.function.Consumer;

/**
 * Runs a body again and again on a {@link TaskScheduler}: first after {@code firstDelay}, then
 * {@code interval} after each run ends (so runs never overlap). A run that throws is handed to
 * {@code onFailure} and the next one still comes. Closing stops what is scheduled; idempotent.
 */
public final class PeriodicTask implements AutoCloseable {
    private final TaskScheduler scheduler;
    private final Duration interval;
    private final Runnable body;
    private final Consumer<RuntimeException> onFailure;
    private volatile TaskScheduler.Cancellable next;
    private volatile boolean closed;

    public PeriodicTask(
            TaskScheduler scheduler, Duration interval, Runnable body, Consumer<RuntimeException> onFailure) {
        this.scheduler = scheduler;
        this.interval = interval;
        this.body = body;
        this.onFailure = onFailure;
    }

    public void start(Duration firstDelay) {
        schedule(firstDelay);
    }

    private void schedule(Duration delay) {
        if (closed) {
            return;
        }
        next = scheduler.schedule(delay, () -> {
            try {
                body.run();
            } catch (RuntimeException e) {
                onFailure.accept(e);
            } finally {
                schedule(interval);
            }
        });
    }

    public boolean closed() {
        return closed;
    }

    @Override
    public void close() {
        closed = true;
        TaskScheduler.Cancellable pending = next;
        if (pending != null) {
            pending.cancel();
        }
    }
}
