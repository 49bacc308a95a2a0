package io.containerlease.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.containerlease.ContainerLeaseServer;
import io.containerlease.config.ServiceConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Provisions served by the warm pool ({@code warm-provision}) next to raw Docker's create+start in
 * the same run: a first burst of back-to-back provisions (what a pool of its floor size serves), then,
 * once the pool has grown with that demand, as many again (the measured figures), then many clients at
 * once, the pool refilling behind them; with the share of provisions the pool served (the rest took
 * the cold path, so they count too).
 */
public final class WarmPoolBench {
    /**
     * How much to measure; {@code pool} is the busybox pool's size; the {@code concurrent} provisions at
     * once are made {@code rounds} times (the pool full again before each), so their p50 is of more than
     * one burst.
     */
    public record Sizes(int sequential, int concurrent, int clients, int pool, int rawSamples, int rounds) {
        public static final Sizes SMOKE = new Sizes(4, 4, 2, 2, 2, 1);
        public static final Sizes QUICK = new Sizes(30, 16, 16, 16, 15, 2);
        public static final Sizes FULL = new Sizes(100, 16, 16, 16, 60, 5);
    }

    private static final String CATALOG = """
            images:
              busybox:
                image: containerlease/busybox:latest
                command: ["sleep", "inf"]
                shell: ["/bin/sh"]
                memoryMb: 128
                cpus: 0.5
                pidsLimit: 64
                pullPolicy: never
                warmPool: %d
                warmPoolMax: %d
            """;

    private final Sizes sizes;
    private final Path workDir;

    public WarmPoolBench(Sizes sizes, Path workDir) {
        this.sizes = sizes;
        this.workDir = workDir;
    }

