package io.containerlease.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.containerlease.config.ImageCatalog;
import io.containerlease.lease.Caller;
import io.containerlease.lease.LeasePolicy;
import io.containerlease.lease.LeaseService;
import io.containerlease.lease.ProvisionRequest;
import io.containerlease.lease.Quota;
import io.containerlease.lease.Redactor;
import io.containerlease.metrics.LeaseMetrics;
import io.containerlease.reaper.ExpiryTimers;
import io.containerlease.reaper.RemovalWorker;
import io.containerlease.reaper.RetentionPurge;
import io.containerlease.schedule.ExecutorTaskScheduler;
import io.containerlease.schedule.RetryPolicy;
import io.containerlease.store.sqlite.SqliteLeaseStore;
import io.containerlease.support.FakeRuntime;
import io.containerlease.support.ServerProcess;
import io.containerlease.support.WsClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;

/**
 * Memory: the server's resident set (a process of its own) with no lease and with many real leases;
 * and the store with the timers alone, on an engine that does nothing, at a hundred thousand leases:
 * memory per lease and expiry lag must stay flat as the count grows.
 */
public final class FootprintBench {

    public record Sizes(int realLeases, int fakeLeases, int floodLeases, int floodSeconds) {
        public static final Sizes SMOKE = new Sizes(2, 1_000, 2, 2);
        public static final Sizes QUICK = new Sizes(50, 20_000, 20, 10);
        public static final Sizes FULL = new Sizes(500, 100_000, 50, 20);
    }

    private final Sizes sizes;
    private final Path workDir;

    public FootprintBench(Sizes sizes, Path workDir) {
        this.sizes = sizes;
        this.workDir = workDir;
    }

    public List<BenchResult> run() throws Exception {
        List<BenchResult> results = new ArrayList<>(serverResidentMemory());
        results.add(logFloodPeakMemory());
        results.addAll(storeAndTimersAtScale());
        return results;
    }

    private List<BenchResult> serverResidentMemory() throws Exception {
        try (ServerProcess server = BenchServers.start(workDir.resolve("footprint-data"), Map.of());
                RawDocker raw = new RawDocker("unix:///var/run/docker.sock")) {
            BenchHttp api = new BenchHttp(server.baseUrl());
            api.release(api.lease("busybox", 1800)); // warm the paths up once
            System.gc();
            Thread.sleep(1000);
            double idle = server.residentMiB();
            List<Callable<Object>> work = new ArrayList<>();
            List<String> ids = java.util.Collections.synchronizedList(new ArrayList<>());
            for (int i = 0; i < sizes.realLeases(); i++) {
                work.add(() -> ids.add(api.lease("busybox", 3600)));
            }
            LeaseBench.allAtOnce(work, 8);
            Thread.sleep(1000);
            double loaded = server.residentMiB();
            LeaseBench.allAtOnce(
                    ids.stream()
                            .<Callable<Object>>map(id -> () -> api.release(id))
                            .toList(),
                    16);
            raw.removeInstance(server.instanceId());
            return List.of(
                    BenchResult.of(
                            "footprint-rss-idle",
                            idle,
                            idle,
                            "MiB",
                            "server resident memory with no lease (baseline: itself)"),
                    BenchResult.of(
                            "footprint-rss-" + sizes.realLeases(),
                            loaded,
                            idle,
                            "MiB",
                            "with " + sizes.realLeases() + " live leases and containers; ratio to idle"));
        }
    }

    /**
     * Every lease prints as fast as it can while a reader that never reads holds its log socket open:
     * the server's log buffers and send queues must stay within their budgets. The peak resident set,
     * sampled throughout, next to the same server's before the flood.
     */
    private BenchResult logFloodPeakMemory() throws Exception {
        Path catalog = workDir.resolve("flood-catalog.yaml");
        java.nio.file.Files.writeString(catalog, """
                images:
                  flood:
                    image: containerlease/busybox:latest
                    command: ["sh", "-c", "while :; do echo %s; done"]
                    pullPolicy: never
                    memoryMb: 32
                    cpus: 0.2
                    logMaxSizeMb: 5
                    logMaxFiles: 1
                """.formatted("x".repeat(1000)));
        try (ServerProcess server =
                        BenchServers.start(workDir.resolve("flood-data"), Map.of("IMAGE_CATALOG", catalog.toString()));
                RawDocker raw = new RawDocker("unix:///var/run/docker.sock")) {
            BenchHttp api = new BenchHttp(server.baseUrl());
            System.gc();
            Thread.sleep(1000);
            double before = server.residentMiB();
            List<WsClient> readers = new ArrayList<>();
            double peak = before;
            try {
                for (int i = 0; i < sizes.floodLeases(); i++) {
                    String id = api.lease("flood", 1800);
                    readers.add(WsClient.stalled(server.baseUrl().replaceFirst("^http", "ws") + "/ws/logs/" + id));
                }
                long end = System.nanoTime()
                        + Duration.ofSeconds(sizes.floodSeconds()).toNanos();
                while (System.nanoTime() < end) {
                    peak = Math.max(peak, server.residentMiB());
                    Thread.sleep(250);
                }
            } finally {
                readers.forEach(WsClient::close);
                for (JsonNode lease : api.allLeases()) {
                    api.release(lease.get("id").asText());
                }
                raw.removeInstance(server.instanceId());
            }
            return BenchResult.of(
                    "log-flood-peak-rss",
                    peak,
                    before,
                    "MiB",
                    sizes.floodLeases()
                            + " leases printing 1 KB lines as fast as they can, each with a reader that never reads, "
                            + sizes.floodSeconds() + " s; peak resident memory vs the same server before");
        }
    }

