package io.containerlease.bench;

import io.containerlease.lease.ContainerEvents;
import io.containerlease.lease.Lease;
import io.containerlease.lease.LeaseId;
import io.containerlease.lease.ManagedContainer;
import io.containerlease.lease.ManagedLabels;
import io.containerlease.reaper.Reconciler;
import io.containerlease.runtime.kubernetes.KubernetesContainerEvents;
import io.containerlease.runtime.kubernetes.KubernetesContainerRuntime;
import io.containerlease.support.KubernetesMock;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The Kubernetes runtime at scale, simulated on fabric8's API server mock (no cluster runs here): a
 * namespace with thousands of lease pods, how long one reconcile pass takes (list the instance's pods,
 * read them as containers, decide against the live leases), and whether the event watch keeps up with
 * a burst of pod changes. Each next to the raw fabric8 call on the same mock. What it measures is the
 * runtime's own cost and the client's; a real API server (etcd, admission, its own watch cache) has
 * costs of its own that only a real cluster shows.
 */
public final class KubernetesScaleBench {
    public record Sizes(int pods, int changes, Duration burst) {
        public static final Sizes QUICK = new Sizes(2_000, 200, Duration.ofSeconds(2));
        public static final Sizes FULL = new Sizes(10_000, 1_000, Duration.ofSeconds(10));
    }

    private static final String NAMESPACE = "leases";
    private final Sizes sizes;

    public KubernetesScaleBench(Sizes sizes) {
        this.sizes = sizes;
    }

    public List<BenchResult> run() throws Exception {
        List<BenchResult> results = new ArrayList<>();
        try (var mock = KubernetesMock.start()) {
            KubernetesClient client = mock.newClient();
            String instance = "scale-" + java.util.UUID.randomUUID();
            var runtime = new KubernetesContainerRuntime(
                    client,
                    NAMESPACE,
                    Map.of(),
                    "containerlease:bench",
                    "/helper",
                    Duration.ofSeconds(30),
                    InstantSource.system());
            List<Lease> leases = makePods(client, instance, sizes.pods());
            results.add(reconcilePass(client, runtime, instance, leases));
            results.add(watchBurst(client, mock, instance, leases));
        }
        return results;
    }

    /** Pods as the runtime makes them, running, straight through the API (a kubelet would take as long to start them). */
    private static List<Lease> makePods(KubernetesClient client, String instance, int count) throws Exception {
        Random random = new Random(27);
        Instant now = Instant.now();
        List<Lease> leases = new ArrayList<>();
        ExecutorService makers = Executors.newFixedThreadPool(8);
        for (int i = 0; i < count; i++) {
            Lease lease = Lease.provisioning(
                    LeaseId.generate(now, random), "busybox", now, Duration.ofHours(1), Duration.ofHours(2));
            String name = ManagedLabels.containerName(lease.id());
            leases.add(lease.runningIn(name));
            Map<String, String> labels = new HashMap<>();
            ManagedLabels.forLease(lease, instance).forEach((k, v) -> {
                if (!k.equals(ManagedLabels.CREATED_AT) && !k.equals(ManagedLabels.EXPIRES_AT)) {
                    labels.put(k, v);
                }
            });
            makers.execute(() -> {
                Pod pod = client.pods()
                        .inNamespace(NAMESPACE)
                        .resource(new PodBuilder()
                                .withNewMetadata()
                                .withName(name)
                                .withLabels(labels)
                                .endMetadata()
                                .withNewSpec()
                                .addNewContainer()
                                .withName("lease")
                                .withImage("containerlease/busybox:latest")
                                .withCommand("sleep", "inf")
                                .endContainer()
                                .endSpec()
                                .build())
                        .create();
                client.pods().inNamespace(NAMESPACE).withName(name).editStatus(p -> running(p, "Running"));
            });
        }
        makers.shutdown();
        makers.awaitTermination(10, TimeUnit.MINUTES);
        return leases;
    }

    private static Pod running(Pod pod, String phase) {
        String now =
                Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
        return new PodBuilder(pod)
                .withStatus(new PodStatusBuilder()
                        .withPhase(phase)
                        .withStartTime(now)
                        .addNewContainerStatus()
                        .withName("lease")
                        .withNewState()
                        .withNewRunning()
                        .withStartedAt(now)
                        .endRunning()
                        .endState()
                        .withReady(true)
                        .endContainerStatus()
                        .build())
                .build();
    }

