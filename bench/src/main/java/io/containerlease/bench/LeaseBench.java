package io.containerlease.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.containerlease.ContainerLeaseServer;
import io.containerlease.config.ServiceConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Lease lifecycle figures next to raw Docker, in one run: cold provision, throughput, bulk release
 * and expiry lag, against a server of its own (own data directory, port and containers).
 */
public final class LeaseBench {

    /** How much to measure. */
    public record Sizes(int coldSamples, int throughputLeases, int clients, int expiryLeases, int expiryWindowSeconds) {
        public static final Sizes SMOKE = new Sizes(2, 4, 2, 4, 3);
        public static final Sizes QUICK = new Sizes(15, 32, 16, 60, 10);
        /** 300 cold samples: a p99 needs a few hundred to say more than its worst sample. */
        public static final Sizes FULL = new Sizes(300, 100, 16, 200, 10);
    }

    private final Sizes sizes;
    private final Path workDir;
    /** Empty: the server keeps its leases in SQLite; else the Redis it uses as its store. */
    private final java.util.Optional<String> redisUrl;

    public LeaseBench(Sizes sizes, Path workDir) {
        this(sizes, workDir, java.util.Optional.empty());
    }

    /**
     * @param redisUrl a Redis for the server's store: then only cold provision and throughput are
     *                 measured, named {@code …-redis}, to set next to the SQLite figures of the same run
     */
    public LeaseBench(Sizes sizes, Path workDir, java.util.Optional<String> redisUrl) {
        this.sizes = sizes;
        this.workDir = workDir;
        this.redisUrl = redisUrl;
    }

    public List<BenchResult> run() throws Exception {
        Map<String, String> env = new java.util.HashMap<>(Map.of(
                "PORT",
                "0",
                "AUTH",
                "off",
                "DATA_DIR",
                workDir.resolve(redisUrl.isPresent() ? "lease-data-redis" : "lease-data")
                        .toString(),
                "LOG_LEVEL",
                "warn",
                "MAX_LEASES_PER_USER",
                "100000",
                "MAX_LEASES",
                "100000",
                "RATE_LIMIT_PER_MINUTE",
                "1000000"));
        redisUrl.ifPresent(url -> env.put("STORE", url));
        ServiceConfig config = BenchServers.config(env);
        List<BenchResult> results = new ArrayList<>();
        try (RawDocker raw = new RawDocker(config.dockerHost())) {
            ContainerLeaseServer server = ContainerLeaseServer.start(config);
            try {
                BenchHttp api = new BenchHttp(server.baseUrl());
                results.addAll(coldProvision(api, raw));
                List<String> leases = new ArrayList<>();
                List<String> rawNames = new ArrayList<>();
                results.add(throughput(api, raw, leases, rawNames));
                if (redisUrl.isPresent()) {
                    for (String id : leases) {
                        api.release(id);
                    }
                    rawNames.forEach(raw::remove);
                    return results.stream()
                            .map(r -> r.named(r.name() + "-redis"))
                            .toList();
                }
                results.add(bulkRelease(api, raw, leases, rawNames));
                results.addAll(expiryLag(api));
            } finally {
                server.close();
                raw.removeInstance(server.instanceId());
            }
        }
        return results;
    }

    private List<BenchResult> coldProvision(BenchHttp api, RawDocker raw) throws Exception {
        List<Double> service = new ArrayList<>();
        List<Double> baseline = new ArrayList<>();
        for (int i = 0; i < sizes.coldSamples(); i++) {
            long t0 = System.nanoTime();
            String id = api.lease("busybox", 1800);
            service.add((System.nanoTime() - t0) / 1e6);
            t0 = System.nanoTime();
            String name = raw.createAndStart();
            baseline.add((System.nanoTime() - t0) / 1e6);
            api.release(id);
            raw.remove(name);
        }
        String detail =
                sizes.coldSamples() + " sequential, interleaved; HTTP request to running vs docker-java create+start";
        return List.of(
                BenchResult.of(
                        "cold-provision-p50", Percentiles.of(service, 50), Percentiles.of(baseline, 50), "ms", detail),
                BenchResult.of(
                        "cold-provision-p99", Percentiles.of(service, 99), Percentiles.of(baseline, 99), "ms", detail));
    }

    /**
     * Raw, service, service, raw, each a half of the leases: every container made stays until the bulk
     * release, and an engine holding more containers creates more slowly, so whichever side went second
     * used to pay for the first side's containers. In this order both meet, on average, as many.
     */
    private BenchResult throughput(BenchHttp api, RawDocker raw, List<String> leases, List<String> rawNames)
            throws Exception {
        int n = sizes.throughputLeases();
        Callable<Object> rawTask = () -> {
            String name = raw.createAndStart();
            synchronized (rawNames) {
                rawNames.add(name);
            }
            return null;
        };
        Callable<Object> serviceTask = () -> {
            String id = api.lease("busybox", 1800);
            synchronized (leases) {
                leases.add(id);
            }
            return null;
        };
        long rawNanos = timed(n / 2, rawTask);
        long serviceNanos = timed(n / 2, serviceTask);
        serviceNanos += timed(n - n / 2, serviceTask);
        rawNanos += timed(n - n / 2, rawTask);
        double baseline = n / (rawNanos / 1e9);
        double service = n / (serviceNanos / 1e9);
        return BenchResult.of(
                "throughput",
                service,
                baseline,
                "prov/s",
                n + " leases by " + sizes.clients() + " concurrent clients vs " + sizes.clients()
                        + " threads of create+start, in halves ordered raw, service, service, raw");
    }

