package io.containerlease.runtime;

import io.containerlease.lease.ContainerEvents;
import io.containerlease.lease.ContainerRuntime;
import io.containerlease.lease.ContainerStreams;
import io.containerlease.lease.ImageSpec;
import io.containerlease.runtime.kubernetes.KubernetesContainerEvents;
import io.containerlease.runtime.kubernetes.KubernetesContainerRuntime;
import io.containerlease.runtime.kubernetes.KubernetesContainerStreams;
import io.containerlease.support.ImageSpecs;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * The runtime contract on a real cluster, which these machines do not have: skipped unless
 * {@code KUBECONFIG} names one (kind, k3s, any). It needs {@code KUBERNETES_HELPER_IMAGE}, an image the
 * cluster can pull with our helper at /opt/containerlease/helper/containerlease-helper (the Dockerfile's
 * image), and runs busybox ({@code KUBERNETES_TEST_IMAGE}, default busybox:1.36) in
 * {@code KUBERNETES_NAMESPACE} (default {@code default}). See the README's Kubernetes section.
 */
@EnabledIfEnvironmentVariable(named = "KUBECONFIG", matches = ".+")
class KubernetesClusterIT extends ContainerRuntimeContract {
    private static final String NAMESPACE = env("KUBERNETES_NAMESPACE", "default");
    private final KubernetesClient client = connect();
    private final KubernetesContainerRuntime runtime = new KubernetesContainerRuntime(
            client,
            NAMESPACE,
            Map.of(),
            env("KUBERNETES_HELPER_IMAGE", "containerlease:latest"),
            "/opt/containerlease/helper/containerlease-helper",
            Duration.ofMinutes(3),
            InstantSource.system());

    private static KubernetesClient connect() {
        try {
            String kubeconfig = Files.readString(Path.of(System.getenv("KUBECONFIG")));
            return new KubernetesClientBuilder()
                    .withConfig(Config.fromKubeconfig(kubeconfig))
                    .build();
        } catch (java.io.IOException e) {
            throw new IllegalStateException("KUBECONFIG cannot be read", e);
        }
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
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
        return new KubernetesContainerEvents(client, NAMESPACE);
    }

    @Override
    protected ContainerStreams streams() {
        return new KubernetesContainerStreams(client, NAMESPACE);
    }

    @Override
    protected ImageSpec sleeper() {
        ImageSpec busybox = ImageSpecs.withImage(
                ImageSpecs.busybox(), env("KUBERNETES_TEST_IMAGE", "busybox:1.36"), List.of("sleep", "3600"));
        return ImageSpecs.withPullPolicy(busybox, ImageSpec.PullPolicy.IF_NOT_PRESENT);
    }

    @Override
    protected ImageSpec exitingWithThree() {
        return ImageSpecs.withCommand(sleeper(), List.of("sh", "-c", "exit 3"));
    }
}
