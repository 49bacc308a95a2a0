package io.containerlease.lease;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What the engine says of one container right now, in its own terms (it cannot tell a container
 * stopped on request from one whose program ended: both are {@code EXITED}).
 *
 * @param health the engine's health status ({@code starting}, {@code healthy}, {@code unhealthy}), when the
 *               container has a health check
 */
public record EngineContainer(
        String id,
        State state,
        Optional<Integer> exitCode,
        boolean oomKilled,
        Optional<Instant> startedAt,
        Optional<Instant> finishedAt,
        int restartCount,
        Optional<String> health) {

    /** The engine's own container states. */
    public enum State {
        CREATED,
        RUNNING,
        PAUSED,
        RESTARTING,
        EXITED,
        DEAD,
        REMOVING
    }

    public EngineContainer {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(exitCode, "exitCode");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(finishedAt, "finishedAt");
        Objects.requireNonNull(health, "health");
    }
}
