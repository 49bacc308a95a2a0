package io.containerlease.runtime.kubernetes;

import io.containerlease.lease.ContainerUsage;
import io.containerlease.lease.RuntimeOperationException;
import io.containerlease.lease.UsageStreams;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.Closeable;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@link UsageStreams} from the cluster's metrics API ({@code metrics.k8s.io}, served by
 * metrics-server where the cluster has it): CPU and memory of the lease's container, as often as
 * the API has a new reading (metrics-server measures every 15 s or so). It has no process count nor
 * disk traffic: those are 0. A cluster without the API says so, and the follow ends.
 */
public final class KubernetesUsageStreams implements UsageStreams {
    static final Duration POLL = Duration.ofSeconds(5);

    private final KubernetesClient client;
    private final String namespace;

    public KubernetesUsageStreams(KubernetesClient client, String namespace) {
        this.client = client;
        this.namespace = namespace;
    }

    @Override
    public Closeable follow(String container, Sink sink) {
        var closed = new AtomicBoolean();
        Thread reader = Thread.ofVirtual().name("pod-usage-" + container).start(() -> {
            Throwable error = null;
            try {
                while (!closed.get()) {
                    var pod = client.pods()
                            .inNamespace(namespace)
                            .withName(container)
                            .get();
                    if (pod == null || PodStates.ended(pod)) {
                        break;
                    }
                    var metrics = client.top().pods().metrics(namespace, container);
                    long limit = pod.getSpec().getContainers().stream()
                            .filter(c -> LeasePods.CONTAINER.equals(c.getName()))
                            .map(c -> c.getResources().getLimits().get("memory"))
                            .filter(java.util.Objects::nonNull)
                            .map(q -> Quantity.getAmountInBytes(q).longValue())
                            .findFirst()
                            .orElse(0L);
                    metrics.getContainers().stream()
                            .filter(c -> LeasePods.CONTAINER.equals(c.getName()))
                            .findFirst()
                            .ifPresent(c -> sink.sample(new ContainerUsage(
                                    Instant.parse(metrics.getTimestamp()),
                                    cores(c.getUsage().get("cpu")) * 100,
                                    bytes(c.getUsage().get("memory")),
                                    limit,
                                    0,
                                    0,
                                    0)));
                    Thread.sleep(POLL);
                }
            } catch (KubernetesClientException e) {
                error = e.getCode() == 404
                        ? new RuntimeOperationException(
                                "this cluster has no metrics API (metrics.k8s.io): usage is not available", e)
                        : e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                error = e;
            } finally {
                sink.closed(closed.get() ? null : error);
            }
        });
        return () -> {
            if (closed.compareAndSet(false, true)) {
                reader.interrupt();
            }
        };
    }

    private static double cores(Quantity cpu) {
        return cpu == null
                ? 0
                : Quantity.getAmountInBytes(cpu)
                        .setScale(3, java.math.RoundingMode.HALF_UP)
                        .doubleValue();
    }

    private static long bytes(Quantity memory) {
        return memory == null
                ? 0
                : Quantity.getAmountInBytes(memory).max(BigDecimal.ZERO).longValue();
    }
}
