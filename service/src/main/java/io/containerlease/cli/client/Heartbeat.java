package io.containerlease.cli.client;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;

/**
 * When a socket last heard from the server. The service pings every socket every 20 s, so a minute
 * without a frame or a ping means the connection is dead though no close came (a laptop that slept,
 * a network that dropped packets instead of connections): the client ends it and makes it again,
 * as ssh's ServerAliveInterval does.
 */
final class Heartbeat {
    static final Duration DEAD_AFTER = Duration.ofSeconds(60);
    private static final long CHECK_EVERY_MS = 5_000;

    private final LongSupplier nanoTime;
    private volatile long lastHeard;

    Heartbeat() {
        this(System::nanoTime);
    }

    Heartbeat(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
        this.lastHeard = nanoTime.getAsLong();
    }

    /** Something came from the server: a frame, a ping. */
    void heard() {
        lastHeard = nanoTime.getAsLong();
    }

    boolean silent() {
        return nanoTime.getAsLong() - lastHeard > DEAD_AFTER.toNanos();
    }

    /**
     * Waits for {@code end}; if the server falls silent first, runs {@code abort} (which should end
     * the connection) and answers {@code silence}.
     */
    <T> T await(CompletableFuture<T> end, Runnable abort, T silence) throws InterruptedException, ExecutionException {
        while (true) {
            try {
                return end.get(CHECK_EVERY_MS, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                if (silent()) {
                    abort.run();
                    return silence;
                }
            }
        }
    }
}