    /** One pass: the instance's pods read as containers, and the reconciler's decisions against every live lease. */
    private BenchResult reconcilePass(
            KubernetesClient client, KubernetesContainerRuntime runtime, String instance, List<Lease> leases) {
        List<Double> ours = new ArrayList<>();
        List<Double> raw = new ArrayList<>();
        int decisions = 0;
        for (int round = 0; round < 5; round++) {
            long start = System.nanoTime();
            List<ManagedContainer> containers = runtime.listManaged(instance);
            decisions = Reconciler.decide(new Reconciler.Snapshot(Instant.now(), containers, leases, Set.of()))
                    .size();
            ours.add((System.nanoTime() - start) / 1e6);
            start = System.nanoTime();
            int listed = client.pods()
                    .inNamespace(NAMESPACE)
                    .withLabel(ManagedLabels.INSTANCE, instance)
                    .list()
                    .getItems()
                    .size();
            raw.add((System.nanoTime() - start) / 1e6);
            if (listed != leases.size() || containers.size() != leases.size()) {
                throw new IllegalStateException("listed " + listed + " pods for " + leases.size() + " leases");
            }
        }
        double service = median(ours);
        double baseline = median(raw);
        return BenchResult.of(
                "kubernetes-reconcile-pass-" + leases.size(),
                service,
                baseline,
                "ms",
                "median of 5: list " + leases.size() + " pods, read them as containers, decide against " + leases.size()
                        + " live leases (" + decisions
                        + " actions: none expected); baseline: the same list through fabric8 alone");
    }

    /** A burst of pod changes: how many the event watch delivers, and how late, next to a raw fabric8 watch. */
    private BenchResult watchBurst(KubernetesClient client, KubernetesMock mock, String instance, List<Lease> leases)
            throws Exception {
        Map<String, Instant> changedAt = new ConcurrentHashMap<>();
        List<Double> lags = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Double> rawLags = java.util.Collections.synchronizedList(new ArrayList<>());
        var events = new KubernetesContainerEvents(mock.newClient(), NAMESPACE);
        var handle = events.watch(instance, Instant.now(), new ContainerEvents.Sink() {
            @Override
            public void event(String containerId, Optional<LeaseId> leaseId, String action, Instant at) {
                Instant changed = changedAt.get(containerId);
                if (changed != null) {
                    lags.add(Duration.between(changed, Instant.now()).toNanos() / 1e6);
                }
            }

            @Override
            public void closed(Throwable error) {}
        });
        var raw = mock.newClient()
                .pods()
                .inNamespace(NAMESPACE)
                .withLabel(ManagedLabels.INSTANCE, instance)
                .watch(new Watcher<Pod>() {
                    @Override
                    public void eventReceived(Action action, Pod pod) {
                        Instant changed = changedAt.get(pod.getMetadata().getName());
                        if (changed != null) {
                            rawLags.add(Duration.between(changed, Instant.now()).toNanos() / 1e6);
                        }
                    }

                    @Override
                    public void onClose(WatcherException cause) {}
                });
        Thread.sleep(500);
        long spacing = sizes.burst().toNanos() / sizes.changes();
        long start = System.nanoTime();
        for (int i = 0; i < sizes.changes(); i++) {
            long due = start + i * spacing;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            String name = leases.get(i % leases.size()).containerId();
            String phase = i % 2 == 0 ? "Failed" : "Running";
            changedAt.put(name, Instant.now());
            client.pods().inNamespace(NAMESPACE).withName(name).editStatus(p -> running(p, phase));
        }
        double sent = (System.nanoTime() - start) / 1e9;
        Thread.sleep(2_000);
        handle.close();
        raw.close();
        List<Double> sorted = new ArrayList<>(lags);
        java.util.Collections.sort(sorted);
        List<Double> rawSorted = new ArrayList<>(rawLags);
        java.util.Collections.sort(rawSorted);
        return BenchResult.of(
                "kubernetes-watch-" + sizes.changes() + "-changes",
                percentile(sorted, 99),
                percentile(rawSorted, 99),
                "ms p99 lag",
                String.format(
                        "%d pod changes over %.1f s among %d pods: the event watch delivered %d (p50 %.1f ms, p99 %.1f ms); a raw fabric8 watch %d (p50 %.1f ms)",
                        sizes.changes(),
                        sent,
                        leases.size(),
                        sorted.size(),
                        percentile(sorted, 50),
                        percentile(sorted, 99),
                        rawSorted.size(),
                        percentile(rawSorted, 50)));
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        java.util.Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }

    private static double percentile(List<Double> sorted, int p) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }
}
