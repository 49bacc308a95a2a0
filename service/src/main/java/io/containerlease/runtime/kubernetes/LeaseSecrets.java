package io.containerlease.runtime.kubernetes;

import static io.containerlease.runtime.kubernetes.KubernetesCalls.call;
import static io.containerlease.runtime.kubernetes.KubernetesCalls.run;

import io.containerlease.lease.ManagedLabels;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A lease's secret files on Kubernetes: one immutable Secret per pod, named after it and owned by it,
 * so the cluster removes it with the pod whatever becomes of the service; mounted as files by the pod
 * (see {@link LeasePods}), never written into its spec.
 */
final class LeaseSecrets {
    private final KubernetesClient client;
    private final String namespace;

    LeaseSecrets(KubernetesClient client, String namespace) {
        this.client = client;
        this.namespace = namespace;
    }

    /** Makes the Secret of {@code owner}, a pod just created, with these files. */
    void create(Pod owner, Map<String, String> files) {
        Map<String, String> data = new HashMap<>();
        files.forEach((name, content) ->
                data.put(name, Base64.getEncoder().encodeToString(content.getBytes(StandardCharsets.UTF_8))));
        Map<String, String> labels = new HashMap<>(owner.getMetadata().getLabels());
        labels.keySet().retainAll(Set.of(ManagedLabels.INSTANCE, ManagedLabels.LEASE_ID, ManagedLabels.SERVER));
        String pod = owner.getMetadata().getName();
        var secret = new SecretBuilder()
                .withNewMetadata()
                .withName(LeasePods.secretName(pod))
                .withNamespace(namespace)
                .withLabels(labels)
                .withOwnerReferences(ownedBy(owner))
                .endMetadata()
                .withImmutable(true)
                .withData(data)
                .build();
        run(
                "deliver secret files to " + pod,
                () -> client.secrets().inNamespace(namespace).resource(secret).create());
    }

    /**
     * Takes the pod's Secret from it, so it stays while the pod is made anew; false when the pod has
     * none. (A server that dies before {@link #giveTo} leaves it to the pod's next start or removal.)
     */
    boolean disown(String pod) {
        var secret = client.secrets().inNamespace(namespace).withName(LeasePods.secretName(pod));
        if (call("read the secret of " + pod, () -> secret.get()) == null) {
            return false;
        }
        run(
                "keep the secret of " + pod,
                () -> secret.edit(s -> new SecretBuilder(s)
                        .editMetadata()
                        .withOwnerReferences(List.of())
                        .endMetadata()
                        .build()));
        return true;
    }

    /** Makes {@code owner}, the pod made anew, the owner of its Secret. */
    void giveTo(Pod owner) {
        String pod = owner.getMetadata().getName();
        run(
                "give the secret of " + pod + " to its pod",
                () -> client.secrets()
                        .inNamespace(namespace)
                        .withName(LeasePods.secretName(pod))
                        .edit(s -> new SecretBuilder(s)
                                .editMetadata()
                                .withOwnerReferences(ownedBy(owner))
                                .endMetadata()
                                .build()));
    }

    /** Removes the pod's Secret; one already gone is success. */
    void delete(String pod) {
        run(
                "remove the secret of " + pod,
                () -> client.secrets()
                        .inNamespace(namespace)
                        .withName(LeasePods.secretName(pod))
                        .delete());
    }

    private static OwnerReference ownedBy(Pod owner) {
        return new OwnerReferenceBuilder()
                .withApiVersion("v1")
                .withKind("Pod")
                .withName(owner.getMetadata().getName())
                .withUid(owner.getMetadata().getUid())
                .build();
    }
}
