package io.containerlease.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.containerlease.support.ServerProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Many leases on one host (busybox, no warm pool), each figure next to the engine doing the same by
 * itself in the same run: as many containers made by 16 threads of create+start, then removed 8 at
 * a time (the reaper's concurrency); then the leases provisioned by 16 clients, the lease list asked
 * for with all of them live, the server's resident memory, and all of them expiring within a window:
 * how late their removal starts and how fast they go. A reader of the event stream follows it all
 * and says whether it heard every lease start and end, and how late.
 */
public final class ScaleBench {
    /** {@code leases} live at once, by {@code clients}; they expire within {@code expiryWindowSeconds}. */
    public record Sizes(int leases, int clients, int expiryWindowSeconds, int listSamples) {
        public static final Sizes SMOKE = new Sizes(6, 2, 3, 5);
        public static final Sizes QUICK = new Sizes(100, 16, 10, 50);
        /**
         * 8 clients, not the 16 of the smaller sizes: 16 create+start at once wedged this machine's engine
         * (docker.io 20.10, a lock in its network controller) at about 480 containers.
         */
        public static final Sizes FULL = new Sizes(1000, 8, 10, 200);
    }

    private final Sizes sizes;
    private final Path workDir;

    public ScaleBench(Sizes sizes, Path workDir) {
        this.sizes = sizes;
        this.workDir = workDir;
    }

    public List<BenchResult> run() throws Exception {
        int n = sizes.leases();
        try (RawDocker raw = new RawDocker("unix:///var/run/docker.sock")) {
            // The engine alone: as many containers made by as many threads, then removed as the reaper would.
            List<String> rawNames = Collections.synchronizedList(new ArrayList<>());
            long t0 = System.nanoTime();
            LeaseBench.allAtOnce(
                    Collections.nCopies(n, (Callable<Object>) () -> rawNames.add(raw.createAndStart())),
                    sizes.clients());
            double rawMadePerSecond = n / ((System.nanoTime() - t0) / 1e9);
            t0 = System.nanoTime();
            LeaseBench.allAtOnce(
                    rawNames.stream()
                            .<Callable<Object>>map(name -> () -> {
                                raw.remove(name);
                                return null;
                            })
                            .toList(),
                    8);
            double rawRemovedPerSecond = n / ((System.nanoTime() - t0) / 1e9);

            try (ServerProcess server =
                    BenchServers.start(workDir.resolve("scale-data"), Map.of("POOL_MAX_TOTAL", "0"))) {
                try (EventTally events = new EventTally(server.baseUrl(), "lease.running,lease.ended")) {
                    BenchHttp api = new BenchHttp(server.baseUrl());
                    // All of them due within the window, which opens once they are made and listed: leases cannot be
                    // shortened, so each one's duration is set from when it is made.
                    Instant windowStart =
                            Instant.now().plusSeconds((long) Math.ceil(n / Math.max(1, rawMadePerSecond) * 1.5) + 30);
                    Set<String> ids = ConcurrentHashMap.newKeySet();
                    t0 = System.nanoTime();
                    LeaseBench.leaseExpiringWithin(
                            api, n, windowStart, sizes.expiryWindowSeconds(), sizes.clients(), ids);
                    double madePerSecond = n / ((System.nanoTime() - t0) / 1e9);

                    List<Double> listMs = new ArrayList<>();
                    for (int i = 0; i < sizes.listSamples(); i++) {
                        long l0 = System.nanoTime();
                        api.get("/api/containers");
                        listMs.add((System.nanoTime() - l0) / 1e6);
                    }
                    System.gc();
                    double rss = server.residentMiB();

                    Thread.sleep(Math.max(
                                    0,
                                    Duration.between(Instant.now(), windowStart).toMillis())
                            + sizes.expiryWindowSeconds() * 1000L);
                    Map<String, JsonNode> ended = new java.util.HashMap<>();
                    long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
                    while (ended.size() < ids.size() && System.nanoTime() < deadline) {
                        Thread.sleep(1000); // each lease says when it ended: a tighter poll only takes the engine's CPU
                        for (JsonNode lease : api.allLeases()) {
                            if (ids.contains(lease.get("id").asText()) && lease.has("endedAt")) {
                                ended.put(lease.get("id").asText(), lease);
                            }
                        }
                    }
                    Instant firstDue = ended.values().stream()
                            .map(l -> Instant.parse(l.get("expiryTime").asText()))
                            .min(Instant::compareTo)
                            .orElse(windowStart);
                    Instant lastGone = ended.values().stream()
                            .map(l -> Instant.parse(l.get("endedAt").asText()))
                            .max(Instant::compareTo)
                            .orElse(windowStart);
                    double goneSeconds = Duration.between(firstDue, lastGone).toMillis() / 1000.0;
                    // Removals can go no faster than the expiries come: the window is the floor of the time taken.
                    double removedPerSecond = ended.size() / Math.max(goneSeconds, 1e-3);
                    double floorSeconds = Math.max(sizes.expiryWindowSeconds(), n / rawRemovedPerSecond);
                    double startP99 = LeaseBench.quantile(
                            api.text("/metrics"), "containerlease_expiry_start_lag_seconds", "0.99");

                    Thread.sleep(1000); // the last ends' events are on their way
                    int heard = events.heard("lease.running", ids) + events.heard("lease.ended", ids);

                    String detail = n + " busybox leases by " + sizes.clients() + " clients, no warm pool";
                    return List.of(
                            BenchResult.of(
                                    "scale-throughput",
                                    madePerSecond,
                                    rawMadePerSecond,
                                    "prov/s",
                                    detail + "; vs as many docker-java create+start by as many threads (goal 0.95)"),
                            BenchResult.of(
                                    "scale-list-p99",
                                    Percentiles.of(listMs, 99),
                                    50.0,
                                    "ms",
                                    detail + "; GET /api/containers with all of them live, " + sizes.listSamples()
                                            + " in a row (goal 50 ms)"),
                            BenchResult.of(
                                    "scale-rss",
                                    rss,
                                    400.0,
                                    "MiB",
                                    detail + "; server resident memory with all of them live (goal 400 MiB)"),
                            BenchResult.of(
                                    "scale-expiry-start-p99",
                                    startP99,
                                    0.1,
                                    "s",
                                    detail + "; all due within " + sizes.expiryWindowSeconds()
                                            + " s; removal start minus expiry (goal 100 ms)"),
                            BenchResult.of(
                                    "scale-expiry-gone",
                                    goneSeconds,
                                    floorSeconds,
                                    "s",
                                    detail + "; first expiry to the last container gone, " + ended.size() + " of " + n
                                            + " ended (" + Math.round(removedPerSecond)
                                            + "/s); vs the longer of the window"
                                            + " and the engine removing as many 8 at a time ("
                                            + Math.round(rawRemovedPerSecond) + "/s; goal: ratio 1.1)"),
                            BenchResult.of(
                                    "scale-events-heard",
                                    heard,
                                    2.0 * n,
                                    "events",
                                    detail
                                            + "; lease.running and lease.ended heard by one reader of GET /api/events, of "
                                            + 2 * n + "; " + events.lost()
                                            + " told dropped or not replayable (goal: all)"),
                            BenchResult.of(
                                    "scale-events-lag-p99",
                                    events.lagMsPercentile(99),
                                    1000.0,
                                    "ms",
                                    detail + "; an event's arrival at that reader minus its own time (goal 1 s)"));
                } finally {
                    raw.removeInstance(server.instanceId());
                }
            }
        }
    }
}
