package io.containerlease.cli.client;

import java.time.Duration;

/** The waits between attempts to reconnect: doubling from the first up to a ceiling, the first again after {@link #reset()}. */
final class Backoff {
    private final Duration first;
    private final Duration max;
    private Duration next;

    Backoff(Duration first, Duration max) {
        this.first = first;
        this.max = max;
        this.next = first;
    }

    /** How long to wait before this attempt. */
    Duration next() {
        Duration now = next;
        Duration doubled = next.multipliedBy(2);
        next = doubled.compareTo(max) > 0 ? max : doubled;
        return now;
    }

    void reset() {
        next = first;
    }
}
