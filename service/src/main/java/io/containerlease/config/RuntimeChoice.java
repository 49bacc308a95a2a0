package io.containerlease.config;

/**
 * Where leases run: containers on one Docker engine (DOCKER_HOST), or pods in one namespace of a
 * Kubernetes cluster (KUBECONFIG, or the pod's own service account when the service runs inside).
 *
 * @param namespace   KUBERNETES_NAMESPACE: where lease pods go (the Kubernetes runtime only)
 * @param helperImage KUBERNETES_HELPER_IMAGE: an image holding our helper at
 *     {@value #HELPER_IN_IMAGE}, copied into each pod by an init container (the service's own image has it)
 * @param kubeconfig  KUBECONFIG: the file that says where the cluster is and who the service is there;
 *     without it, the service account of the pod the service runs in
 */
public record RuntimeChoice(
        Kind kind, String namespace, String helperImage, java.util.Optional<java.nio.file.Path> kubeconfig) {
    /** Where the service's image keeps the helper (the Dockerfile puts it there). */
    public static final String HELPER_IN_IMAGE = "/opt/containerlease/helper/containerlease-helper";

    public static final RuntimeChoice DOCKER =
            new RuntimeChoice(Kind.DOCKER, "default", "containerlease:latest", java.util.Optional.empty());

    public enum Kind {
        DOCKER,
        KUBERNETES
    }
}
