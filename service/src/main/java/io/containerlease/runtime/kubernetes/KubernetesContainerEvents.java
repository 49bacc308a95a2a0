package io.containerlease.runtime.kubernetes;

import io.containerlease.lease.ContainerEvents;
import io.containerlease.lease.LeaseId;
import io.containerlease.lease.ManagedLabels;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.io.Closeable;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A watch on the instance's pods as the engine's event stream. Like Docker's, an event says only
 * that a pod changed: the listener asks for its state, and after any break it follows again and
 * asks for every lease's (level-triggered), so the watch's own resumption is not relied on.
 */
public final class KubernetesContainerEvents implements ContainerEvents {
    private final KubernetesClient client;
    private final String namespace;

    public KubernetesContainerEvents(KubernetesClient client, String namespace) {
        this.client = client;
        this.namespace = namespace;
    }

    @Override
    public Closeable watch(String instanceId, Instant since, Sink sink) {
        var ended = new AtomicBoolean();
        Watch watch = KubernetesCalls.call(
                "watch pods",
                () -> client.pods()
                        .inNamespace(namespace)
                        .withLabel(ManagedLabels.INSTANCE, instanceId)
                        .watch(new Watcher<Pod>() {
                            @Override
                            public void eventReceived(Action action, Pod pod) {
                                if (action == Action.BOOKMARK || pod == null || pod.getMetadata() == null) {
                                    return;
                                }
                                String label = PodLabels.of(pod.getMetadata()).get(ManagedLabels.LEASE_ID);
                                Optional<LeaseId> leaseId =
                                        LeaseId.isValid(label) ? Optional.of(new LeaseId(label)) : Optional.empty();
                                sink.event(pod.getMetadata().getName(), leaseId, actionOf(action, pod), Instant.now());
                            }

                            /** The client stops following on its own only after a gap it cannot resume from. */
                            @Override
                            public boolean reconnecting() {
                                return false;
                            }

                            @Override
                            public void onClose(WatcherException cause) {
                                if (ended.compareAndSet(false, true)) {
                                    sink.closed(cause);
                                }
                            }

                            @Override
                            public void onClose() {
                                if (ended.compareAndSet(false, true)) {
                                    sink.closed(null);
                                }
                            }
                        }));
        return () -> {
            watch.close();
            if (ended.compareAndSet(false, true)) {
                sink.closed(null);
            }
        };
    }

    /** The pod's change in the words Docker's events use, for the log. */
    private static String actionOf(Watcher.Action action, Pod pod) {
        return switch (action) {
            case ADDED -> "create";
            case DELETED -> "destroy";
            default ->
                switch (PodStates.engineContainer(pod).state()) {
                    case RUNNING -> "start";
                    case EXITED, DEAD -> "die";
                    default -> "update";
                };
        };
    }
}
