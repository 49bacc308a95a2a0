package io.containerlease.support;

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
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A kubelet for {@link KubernetesMock}, small and of our own: it runs nothing, but moves each pod of
 * its namespace through the phases a real kubelet reports (Pending, then Running with its containers
 * running, then Failed or Succeeded), and enforces {@code activeDeadlineSeconds} as a kubelet does:
 * a running pod past it ends {@code Failed}, reason {@code DeadlineExceeded}, its containers
 * terminated by SIGTERM (143), and the pod stays until someone deletes it. An image whose name
 * contains {@code missing} never comes ({@code ErrImagePull}); a command {@code exit N} ends by itself
 * with status N. It talks to the API server alone, so it keeps working with every server of ours dead.
 */
public final class FakeKubelet implements AutoCloseable {
    private final KubernetesClient client;
    private final String namespace;
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("fake-kubelet").factory());
    private volatile long transitions;

    public FakeKubelet(KubernetesClient client, String namespace) {
        this.client = client;
        this.namespace = namespace;
        ticker.scheduleWithFixedDelay(this::syncQuietly, 0, 50, TimeUnit.MILLISECONDS);
    }

    /** How many status changes it made, to see it working. */
    public long transitions() {
        return transitions;
    }

    private void syncQuietly() {
        try {
            for (Pod pod : client.pods().inNamespace(namespace).list().getItems()) {
                sync(pod);
            }
        } catch (KubernetesClientException | IllegalStateException e) {
            // the API server is going away (the test ends) or the pod changed under us: the next tick sees
            // it anew, as a kubelet's next sync does
        }
    }

    private void sync(Pod pod) {
        PodStatus status = pod.getStatus();
        String phase = status == null ? null : status.getPhase();
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
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
                end(pod, status, "Failed", 143, "DeadlineExceeded", now);
            } else {
                exitStatus(pod)
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

    /** The status a pod's program ends with by itself, when its command is {@code exit N}. */
    private static java.util.Optional<Integer> exitStatus(Pod pod) {
        List<String> command = pod.getSpec().getContainers().get(0).getCommand();
        int dashes = command.indexOf("--");
        List<String> program = dashes < 0 ? command : command.subList(dashes + 1, command.size());
        if (program.size() == 2
                && program.get(0).equals("exit")
                && program.get(1).matches("\\d{1,3}")) {
            return java.util.Optional.of(Integer.parseInt(program.get(1)));
        }
        return java.util.Optional.empty();
    }

    private static boolean waitingFor(Pod pod, String reason) {
        var statuses = pod.getStatus().getContainerStatuses();
        return statuses != null
                && statuses.stream()
                        .anyMatch(s -> s.getState() != null
                                && s.getState().getWaiting() != null
                                && reason.equals(s.getState().getWaiting().getReason()));
    }

    private static List<ContainerStatus> status(
            Pod pod, io.fabric8.kubernetes.api.model.ContainerState state, boolean ready) {
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
        client.pods()
                .inNamespace(namespace)
                .withName(pod.getMetadata().getName())
                .editStatus(p -> new PodBuilder(p).withStatus(status).build());
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
    }
}
