package io.containerlease;

import io.containerlease.config.RuntimeChoice;
import io.containerlease.config.ServiceConfig;
import io.containerlease.runtime.kubernetes.KubernetesCodeEngine;
import io.containerlease.runtime.kubernetes.KubernetesContainerEvents;
import io.containerlease.runtime.kubernetes.KubernetesContainerRuntime;
import io.containerlease.runtime.kubernetes.KubernetesContainerStreams;
import io.containerlease.runtime.kubernetes.KubernetesUsageStreams;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.time.InstantSource;

/** The Kubernetes runtime: every engine port on pods in one namespace of a cluster. */
final class KubernetesAssembly {
    private KubernetesAssembly() {}

    static Engine connect(ServiceConfig config, Started started) {
        RuntimeChoice choice = config.runtime();
        KubernetesClient client = started.add(
                new KubernetesClientBuilder().withConfig(clusterConfig(choice)).build());
        var runtime = new KubernetesContainerRuntime(
                client,
                choice.namespace(),
                config.containerLabels(),
                choice.helperImage(),
                RuntimeChoice.HELPER_IN_IMAGE,
                config.imagePullTimeout(),
                InstantSource.system());
        try {
            runtime.ping();
            runtime.ensureIsolation();
        } catch (io.containerlease.lease.RuntimeUnavailableException
                | io.containerlease.lease.RuntimeOperationException e) {
            throw new StartupException(
                    "Cannot use namespace '" + choice.namespace() + "' of the Kubernetes cluster "
                            + choice.kubeconfig()
                                    .map(p -> "that KUBECONFIG=" + p + " names")
                                    .orElse("this pod runs in")
                            + " (" + e.getMessage() + ").\n"
                            + "Check the cluster answers, the namespace exists and the service's account has the rules in deploy/kubernetes/rbac.yaml.",
                    e);
        }
        String engineId = "kubernetes " + client.getMasterUrl() + " namespace " + choice.namespace();
        return new Engine(
                runtime,
                new KubernetesContainerStreams(client, choice.namespace()),
                new KubernetesContainerEvents(client, choice.namespace()),
                new KubernetesUsageStreams(client, choice.namespace()),
                new KubernetesCodeEngine(
                        client,
                        choice.namespace(),
                        config.containerLabels(),
                        config.codeMaxBytes() * io.containerlease.program.code.CodeArchive.EXPANSION),
                () -> engineId,
                version(client));
    }

    private static Config clusterConfig(RuntimeChoice choice) {
        if (choice.kubeconfig().isEmpty()) {
            return Config.autoConfigure(null);
        }
        try {
            return Config.fromKubeconfig(Files.readString(choice.kubeconfig().get()));
        } catch (IOException | RuntimeException e) {
            throw new StartupException(
                    "KUBECONFIG=" + choice.kubeconfig().get() + " cannot be read as a kubeconfig (" + e.getMessage()
                            + ")",
                    e);
        }
    }

    private static String version(KubernetesClient client) {
        try {
            return "kubernetes " + client.getKubernetesVersion().getGitVersion();
        } catch (RuntimeException e) {
            return "kubernetes (version not told)";
        }
    }
}
