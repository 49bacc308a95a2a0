package io.containerlease.runtime.kubernetes;

import static io.containerlease.runtime.kubernetes.KubernetesCalls.call;
import static io.containerlease.runtime.kubernetes.KubernetesCalls.run;

import io.containerlease.lease.ContainerRuntime;
import io.containerlease.lease.ContainerSpec;
import io.containerlease.lease.EngineContainer;
import io.containerlease.lease.ImageSpec;
import io.containerlease.lease.ImageUnavailableException;
import io.containerlease.lease.LeaseConflictException;
import io.containerlease.lease.ManagedContainer;
import io.containerlease.lease.ManagedLabels;
import io.containerlease.lease.RuntimeOperationException;
import io.containerlease.lease.RuntimeUnavailableException;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.PodResource;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@link ContainerRuntime} on a Kubernetes cluster: a lease's container is a bare pod (see
 * {@link LeasePods}), its id the pod's name. What a pod cannot do as a container does:
 *
 * <ul>
 *   <li><b>stop</b> ends the pod's program through its own deadline ({@code activeDeadlineSeconds}
 *       lowered to what has passed), so the kubelet sends SIGTERM, then SIGKILL after the pod's
 *       grace; the pod stays, ended, as a stopped container does.
 *   <li><b>start</b> of an ended pod makes it anew from its own spec under the same name (a pod never
 *       runs twice): the program starts again on an empty filesystem, with the deadline it had.
 *   <li><b>pause</b> does not exist for a pod, and is refused.
 *   <li>The image is pulled by the node that runs the pod: a missing image shows when the pod is made.
 * </ul>
 */
public final class KubernetesContainerRuntime implements ContainerRuntime {
    /** Waiting reasons that mean the image will not come. */
    private static final Set<String> NO_IMAGE =
            Set.of("ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull");
    /** Waiting reasons that mean the pod's spec cannot run as it is. */
    private static final Set<String> CANNOT_RUN = Set.of("CreateContainerConfigError", "CreateContainerError");

    private static final long POLL_MILLIS = 50;
    private static final String CANNOT_PAUSE = "a lease on Kubernetes cannot be paused (a pod has no such state)";

    private final KubernetesClient client;
    private final String namespace;
    private final LeasePods pods;
    private final Duration startTimeout;
    private final InstantSource clock;
    private final KubernetesDeadlines deadlines;
    private final LeaseSecrets secrets;

    /**
     * @param startTimeout how long a pod may take to be scheduled, get its image and start
     */
    public KubernetesContainerRuntime(
            KubernetesClient client,
            String namespace,
            Map<String, String> extraLabels,
            String helperImage,
            String helperInImage,
            Duration startTimeout,
            InstantSource clock) {
        this.client = client;
        this.namespace = namespace;
        this.pods = new LeasePods(namespace, extraLabels, helperImage, helperInImage, clock);
        this.startTimeout = startTimeout;
        this.clock = clock;
        this.deadlines = new KubernetesDeadlines(client, namespace);
        this.secrets = new LeaseSecrets(client, namespace);
    }

    /**
     * Denies all traffic to and from pods whose catalog entry says {@code network: none}: one
     * NetworkPolicy for the namespace, made once (kept when it is there already). Enforced only where
     * the cluster's network plugin enforces NetworkPolicies.
     */
    public void ensureIsolation() {
        var policy = new NetworkPolicyBuilder()
                .withNewMetadata()
                .withName("containerlease-network-none")
                .withNamespace(namespace)
                .endMetadata()
                .withNewSpec()
                .withNewPodSelector()
                .addToMatchLabels(LeasePods.ISOLATED, LeasePods.ISOLATED_VALUE)
                .endPodSelector()
                .withPolicyTypes("Ingress", "Egress")
                .endSpec()
                .build();
        run("make the network policy for isolated leases", () -> {
            var existing = client.network()
                    .v1()
                    .networkPolicies()
                    .inNamespace(namespace)
                    .withName(policy.getMetadata().getName());
            if (existing.get() == null) {
                try {
                    existing.create(policy);
                } catch (KubernetesClientException e) {
                    if (e.getCode() != 409) { // another server made it meanwhile: what was wanted
                        throw e;
                    }
                }
            }
        });
    }