    private BenchResult bulkRelease(BenchHttp api, RawDocker raw, List<String> leases, List<String> rawNames)
            throws Exception {
        long t0 = System.nanoTime();
        allAtOnce(
                rawNames.stream()
                        .<Callable<Object>>map(name -> () -> {
                            raw.remove(name);
                            return null;
                        })
                        .toList(),
                sizes.clients());
        double baseline = (System.nanoTime() - t0) / 1e6;
        t0 = System.nanoTime();
        allAtOnce(
                leases.stream()
                        .<Callable<Object>>map(id -> () -> {
                            int status = api.release(id);
                            if (status != 200) {
                                throw new IllegalStateException("release answered " + status);
                            }
                            return null;
                        })
                        .toList(),
                leases.size());
        double service = (System.nanoTime() - t0) / 1e6;
        return BenchResult.of(
                "bulk-release",
                service,
                baseline,
                "ms",
                leases.size() + " DELETEs at once (answered once each container is gone) vs " + sizes.clients()
                        + " threads of forced remove");
    }

    /**
     * Leases set to expire within one window. Service: when removal started, and when it finished,
     * after each expiry. Baseline: what a reaper polling every minute (the seed's) would give on
     * average and at worst, since expiries fall uniformly between its polls.
     */
    private List<BenchResult> expiryLag(BenchHttp api) throws Exception {
        int n = sizes.expiryLeases();
        // Provision first (at ~6 a second), then let them all expire inside the window.
        Instant windowStart = Instant.now().plusSeconds((long) Math.ceil(n / 4.0) + 10);
        ConcurrentLinkedQueue<String> created = new ConcurrentLinkedQueue<>();
        leaseExpiringWithin(api, n, windowStart, sizes.expiryWindowSeconds(), sizes.clients(), created);
        Thread.sleep(Math.max(0, Duration.between(Instant.now(), windowStart).toMillis())
                + sizes.expiryWindowSeconds() * 1000L
                + 5000);
        List<Double> doneLag = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (doneLag.size() < created.size() && System.nanoTime() < deadline) {
            doneLag.clear();
            for (JsonNode lease : api.allLeases()) {
                if (created.contains(lease.get("id").asText()) && lease.has("endedAt")) {
                    doneLag.add(Duration.between(
                                            Instant.parse(
                                                    lease.get("expiryTime").asText()),
                                            Instant.parse(lease.get("endedAt").asText()))
                                    .toMillis()
                            / 1000.0);
                }
            }
            Thread.sleep(500);
        }
        String metrics = api.text("/metrics");
        double startP50 = quantile(metrics, "containerlease_expiry_start_lag_seconds", "0.5");
        double startP99 = quantile(metrics, "containerlease_expiry_start_lag_seconds", "0.99");
        String detail = created.size() + " leases expiring within " + sizes.expiryWindowSeconds()
                + " s; baseline: a reaper polling every 60 s (the seed's) waits 30 s on average, 59.4 s at p99";
        return List.of(
                BenchResult.of("expiry-lag-start-p50", startP50, 30.0, "s", detail),
                BenchResult.of("expiry-lag-start-p99", startP99, 59.4, "s", detail),
                BenchResult.of(
                        "expiry-lag-gone-p99",
                        Percentiles.of(doneLag, 99),
                        59.4,
                        "s",
                        "container removed minus expiry; " + doneLag.size() + " of " + created.size() + " ended"));
    }

    /**
     * Makes {@code n} busybox leases by {@code clients} at once, due evenly over the window that opens at
     * {@code windowStart}: leases cannot be shortened, so each one's duration is set from when it is made.
     */
    static void leaseExpiringWithin(
            BenchHttp api,
            int n,
            Instant windowStart,
            int windowSeconds,
            int clients,
            java.util.Collection<String> into)
            throws Exception {
        List<Callable<Object>> work = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long offsetMs = (long) windowSeconds * 1000 * i / Math.max(1, n);
            work.add(() -> {
                long seconds = Math.max(
                        1,
                        Duration.between(Instant.now(), windowStart.plusMillis(offsetMs))
                                .toSeconds());
                into.add(api.lease("busybox", seconds));
                return null;
            });
        }
        allAtOnce(work, clients);
    }

    /** A summary's quantile from the server's {@code /metrics} text. */
    static double quantile(String prometheus, String metric, String q) {
        Matcher m = Pattern.compile(Pattern.quote(metric) + "\\{quantile=\"" + Pattern.quote(q) + "\"} ([0-9.eE+-]+)")
                .matcher(prometheus);
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }

    /** Nanoseconds for {@code n} runs of {@code task} by the bench's clients at once. */
    private long timed(int n, Callable<Object> task) throws Exception {
        List<Callable<Object>> work = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            work.add(task);
        }
        long t0 = System.nanoTime();
        allAtOnce(work, sizes.clients());
        return System.nanoTime() - t0;
    }

    static void allAtOnce(List<Callable<Object>> work, int threads) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads));
        try {
            List<Future<Object>> futures = pool.invokeAll(work);
            for (Future<Object> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