    public List<BenchResult> run() throws Exception {
        Path catalog = Files.writeString(
                Files.createDirectories(workDir.resolve("pool")).resolve("catalog.yaml"),
                CATALOG.formatted(sizes.pool(), maximum()));
        ServiceConfig config = BenchServers.config(Map.of(
                "PORT",
                "0",
                "DATA_DIR",
                workDir.resolve("pool-data").toString(),
                "IMAGE_CATALOG",
                catalog.toString(),
                "POOL_MAX_TOTAL",
                Integer.toString(maximum())));
        List<BenchResult> results = new ArrayList<>();
        try (RawDocker raw = new RawDocker(config.dockerHost())) {
            List<Double> baseline = new ArrayList<>();
            for (int i = 0; i < sizes.rawSamples(); i++) {
                long t0 = System.nanoTime();
                String name = raw.createAndStart();
                baseline.add((System.nanoTime() - t0) / 1e6);
                raw.remove(name);
            }
            ContainerLeaseServer server = ContainerLeaseServer.start(config);
            try {
                BenchHttp api = new BenchHttp(server.baseUrl());
                awaitFull(api);
                List<String> leases = Collections.synchronizedList(new ArrayList<>());
                // The first burst meets the pool at its floor; its demand raises the target for the next.
                double firstBurstHits = hits(api);
                for (int i = 0; i < sizes.sequential(); i++) {
                    leases.add(api.lease("busybox", 1800));
                }
                firstBurstHits = hits(api) - firstBurstHits;
                release(api, leases);
                long grew = System.nanoTime();
                int grownTo = awaitFull(api);
                double growSeconds = (System.nanoTime() - grew) / 1e9;
                List<Double> sequential = new ArrayList<>();
                List<Double> servedByPool = new ArrayList<>();
                double measuredFrom = hits(api);
                double hitsBefore = measuredFrom;
                for (int i = 0; i < sizes.sequential(); i++) {
                    long t0 = System.nanoTime();
                    leases.add(api.lease("busybox", 1800));
                    double ms = (System.nanoTime() - t0) / 1e6;
                    sequential.add(ms);
                    double hitsAfter = hits(api); // outside the timing: which requests the pool served
                    if (hitsAfter > hitsBefore) {
                        servedByPool.add(ms);
                    }
                    hitsBefore = hitsAfter;
                }
                double afterSequential = hits(api);
                double sequentialHits = afterSequential - measuredFrom;
                release(api, leases);
                awaitFull(api);
                List<Double> concurrent = Collections.synchronizedList(new ArrayList<>());
                // What a burst costs in CPU, the server's and the clients' together (one process here): on this
                // machine's cores its last answer can come no sooner than that CPU time over the cores.
                var os = (com.sun.management.OperatingSystemMXBean)
                        java.lang.management.ManagementFactory.getOperatingSystemMXBean();
                List<Double> burstCpuMs = new ArrayList<>();
                double concurrentHits = 0;
                for (int round = 0; round < sizes.rounds(); round++) {
                    List<Callable<Object>> work = new ArrayList<>();
                    for (int i = 0; i < sizes.concurrent(); i++) {
                        work.add(() -> {
                            long t0 = System.nanoTime();
                            leases.add(api.lease("busybox", 1800));
                            concurrent.add((System.nanoTime() - t0) / 1e6);
                            return null;
                        });
                    }
                    double hitsBeforeBurst = hits(api);
                    long cpu0 = os.getProcessCpuTime();
                    LeaseBench.allAtOnce(work, sizes.clients());
                    burstCpuMs.add((os.getProcessCpuTime() - cpu0) / 1e6);
                    concurrentHits += hits(api) - hitsBeforeBurst;
                    release(api, leases);
                    awaitFull(api);
                }
                String pool = "a busybox pool of floor " + sizes.pool() + ", at most " + maximum()
                        + ", refilling 2 at a time; ";
                String seqDetail = sizes.sequential() + " sequential provisions after a first burst of as many (" + pool
                        + "the first burst's demand raised its target to " + grownTo + ", filled in "
                        + Math.round(growSeconds) + " s); " + Math.round(sequentialHits) + " served by the pool "
                        + "(the rest took the cold path); HTTP request to the 201 of a running lease vs docker-java create+start ("
                        + sizes.rawSamples() + " samples)";
                String conDetail = sizes.rounds() + " rounds of " + sizes.concurrent() + " provisions by "
                        + sizes.clients() + " clients at once, " + pool + Math.round(concurrentHits)
                        + " served by the pool; a round took " + Math.round(Percentiles.of(burstCpuMs, 50))
                        + " ms of CPU (p50; server and clients, one process, "
                        + Runtime.getRuntime().availableProcessors()
                        + " cores); vs docker-java create+start";
                double rawP50 = Percentiles.of(baseline, 50);
                double rawP99 = Percentiles.of(baseline, 99);
                results.add(
                        BenchResult.of("warm-provision-p50", Percentiles.of(sequential, 50), rawP50, "ms", seqDetail));
                results.add(
                        BenchResult.of("warm-provision-p99", Percentiles.of(sequential, 99), rawP99, "ms", seqDetail));
                results.add(BenchResult.of(
                        "warm-provision-served-p99",
                        Percentiles.of(servedByPool, 99),
                        rawP99,
                        "ms",
                        "the " + servedByPool.size() + " of the sequential provisions the pool served"));
                results.add(BenchResult.of(
                        "warm-provision-hit-rate", 100.0 * sequentialHits / sizes.sequential(), 100.0, "%", seqDetail));
                results.add(BenchResult.of(
                        "warm-provision-first-burst-hit-rate",
                        100.0 * firstBurstHits / sizes.sequential(),
                        100.0,
                        "%",
                        "the first " + sizes.sequential() + " back-to-back provisions, the pool at its floor of "
                                + sizes.pool() + " (what a pool of a fixed size serves)"));
                results.add(BenchResult.of(
                        "warm-provision-16-clients-p50", Percentiles.of(concurrent, 50), rawP50, "ms", conDetail));
                results.add(BenchResult.of(
                        "warm-provision-16-clients-p99", Percentiles.of(concurrent, 99), rawP99, "ms", conDetail));
                results.add(BenchResult.of(
                        "warm-provision-16-clients-hit-rate",
                        100.0 * concurrentHits / (sizes.concurrent() * sizes.rounds()),
                        100.0,
                        "%",
                        conDetail));
            } finally {
                server.close();
                raw.removeInstance(server.instanceId());
            }
        }
        return results;
    }

    /** The most the busybox pool may grow to: room for a burst of the sequential size beyond its floor. */
    private int maximum() {
        return sizes.pool() + sizes.sequential();
    }

    /** Waits until the pool holds its target (it may be growing), and answers that target. */
    private static int awaitFull(BenchHttp api) throws Exception {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (System.nanoTime() < deadline) {
            JsonNode pool = api.get("/healthz").at("/warmPool/busybox");
            if (pool.path("waiting").asInt() >= pool.path("target").asInt()) {
                return pool.path("target").asInt();
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the warm pool did not fill within 2 minutes");
    }

    private static double hits(BenchHttp api) throws Exception {
        Matcher m = Pattern.compile("containerlease_pool_hits_total\\{imageType=\"busybox\"} ([0-9.eE+-]+)")
                .matcher(api.text("/metrics"));
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    private static void release(BenchHttp api, List<String> leases) throws Exception {
        for (String id : List.copyOf(leases)) {
            api.release(id);
        }
        leases.clear();
    }
}
