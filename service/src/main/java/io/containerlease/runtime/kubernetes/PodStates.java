package io.containerlease.runtime.kubernetes;

import io.containerlease.lease.EngineContainer;
import io.containerlease.lease.ManagedContainer;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/** A lease's pod in the core's words: its state as a container's, and what its labels say it is. */
final class PodStates {
    /** On a pod the service ended on request (a stop): its end by deadline was ours, not the lease's. */
    static final String STOPPED_AT = "containerlease.stopped-at";

    private PodStates() {}

    static ManagedContainer managed(Pod pod) {
        return ManagedContainer.fromLabels(
                pod.getMetadata().getName(),
                engineContainer(pod).state() == EngineContainer.State.RUNNING,
                PodLabels.of(pod.getMetadata()));
    }

    /**
     * Pending is {@code created} (scheduled or pulling); Running is {@code running} while the lease's
     * container runs, {@code restarting} while the kubelet brings it back; Succeeded and Failed are
     * {@code exited} (a pod never runs again); Unknown (its node lost) is {@code dead}; a pod being
     * deleted is {@code removing}.
     */
    static EngineContainer engineContainer(Pod pod) {
        var status = pod.getStatus();
        String phase = status == null || status.getPhase() == null ? "Pending" : status.getPhase();
        Optional<ContainerStatus> lease = status == null || status.getContainerStatuses() == null
                ? Optional.empty()
                : status.getContainerStatuses().stream()
                        .filter(c -> LeasePods.CONTAINER.equals(c.getName()))
                        .findFirst();
        var state = lease.map(ContainerStatus::getState);
        var terminated = state.map(s -> s.getTerminated());
        var running = state.map(s -> s.getRunning());
        EngineContainer.State engineState;
        if (pod.getMetadata().getDeletionTimestamp() != null) {
            engineState = EngineContainer.State.REMOVING;
        } else {
            engineState = switch (phase) {
                case "Running" ->
                    running.isPresent()
                            ? EngineContainer.State.RUNNING
                            : terminated.isPresent()
                                            || state.map(s -> s.getWaiting()).isPresent()
                                    ? EngineContainer.State.RESTARTING
                                    : EngineContainer.State.RUNNING;
                case "Succeeded", "Failed" -> EngineContainer.State.EXITED;
                case "Unknown" -> EngineContainer.State.DEAD;
                default -> EngineContainer.State.CREATED;
            };
        }
        boolean ended = engineState == EngineContainer.State.EXITED || engineState == EngineContainer.State.DEAD;
        Optional<Integer> exitCode = ended ? terminated.map(t -> t.getExitCode()) : Optional.empty();
        if (ended && exitCode.isEmpty() && "DeadlineExceeded".equals(status.getReason())) {
            // Ended by its deadline before the kubelet reported the container's own end: killed.
            exitCode = Optional.of(137);
        }
        Optional<Instant> startedAt = running.map(r -> r.getStartedAt())
                .or(() -> terminated.map(t -> t.getStartedAt()))
                .flatMap(PodStates::time);
        boolean hasProbe = pod.getSpec() != null
                && pod.getSpec().getContainers().stream()
                        .anyMatch(c -> LeasePods.CONTAINER.equals(c.getName()) && c.getReadinessProbe() != null);
        Optional<String> health = hasProbe && engineState == EngineContainer.State.RUNNING
                ? Optional.of(lease.map(c -> Boolean.TRUE.equals(c.getReady())).orElse(false) ? "healthy" : "starting")
                : Optional.empty();
        return new EngineContainer(
                pod.getMetadata().getName(),
                engineState,
                exitCode,
                terminated.map(t -> "OOMKilled".equals(t.getReason())).orElse(false),
                startedAt,
                terminated.map(t -> t.getFinishedAt()).flatMap(PodStates::time),
                lease.map(c -> c.getRestartCount() == null ? 0 : c.getRestartCount())
                        .orElse(0),
                health);
    }

    /** Whether the pod will never run again. */
    static boolean ended(Pod pod) {
        var state = engineContainer(pod).state();
        return state == EngineContainer.State.EXITED || state == EngineContainer.State.DEAD;
    }

    /** Why the lease's container waits to start, when it does ({@code ErrImagePull}, say). */
    static Optional<String> waitingReason(Pod pod) {
        if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
            return Optional.empty();
        }
        return pod.getStatus().getContainerStatuses().stream()
                .filter(c -> LeasePods.CONTAINER.equals(c.getName()))
                .map(c -> c.getState() == null ? null : c.getState().getWaiting())
                .filter(java.util.Objects::nonNull)
                .map(w -> w.getReason())
                .filter(java.util.Objects::nonNull)
                .findFirst();
    }

    private static Optional<Instant> time(String raw) {
        if (raw == null || raw.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.parse(raw));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
