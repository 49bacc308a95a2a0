package io.containerlease.containers;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.containerlease.lease.Caller;
import io.containerlease.lease.ContainerRuntime;
import io.containerlease.lease.Lease;
import io.containerlease.lease.LeaseConflictException;
import io.containerlease.lease.LeaseId;
import io.containerlease.lease.LeaseService;
import io.containerlease.lease.LeaseState;
import io.containerlease.lease.ManagedLabels;
import io.containerlease.lease.RuntimeOperationException;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Start, stop, restart, pause and unpause a lease's container. Each answers once the engine has
 * done it, with the state the engine then reports. The lease's clock is untouched: whatever state
 * its container is in, the lease ends on time and its container goes.
 */
public final class ContainerControl {
    private static final Logger log = LoggerFactory.getLogger(ContainerControl.class);
    /** How long a stop waits for the program to end on SIGTERM before SIGKILL, unless asked otherwise. */
    public static final Duration DEFAULT_STOP_TIMEOUT = Duration.ofSeconds(10);

    public static final Duration MAX_STOP_TIMEOUT = Duration.ofMinutes(5);

    public enum Action {
        START,
        STOP,
        RESTART,
        PAUSE,
        UNPAUSE;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final LeaseService leases;
    private final ContainerRuntime runtime;
    private final ContainerStates states;

    public ContainerControl(LeaseService leases, ContainerRuntime runtime, ContainerStates states) {
        this.leases = leases;
        this.runtime = runtime;
        this.states = states;
    }

    /**
     * Does {@code action} to the lease's container and returns its state afterwards. Asking for the
     * state it is already in changes nothing and succeeds, except unpausing a container that is not
     * paused, which is refused like any other move the engine cannot make from the current state.
     *
     * @param stopTimeout for stop and restart: how long the program has to end before it is killed
     * @throws LeaseConflictException {@code lease_not_running} for a lease that is not running,
     *                                {@code invalid_state} for a move the container cannot make now
     */
    public ContainerStatus apply(LeaseId id, Action action, Optional<Duration> stopTimeout, Caller caller) {
        Lease lease = leases.get(id, caller);
        if (lease.state() != LeaseState.RUNNING) {
            throw new LeaseConflictException(
                    "lease_not_running",
                    "the lease is " + lease.state().wireName()
                            + "; only a running lease's container can be controlled");
        }
        ContainerStatus current = states.refresh(id)
                .orElseThrow(() -> new LeaseConflictException(
                        "lease_not_running", "the lease is ending; its container can no longer be controlled"));
        String container = ManagedLabels.containerName(id);
        Duration timeout = stopTimeout.orElse(DEFAULT_STOP_TIMEOUT);
        ContainerStatus.State state = current.state();
        if (state == ContainerStatus.State.MISSING) {
            throw invalid(action, current, "its container is missing (the lease will end as lost)");
        }
        try {
            switch (action) {
                case STOP -> {
                    if (state == ContainerStatus.State.STOPPED
                            || state == ContainerStatus.State.EXITED
                            || state == ContainerStatus.State.CREATED) {
                        break; // already not running: nothing to do
                    }
                    states.stoppedByApi(id, true);
                    runtime.stop(container, timeout);
                }
                case START -> {
                    if (state == ContainerStatus.State.RUNNING || state == ContainerStatus.State.RESTARTING) {
                        break;
                    }
                    if (state == ContainerStatus.State.PAUSED) {
                        throw invalid(action, current, "unpause it instead");
                    }
                    states.stoppedByApi(id, false);
                    runtime.start(container);
                }
                case RESTART -> {
                    if (state == ContainerStatus.State.PAUSED) {
                        throw invalid(action, current, "unpause it first");
                    }
                    states.stoppedByApi(id, false);
                    runtime.restart(container, timeout);
                }
                case PAUSE -> {
                    if (state == ContainerStatus.State.PAUSED) {
                        break;
                    }
                    if (state != ContainerStatus.State.RUNNING) {
                        throw invalid(action, current, "only a running container can be paused");
                    }
                    runtime.pause(container);
                }
                case UNPAUSE -> {
                    if (state != ContainerStatus.State.PAUSED) {
                        throw invalid(action, current, "only a paused container can be unpaused");
                    }
                    runtime.unpause(container);
                }
            }
        } catch (RuntimeOperationException e) {
            // The engine refused: the container moved meanwhile (its program exited, say). Say what it is now.
            ContainerStatus now = states.refresh(id).orElse(current);
            log.info(
                    "engine refused a container action {} {} {}",
                    kv("leaseId", id.value()),
                    kv("action", action.wireName()),
                    kv("error", e.getMessage()));
            throw invalid(action, now, "the engine refused");
        }
        ContainerStatus after = states.refresh(id)
                .orElseThrow(() -> new LeaseConflictException(
                        "lease_not_running", "the lease ended while its container was being changed"));
        log.info(
                "container {} {} {}",
                kv("action", action.wireName()),
                kv("leaseId", id.value()),
                kv("state", after.state().wireName()));
        return after;
    }

    private static LeaseConflictException invalid(Action action, ContainerStatus current, String why) {
        return new LeaseConflictException(
                "invalid_state",
                "cannot " + action.wireName() + " a container that is "
                        + current.state().wireName() + "; " + why);
    }
}
