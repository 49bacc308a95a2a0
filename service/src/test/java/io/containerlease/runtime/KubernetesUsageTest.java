package io.containerlease.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.containerlease.lease.ContainerSpec;
import io.containerlease.lease.ContainerUsage;
import io.containerlease.lease.Lease;
import io.containerlease.lease.LeaseId;
import io.containerlease.lease.ManagedLabels;
import io.containerlease.lease.RuntimeOperationException;
import io.containerlease.lease.UsageStreams;
import io.containerlease.runtime.kubernetes.KubernetesContainerRuntime;
import io.containerlease.runtime.kubernetes.KubernetesUsageStreams;
import io.containerlease.support.FakeKubelet;
import io.containerlease.support.ImageSpecs;
import io.containerlease.support.KubernetesMock;
import io.fabric8.mockwebserver.http.MockResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Usage on Kubernetes: from the metrics API where the cluster serves it, said plainly where it does not. */
@Timeout(60)
class KubernetesUsageTest {
    private static final String NAMESPACE = "leases";
    private final KubernetesMock mock = KubernetesMock.start();
    private final FakeKubelet kubelet = FakeKubelet.start(mock, NAMESPACE);
    private final KubernetesContainerRuntime runtime = new KubernetesContainerRuntime(
            mock.newClient(),
            NAMESPACE,
            Map.of(),
            "containerlease:test",
            "/helper",
            Duration.ofSeconds(20),
            InstantSource.system());
    private final KubernetesUsageStreams usage = new KubernetesUsageStreams(mock.newClient(), NAMESPACE);

    @AfterEach
    void stop() {
        kubelet.close();
        mock.close();
    }

    @Test
    void aSampleIsTheLeaseContainersCpuAndMemoryAgainstItsLimit() throws Exception {
        String pod = lease();
        mock.handle(request ->
                request.getPath().equals("/apis/metrics.k8s.io/v1beta1/namespaces/" + NAMESPACE + "/pods/" + pod)
                        ? Optional.of(new MockResponse().setResponseCode(200).setBody("""
                        {"kind":"PodMetrics","apiVersion":"metrics.k8s.io/v1beta1",
                         "metadata":{"name":"%s","namespace":"%s"},
                         "timestamp":"2026-12-04T10:00:00Z","window":"15s",
                         "containers":[
                           {"name":"install-helper","usage":{"cpu":"900m","memory":"1Gi"}},
                           {"name":"lease","usage":{"cpu":"250m","memory":"10Mi"}}]}
                        """.formatted(pod, NAMESPACE)))
                        : Optional.empty());
        var first = new CompletableFuture<ContainerUsage>();

        try (var follow = usage.follow(pod, sink(first, new CompletableFuture<>()))) {
            ContainerUsage sample = first.get(20, TimeUnit.SECONDS);
            assertThat(sample.at()).isEqualTo(Instant.parse("2026-12-04T10:00:00Z"));
            assertThat(sample.cpuPercent()).isEqualTo(25.0);
            assertThat(sample.memoryBytes()).isEqualTo(10L << 20);
            assertThat(sample.memoryLimitBytes()).isEqualTo(ImageSpecs.busybox().memoryMb() << 20);
        }
    }

    @Test
    void aClusterWithoutTheMetricsApiSaysSo() throws Exception {
        String pod = lease();
        var closed = new CompletableFuture<Throwable>();

        try (var follow = usage.follow(pod, sink(new CompletableFuture<>(), closed))) {
            assertThat(closed.get(20, TimeUnit.SECONDS))
                    .isInstanceOf(RuntimeOperationException.class)
                    .hasMessageContaining("this cluster has no metrics API (metrics.k8s.io)");
        }
    }

    private String lease() {
        Instant now = Instant.now();
        Lease lease = Lease.provisioning(
                LeaseId.generate(now, new Random()), "busybox", now, Duration.ofMinutes(5), Duration.ofHours(1));
        return runtime.createAndStart(new ContainerSpec(
                ManagedLabels.containerName(lease.id()),
                ImageSpecs.busybox(),
                Map.of(),
                ManagedLabels.forLease(lease, "usage-" + now.toEpochMilli())));
    }

    private static UsageStreams.Sink sink(
            CompletableFuture<ContainerUsage> first, CompletableFuture<Throwable> closed) {
        return new UsageStreams.Sink() {
            @Override
            public void sample(ContainerUsage usage) {
                first.complete(usage);
            }

            @Override
            public void closed(Throwable error) {
                closed.complete(error);
            }
        };
    }
}