    /** The node that runs a pod pulls its image; the service cannot see a node's images. */
    @Override
    public void ensureImage(ImageSpec spec) {}

    @Override
    public String createAndStart(ContainerSpec spec) {
        Pod pod = pods.podFor(spec);
        Pod created = call(
                "create pod " + spec.name(),
                () -> client.pods().inNamespace(namespace).resource(pod).create());
        if (!spec.secretFiles().isEmpty()) {
            try {
                secrets.create(created, spec.secretFiles());
            } catch (RuntimeException e) {
                remove(spec.name());
                throw e;
            }
        }
        awaitStart(spec.name());
        return spec.name();
    }

    /**
     * Waits until the pod's program runs (or already ended, as a short program's may): a pod that
     * cannot get its image or cannot run is removed and refused; one no node takes in time is removed.
     */
    private void awaitStart(String name) {
        long until = System.nanoTime() + startTimeout.toNanos();
        while (true) {
            Pod pod = call("read pod " + name, () -> resource(name).get());
            if (pod == null) {
                throw new RuntimeOperationException("pod " + name + " went away while it started", null);
            }
            var state = PodStates.engineContainer(pod).state();
            if (state != EngineContainer.State.CREATED) {
                return;
            }
            Optional<String> waiting = PodStates.waitingReason(pod);
            if (waiting.filter(NO_IMAGE::contains).isPresent()) {
                remove(name);
                throw new ImageUnavailableException(
                        "image " + pod.getSpec().getContainers().get(0).getImage() + " for '"
                                + PodLabels.of(pod.getMetadata()).getOrDefault(ManagedLabels.IMAGE_TYPE, "?")
                                + "' cannot be pulled by the cluster",
                        waiting.get(),
                        null);
            }
            if (waiting.filter(CANNOT_RUN::contains).isPresent()) {
                remove(name);
                throw new RuntimeOperationException("the cluster cannot run pod " + name, waiting.get(), null);
            }
            if (System.nanoTime() >= until) {
                remove(name);
                throw new RuntimeUnavailableException(
                        "no node of the cluster started pod " + name + " within " + startTimeout.toSeconds() + " s",
                        null);
            }
            sleep(POLL_MILLIS);
        }
    }

    @Override
    public void remove(String nameOrId) {
        run("remove pod " + nameOrId, () -> {
            resource(nameOrId).withGracePeriod(0).delete();
            // Owned by the pod, so the cluster removes it too; at once here, as nothing may wait on the collector.
            secrets.delete(nameOrId);
        });
    }

    @Override
    public boolean exists(String nameOrId) {
        return call("read pod " + nameOrId, () -> resource(nameOrId).get() != null);
    }

    @Override
    public List<ManagedContainer> listManaged(String instanceId) {
        return call(
                        "list pods",
                        () -> client.pods()
                                .inNamespace(namespace)
                                .withLabel(ManagedLabels.INSTANCE, instanceId)
                                .list()
                                .getItems())
                .stream()
                .map(PodStates::managed)
                .toList();
    }

    @Override
    public Optional<EngineContainer> inspect(String nameOrId) {
        return call(
                        "read pod " + nameOrId,
                        () -> Optional.ofNullable(resource(nameOrId).get()))
                .map(PodStates::engineContainer);
    }

    /**
     * Ends the pod's program by lowering its deadline to the time it has run: the kubelet's SIGTERM,
     * then SIGKILL after {@link LeasePods#GRACE_SECONDS} (the pod's grace, whatever {@code timeout} says).
     */
    @Override
    public void stop(String nameOrId, Duration timeout) {
        Pod pod = call("read pod " + nameOrId, () -> resource(nameOrId).get());
        if (pod == null) {
            throw new RuntimeOperationException("there is no pod " + nameOrId, null);
        }
        if (PodStates.ended(pod)) {
            return;
        }
        run(
                "stop pod " + nameOrId,
                () -> resource(nameOrId)
                        .edit(p -> new PodBuilder(p)
                                .editMetadata()
                                .addToAnnotations(
                                        PodStates.STOPPED_AT, clock.instant().toString())
                                .endMetadata()
                                .editSpec()
                                .withActiveDeadlineSeconds(1L)
                                .endSpec()
                                .build()));
        awaitEnd(nameOrId, Duration.ofSeconds(LeasePods.GRACE_SECONDS + 20));
    }

