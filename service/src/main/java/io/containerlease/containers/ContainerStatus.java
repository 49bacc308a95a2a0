package io.containerlease.containers;

import io.containerlease.lease.EngineContainer;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * A lease's container as a user sees it, which is more than the engine says: the engine reports a
 * container stopped through the API and one whose program ended by itself alike ({@code exited});
 * the service knows which it stopped.
 */
public record ContainerStatus(
        State state,
        Optional<Integer> exitCode,
        boolean oomKilled,
        Optional<Instant> startedAt,
        Optional<Instant> finishedAt,
        int restartCount,
        Optional<Health> health) {

    public enum State {
        CREATED,
        RUNNING,
        PAUSED,
        /** Stopped through the API. */
        STOPPED,
        /** Its program ended by itself (or was killed, say for memory). */
        EXITED,
        RESTARTING,
        /** The engine has no such container (the reconciler ends such a lease as lost). */
        MISSING;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public enum Health {
        STARTING,
        HEALTHY,
        UNHEALTHY;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public static final ContainerStatus MISSING = new ContainerStatus(
            State.MISSING, Optional.empty(), false, Optional.empty(), Optional.empty(), 0, Optional.empty());

    public ContainerStatus {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(exitCode, "exitCode");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(finishedAt, "finishedAt");
        Objects.requireNonNull(health, "health");
    }

    /**
     * The user's view of what the engine reports.
     *
     * @param stoppedByApi whether the service stopped this container (and has not started it since)
     */
    public static ContainerStatus of(Optional<EngineContainer> engine, boolean stoppedByApi) {
        if (engine.isEmpty()) {
            return MISSING;
        }
        EngineContainer c = engine.get();
        State state = switch (c.state()) {
            case CREATED -> State.CREATED;
            case RUNNING -> State.RUNNING;
            case PAUSED -> State.PAUSED;
            case RESTARTING -> State.RESTARTING;
            case EXITED, DEAD -> stoppedByApi ? State.STOPPED : State.EXITED;
            case REMOVING -> State.MISSING;
        };
        boolean finished = state == State.STOPPED || state == State.EXITED;
        Optional<Health> health = state == State.RUNNING || state == State.PAUSED
                ? c.health().flatMap(ContainerStatus::health)
                : Optional.empty();
        return new ContainerStatus(
                state,
                finished ? c.exitCode() : Optional.empty(),
                c.oomKilled(),
                c.startedAt(),
                finished ? c.finishedAt() : Optional.empty(),
                c.restartCount(),
                health);
    }

    private static Optional<Health> health(String engine) {
        return switch (engine) {
            case "starting" -> Optional.of(Health.STARTING);
            case "healthy" -> Optional.of(Health.HEALTHY);
            case "unhealthy" -> Optional.of(Health.UNHEALTHY);
            default -> Optional.empty();
        };
    }

    /** The same, with a process in it killed for memory. */
    public ContainerStatus killedForMemory() {
        return new ContainerStatus(state, exitCode, true, startedAt, finishedAt, restartCount, health);
    }

    /** Whether a shell can be started in it. */
    public boolean acceptsShells() {
        return state == State.RUNNING;
    }
}