    private List<BenchResult> storeAndTimersAtScale() throws Exception {
        InstantSource clock = InstantSource.system();
        Random random = new Random(7);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        LeaseMetrics metrics = new LeaseMetrics(registry);
        FakeRuntime runtime = FakeRuntime.forgetful();
        try (SqliteLeaseStore store = SqliteLeaseStore.inMemory();
                ExecutorTaskScheduler scheduler = new ExecutorTaskScheduler("bench-timers")) {
            var removals = new RemovalWorker(runtime, scheduler, RetryPolicy.REMOVAL, random, metrics);
            var leases = new LeaseService(
                    store,
                    new LeaseService.Containers(
                            ImageCatalog.builtIn(), runtime, io.containerlease.lease.LeaseResources.NONE, removals),
                    new LeaseService.Rules(
                            new LeasePolicy(Duration.ofSeconds(1), Duration.ofDays(1)),
                            Quota.UNLIMITED,
                            Duration.ofSeconds(5)),
                    new ExpiryTimers(scheduler, clock),
                    clock,
                    random,
                    metrics,
                    new Redactor());
            int n = sizes.fakeLeases();
            int tenth = Math.max(1, n / 10);
            double perLeaseAtTenth = 0;
            long base = usedHeap();
            // All expire together, about when the last is created (n / 5000 s), so the timers fire under full load.
            long expiresInSeconds = 10 + n / 5_000;
            for (int i = 1; i <= n; i++) {
                leases.provision(
                        new ProvisionRequest("busybox", Duration.ofSeconds(expiresInSeconds), Map.of()),
                        Caller.ANONYMOUS_ADMIN);
                if (i == tenth) {
                    perLeaseAtTenth = (usedHeap() - base) / (double) tenth;
                }
            }
            double perLeaseAtAll = (usedHeap() - base) / (double) n;
            long deadline = System.nanoTime()
                    + Duration.ofSeconds(expiresInSeconds + 120).toNanos();
            while (store.countLive() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(500);
            }
            var startLag = registry.get("containerlease.expiry.start.lag").summary();
            // Every lease has ended now: what the store holds for them, and what forgetting them costs.
            long endedBytes = store.usedBytes();
            InstantSource monthLater = () -> clock.instant().plus(Duration.ofDays(31));
            long purgeStart = System.nanoTime();
            var purged = new RetentionPurge(store, store.activityLog(), scheduler, monthLater, Duration.ofDays(30))
                    .runOnce();
            double purgeSeconds = (System.nanoTime() - purgeStart) / 1e9;
            return List.of(
                    BenchResult.of(
                            "store-ended-leases-MiB",
                            endedBytes / 1048576.0,
                            store.usedBytes() / 1048576.0,
                            "MiB",
                            n + " ended leases in SQLite, next to the same store after the retention purge"),
                    BenchResult.of(
                            "store-purge-seconds",
                            purgeSeconds,
                            1.0,
                            "s",
                            "RETENTION_DAYS purge of " + purged.leases()
                                    + " ended leases, in batches of 5,000 (baseline: a second)"),
                    BenchResult.of(
                            "store-timers-bytes-per-lease",
                            perLeaseAtAll,
                            perLeaseAtTenth,
                            "B",
                            "heap per lease at " + n + " leases vs at " + tenth
                                    + " (flat means ratio near 1); no-op engine, in-memory SQLite"),
                    BenchResult.of(
                            "store-timers-expiry-lag-max",
                            startLag.max(),
                            1.0,
                            "s",
                            n
                                    + " leases expiring together; removal start minus expiry, worst case (baseline: the 1 s goal); "
                                    + store.countLive() + " left"));
        }
    }

    private static long usedHeap() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }
}