    private void awaitEnd(String name, Duration within) {
        long until = System.nanoTime() + within.toNanos();
        while (true) {
            Pod pod = call("read pod " + name, () -> resource(name).get());
            if (pod == null || PodStates.ended(pod)) {
                return;
            }
            if (System.nanoTime() >= until) {
                throw new RuntimeUnavailableException(
                        "pod " + name + " did not end within " + within.toSeconds() + " s", null);
            }
            sleep(POLL_MILLIS);
        }
    }

    /** An ended pod is made again from its own spec, under its name, with the deadline it was made with. */
    @Override
    public void start(String nameOrId) {
        Pod old = call("read pod " + nameOrId, () -> resource(nameOrId).get());
        if (old == null) {
            throw new RuntimeOperationException("there is no pod " + nameOrId, null);
        }
        if (!PodStates.ended(old)) {
            return;
        }
        Pod again = anew(old);
        // Kept while the old pod goes: owned by nobody for a moment, then by the new pod.
        boolean hasSecret = secrets.disown(nameOrId);
        run(
                "remove ended pod " + nameOrId,
                () -> resource(nameOrId).withGracePeriod(0).delete());
        awaitGone(nameOrId);
        Pod created = call(
                "create pod " + nameOrId,
                () -> client.pods().inNamespace(namespace).resource(again).create());
        if (hasSecret) {
            secrets.giveTo(created);
        }
        // As a container's start returns once it runs.
        awaitStart(nameOrId);
    }

    private Pod anew(Pod old) {
        Map<String, String> labels = PodLabels.of(old.getMetadata());
        Optional<Instant> deadline =
                Optional.ofNullable(labels.get(ManagedLabels.DEADLINE)).map(Instant::parse);
        if (deadline.isPresent() && !deadline.get().isAfter(clock.instant())) {
            throw new RuntimeOperationException("the container is past its deadline and cannot start again", null);
        }
        Pod again = new PodBuilder(old)
                .withStatus(null)
                .editMetadata()
                .withUid(null)
                .withResourceVersion(null)
                .withCreationTimestamp(null)
                .withDeletionTimestamp(null)
                .withDeletionGracePeriodSeconds(null)
                .withManagedFields(List.of())
                .removeFromAnnotations(PodStates.STOPPED_AT)
                .endMetadata()
                .editSpec()
                .withNodeName(null)
                .endSpec()
                .build();
        again.getSpec()
                .setActiveDeadlineSeconds(deadline.map(pods::secondsUntil).orElse(null));
        return again;
    }

    private void awaitGone(String name) {
        long until = System.nanoTime()
                + Duration.ofSeconds(LeasePods.GRACE_SECONDS + 20).toNanos();
        while (call("read pod " + name, () -> resource(name).get()) != null) {
            if (System.nanoTime() >= until) {
                throw new RuntimeUnavailableException("pod " + name + " was not removed in time to start again", null);
            }
            sleep(POLL_MILLIS);
        }
    }

    @Override
    public void restart(String nameOrId, Duration timeout) {
        stop(nameOrId, timeout);
        start(nameOrId);
    }

    /** A conflict with what the lease is (409), not a failure of the cluster: asking again never helps. */
    @Override
    public void pause(String nameOrId) {
        throw new LeaseConflictException("not_supported", CANNOT_PAUSE);
    }

    @Override
    public void unpause(String nameOrId) {
        throw new LeaseConflictException("not_supported", CANNOT_PAUSE);
    }

    @Override
    public boolean holdDeadline(String nameOrId, Instant deadline) {
        return deadlines.hold(nameOrId, deadline);
    }

    @Override
    public Optional<Instant> heldDeadline(String nameOrId) {
        return deadlines.held(nameOrId);
    }

    @Override
    public void ping() {
        run(
                "answer",
                () -> client.pods()
                        .inNamespace(namespace)
                        .withLabel(ManagedLabels.INSTANCE, "ping")
                        .list());
    }

    @Override
    public void close() {
        client.close();
    }

    private PodResource resource(String name) {
        return client.pods().inNamespace(namespace).withName(name);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RuntimeUnavailableException("interrupted while waiting for a pod", e);
        }
    }
}
