package io.containerlease.runtime;

import io.containerlease.lease.ContainerEvents;
import io.containerlease.lease.ContainerRuntime;
import io.containerlease.lease.ContainerStreams;
import io.containerlease.lease.ImageSpec;
import io.containerlease.runtime.kubernetes.KubernetesContainerEvents;
import io.containerlease.runtime.kubernetes.KubernetesContainerRuntime;
import io.containerlease.runtime.kubernetes.KubernetesContainerStreams;
import io.containerlease.support.FakeKubelet;
import io.containerlease.support.ImageSpecs;
import io.containerlease.support.KubernetesMock;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/**
 * The runtime contract on Kubernetes: fabric8's API server mock (CRUD, label selectors, watches)
 * with our fake kubelet moving pods through their phases and enforcing {@code activeDeadlineSeconds}.
 * It proves the API calls and how the runtime reads what a kubelet reports; what a real kubelet and
 * container runtime do with the pod (the helper as PID 1, limits, seccomp) needs a real cluster
 * ({@code KubernetesClusterIT}).
 */
class KubernetesRuntimeContractTest extends ContainerRuntimeContract {
    static final String NAMESPACE = "leases";
    private static KubernetesMock mock;
    private static FakeKubelet kubelet;

    private final KubernetesContainerRuntime runtime = new KubernetesContainerRuntime(
            mock.newClient(),
            NAMESPACE,
            Map.of("team", "labs"),
            "containerlease:test",
            "/opt/containerlease/helper/containerlease-helper",
            Duration.ofSeconds(20),
            InstantSource.system());
    private final KubernetesContainerEvents events = new KubernetesContainerEvents(mock.newClient(), NAMESPACE);
    private final KubernetesContainerStreams streams = new KubernetesContainerStreams(mock.newClient(), NAMESPACE);

    @BeforeAll
    static void startCluster() {
        mock = KubernetesMock.start();
        kubelet = FakeKubelet.start(mock, NAMESPACE);
    }

    @AfterAll
    static void stopCluster() {
        kubelet.close();
        mock.close();
    }

    @AfterEach
    void removeWhatWasMade() {
        runtime.listManaged(instance).forEach(c -> runtime.remove(c.containerId()));
    }

    @Override
    protected ContainerRuntime runtime() {
        return runtime;
    }

    @Override
    protected ContainerEvents events() {
        return events;
    }

    @Override
    protected ContainerStreams streams() {
        return streams;
    }

    @Override
    protected ImageSpec exitingWithThree() {
        return ImageSpecs.withCommand(ImageSpecs.busybox(), List.of("sh", "-c", "exit 3"));
    }
}
