package io.containerlease.support;

import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A kubelet for {@link KubernetesMock}, small and of our own. It moves each pod of its namespace
 * through the phases a real kubelet reports (Pending, then Running with its container running,
 * then Succeeded or Failed) and enforces {@code activeDeadlineSeconds} as a kubelet does: a running
 * pod past it ends {@code Failed}, reason {@code DeadlineExceeded}, its program sent SIGTERM (143),
 * and the pod stays until someone deletes it. An image whose name contains {@code missing} never
 * comes ({@code ErrImagePull}).
 *
 * <p>It also plays our helper, PID 1 of the pod's container, for its deadline: the {@code --deadline}
 * of the pod's command is the cap, {@code deadline EPOCH} lines through the pod's attach move it (never
 * past the cap), the helper's {@code held} answers it through exec, and at it the program ends and the
 * pod {@code Succeeded} (the helper exits 0).
 *
 * <p>With programs ({@link #start}), each pod's program (its command after our helper's {@code --})
 * runs as a local process of the test: its output, with timestamps, is the pod's log, its exit status
 * the container's, and the pod's exec endpoint runs commands as local processes too
 * ({@link PodProcesses}). Without ({@link #statusOnly}), nothing runs and pods run until their
 * deadline or deletion, for a cluster of thousands. It talks to the API server alone, so it keeps
 * working with every server of ours dead.
 */
public final class FakeKubelet implements AutoCloseable {
    private final KubernetesClient client;
    private final String namespace;
    private final Optional<PodProcesses> processes;
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("fake-kubelet").factory());
    /** The statuses written, by pod uid: what this kubelet last said, so a sync changes only what moved. */
    private final Map<String, String> said = new ConcurrentHashMap<>();

    private volatile long transitions;
    /** When set, the helpers it plays never end a pod at their deadline (a frozen or broken helper). */
    private volatile boolean helpersFail;

    private FakeKubelet(KubernetesMock mock, String namespace, boolean programs) {
        this.client = mock.newClient();
        this.namespace = namespace;
        this.processes = programs ? Optional.of(new PodProcesses(mock, namespace)) : Optional.empty();
        ticker.scheduleWithFixedDelay(this::syncQuietly, 0, 50, TimeUnit.MILLISECONDS);
    }

    /** A kubelet that runs each pod's program as a local process and answers exec and log requests. */
    public static FakeKubelet start(KubernetesMock mock, String namespace) {
        return new FakeKubelet(mock, namespace, true);
    }

    /** A kubelet that only moves statuses: pods run until their deadline or deletion. */
    public static FakeKubelet statusOnly(KubernetesMock mock, String namespace) {
        return new FakeKubelet(mock, namespace, false);
    }

    /** The terminal sizes exec streams were sent, as the JSON a kubelet reads ({"Width":…,"Height":…}). */
    public List<String> resizes() {
        return processes.map(p -> List.copyOf(p.resizes)).orElse(List.of());
    }

    /** The deadline the helper of pod {@code name} holds now, when it holds one. */
    public Optional<Instant> heldDeadline(String name) {
        return processes.map(p -> p.held(name)).filter(at -> at >= 0).map(Instant::ofEpochSecond);
    }

    /** From now on every exec and attach stream takes this long to open, as on a busy node. */
    public void delayStreams(java.time.Duration delay) {
        processes.ifPresent(p -> p.streamDelay = delay);
    }

    /** From now on our helper ends nothing at its deadline, as if frozen: only the kubelet's own deadline is left. */
    public void helpersFail() {
        helpersFail = true;
    }

    /** How many status changes it made, to see it working. */
    public long transitions() {
        return transitions;
    }

    private void syncQuietly() {
        try {
            Set<String> present = new HashSet<>();
            for (Pod pod : client.pods().inNamespace(namespace).list().getItems()) {
                present.add(pod.getMetadata().getUid());
                try {
                    sync(pod);
                } catch (RuntimeException e) {
                    // one pod it cannot make sense of must not stop it for every other (a kubelet goes on too)
                }
            }
            processes.ifPresent(p -> p.keepOnly(present));
            said.keySet().retainAll(present);
        } catch (KubernetesClientException | IllegalStateException e) {
            // the API server is going away (the test ends) or the pod changed under us: the next tick sees
            // it anew, as a kubelet's next sync does
        }
    }

    private void sync(Pod pod) {
        PodStatus status = pod.getStatus();
        String phase = status == null ? null : status.getPhase();
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        String uid = pod.getMetadata().getUid();
        if (phase == null) {
            boolean missing = pod.getSpec().getContainers().get(0).getImage().contains("missing");
            write(
                    pod,
                    new PodStatusBuilder()
                            .withPhase("Pending")
                            .withContainerStatuses(status(
                                    pod,
                                    new ContainerStateBuilder()
                                            .withNewWaiting()
                                            .withReason(missing ? "ErrImagePull" : "ContainerCreating")
                                            .endWaiting()
                                            .build(),
                                    false))
                            .build());
        } else if (phase.equals("Pending") && !waitingFor(pod, "ErrImagePull")) {
            processes.ifPresent(p -> p.run(pod));
            write(
                    pod,
                    new PodStatusBuilder()
                            .withPhase("Running")
                            .withStartTime(now.toString())
                            .withContainerStatuses(status(
                                    pod,
                                    new ContainerStateBuilder()
                                            .withNewRunning()
                                            .withStartedAt(now.toString())
                                            .endRunning()
                                            .build(),
                                    true))
                            .build());
        } else if (phase.equals("Running")) {
            Long deadline = pod.getSpec().getActiveDeadlineSeconds();
            Instant started = Instant.parse(status.getStartTime());
            if (deadline != null && !now.isBefore(started.plusSeconds(deadline))) {
                processes.ifPresent(p -> p.terminate(uid));
                end(pod, status, "Failed", 143, "DeadlineExceeded", now);
            } else if (!helpersFail
                    && processes.map(p -> p.helperDeadlinePassed(uid)).orElse(false)) {
                // our helper, PID 1, ends the container at the deadline it holds, and exits 0
                processes.get().terminate(uid);
                end(pod, status, "Succeeded", 0, null, now);
            } else {
                processes
                        .flatMap(p -> p.exitStatus(uid))
                        .ifPresent(code -> end(pod, status, code == 0 ? "Succeeded" : "Failed", code, null, now));
            }
        }
    }

    private void end(Pod pod, PodStatus status, String phase, int exitCode, String reason, Instant now) {
        write(
                pod,
                new PodStatusBuilder(status)
                        .withPhase(phase)
                        .withReason(reason)
                        .withMessage(
                                reason == null ? null : "Pod was active on the node longer than the specified deadline")
                        .withContainerStatuses(status(
                                pod,
                                new ContainerStateBuilder()
                                        .withNewTerminated()
                                        .withExitCode(exitCode)
                                        .withReason(exitCode == 0 ? "Completed" : "Error")
                                        .withStartedAt(status.getStartTime())
                                        .withFinishedAt(now.toString())
                                        .endTerminated()
                                        .build(),
                                false))
                        .build());
    }

    private static boolean waitingFor(Pod pod, String reason) {
        var statuses = pod.getStatus().getContainerStatuses();
        return statuses != null
                && statuses.stream()
                        .anyMatch(s -> s.getState() != null
                                && s.getState().getWaiting() != null
                                && reason.equals(s.getState().getWaiting().getReason()));
    }

    private static List<ContainerStatus> status(Pod pod, ContainerState state, boolean ready) {
        var container = pod.getSpec().getContainers().get(0);
        return List.of(new ContainerStatusBuilder()
                .withName(container.getName())
                .withImage(container.getImage())
                .withReady(ready)
                .withRestartCount(0)
                .withState(state)
                .build());
    }

    private void write(Pod pod, PodStatus status) {
        String uid = pod.getMetadata().getUid();
        String phase = status.getPhase() + "/" + status.getReason();
        if (phase.equals(said.get(uid))) {
            return;
        }
        client.pods()
                .inNamespace(namespace)
                .withName(pod.getMetadata().getName())
                .editStatus(p -> new PodBuilder(p).withStatus(status).build());
        said.put(uid, phase);
        transitions++;
    }

    @Override
    public void close() {
        ticker.shutdownNow();
        try {
            ticker.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        processes.ifPresent(PodProcesses::close);
    }
}
