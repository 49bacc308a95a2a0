package io.containerlease.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.containerlease.support.ServerProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A server with many live leases stops and starts again: how long from the new process's start
 * until its API answers, how soon after that the leases that expired while it was down are gone,
 * and how late the leases that expire just after the restart end; next to how long the engine takes
 * to remove as many containers by itself (the floor for the second figure).
 */
public final class RestartBench {
    /** {@code leases} in all: a third expire while the server is down, a third just after it is back, a third stay. */
    public record Sizes(int leases) {
        public static final Sizes SMOKE = new Sizes(6);
        public static final Sizes QUICK = new Sizes(90);
        public static final Sizes FULL = new Sizes(500);
    }

    private static final Duration DOWN = Duration.ofSeconds(6);

    private final Sizes sizes;
    private final Path workDir;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    public RestartBench(Sizes sizes, Path workDir) {
        this.sizes = sizes;
        this.workDir = workDir;
    }

    public List<BenchResult> run() throws Exception {
        Path dataDir = workDir.resolve("restart-data");
        Map<String, String> env = Map.of(
                "RECONCILE_INTERVAL_SECONDS", "5", "LOG_LEVEL", System.getenv().getOrDefault("BENCH_LOG", "warn"));
        // As bin/containerlease serve starts it: with the JVM's class-data archive, written when the first server
        // stops.
        List<String> jvm = List.of(
                "-XX:+AutoCreateSharedArchive",
                "-XX:SharedArchiveFile=" + workDir.resolve("restart.jsa"),
                "-Xlog:cds=off,cds+dynamic=off");
        ServerProcess server = BenchServers.startUnready(dataDir, env, jvm).awaitReady(Duration.ofSeconds(90));
        String instance = server.instanceId();
        try (RawDocker raw = new RawDocker("unix:///var/run/docker.sock")) {
            try {
                BenchHttp api = new BenchHttp(server.baseUrl());
                // A third stays; it is made first, which also measures how fast leases are made here.
                int third = Math.max(1, sizes.leases() / 3);
                long t0 = System.nanoTime();
                provision(api, third, () -> 1800L, ConcurrentHashMap.newKeySet());
                double perLease = (System.nanoTime() - t0) / 1e9 / third;
                // The other two thirds: the first due while the server is down, the second just after it is back.
                // Leases cannot be shortened, so their durations are set from when the stop will come.
                Instant stopAt = Instant.now().plusMillis((long) (perLease * 2 * third * 1500) + 2000);
                Instant dueWhileDown = stopAt.plusSeconds(2);
                Instant dueAfter = stopAt.plus(DOWN).plusSeconds(4);
                Set<String> whileDown = ConcurrentHashMap.newKeySet();
                Set<String> after = ConcurrentHashMap.newKeySet();
                provision(
                        api,
                        third,
                        () -> Math.max(
                                1, Duration.between(Instant.now(), dueWhileDown).toSeconds()),
                        whileDown);
                provision(
                        api,
                        third,
                        () -> Math.max(
                                1, Duration.between(Instant.now(), dueAfter).toSeconds()),
                        after);
                Thread.sleep(Math.max(0, Duration.between(Instant.now(), stopAt).toMillis()));
                server.close(); // SIGTERM: an orderly stop; the leases and their containers stay
                Thread.sleep(DOWN.toMillis());

                long spawned = System.nanoTime();
                Instant spawnedAt = Instant.now();
                server = BenchServers.startUnready(dataDir, env, jvm);
                String base = server.baseUrl();
                while (!answers(base + "/api/containers?limit=1")) {
                    Thread.sleep(10);
                }
                double apiOpenSeconds = (System.nanoTime() - spawned) / 1e9;
                Instant apiOpenAt = spawnedAt.plusNanos((long) (apiOpenSeconds * 1e9));
                BenchHttp again = new BenchHttp(base);
                Map<String, JsonNode> leases = new java.util.HashMap<>();
                long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
                while (System.nanoTime() < deadline) {
                    leases.clear();
                    again.allLeases().forEach(l -> leases.put(l.get("id").asText(), l));
                    boolean done = java.util.stream.Stream.concat(whileDown.stream(), after.stream())
                            .allMatch(id -> leases.containsKey(id)
                                    && leases.get(id).get("status").asText().equals("ended"));
                    if (done) {
                        break;
                    }
                    Thread.sleep(
                            1000); // each lease says when it ended: a tighter poll would only take CPU from the engine
                }
                List<Double> goneAfterOpen = new ArrayList<>();
                for (String id : whileDown) {
                    goneAfterOpen.add(Duration.between(
                                            apiOpenAt,
                                            Instant.parse(leases.get(id)
                                                    .get("endedAt")
                                                    .asText()))
                                    .toMillis()
                            / 1000.0);
                }
                List<Double> lagAfter = new ArrayList<>();
                for (String id : after) {
                    JsonNode lease = leases.get(id);
                    lagAfter.add(Duration.between(
                                            Instant.parse(
                                                    lease.get("expiryTime").asText()),
                                            Instant.parse(lease.get("endedAt").asText()))
                                    .toMillis()
                            / 1000.0);
                }
                // The floor: the engine removing as many containers by itself, as many at a time as the server does
                // (REAP_CONCURRENCY 8), from an engine holding as many as the server's catch-up began with: a removal
                // takes the engine longer the more it holds (166 took 4.6-5.0 s from 334 containers, 5.7-5.9 s from
                // 498).
                int bystanders = Math.max(0, 3 * third - raw.countOf(instance) - whileDown.size());
                for (int i = 0; i < bystanders; i++) {
                    raw.createAndStart();
                }
                List<String> rawNames = new ArrayList<>();
                for (int i = 0; i < whileDown.size(); i++) {
                    rawNames.add(raw.createAndStart());
                }
                long removalStart = System.nanoTime();
                List<Callable<Object>> removals = new ArrayList<>();
                rawNames.forEach(name -> removals.add(() -> {
                    raw.remove(name);
                    return null;
                }));
                LeaseBench.allAtOnce(removals, 8);
                double engineRemovalSeconds = (System.nanoTime() - removalStart) / 1e9;

                String detail = 3 * third + " live leases; an orderly stop, " + DOWN.toSeconds() + " s down; "
                        + whileDown.size() + " expired while down, " + after.size() + " expire 4 s after the restart";
                // Those due after the restart wait behind what the engine still has to remove of the first batch when
                // they come due, then take the engine's time for their own batch: the engine's queue.
                double queueAheadSeconds = Math.max(
                        0,
                        apiOpenSeconds
                                + engineRemovalSeconds
                                - Duration.between(spawnedAt, dueAfter).toMillis() / 1000.0);
                return List.of(
                        BenchResult.of(
                                "restart-api-open",
                                apiOpenSeconds,
                                2.0,
                                "s",
                                detail + "; process start to the API answering (goal 2 s)"),
                        BenchResult.of(
                                "restart-expired-gone-p99",
                                Percentiles.of(goneAfterOpen, 99),
                                engineRemovalSeconds,
                                "s",
                                detail
                                        + "; ended minus API open, for those expired while down, vs the engine removing as many "
                                        + "containers 8 at a time from as many on the engine (goal: ratio 1.1)"),
                        BenchResult.of(
                                "restart-expiry-lag-after-p99",
                                Percentiles.of(lagAfter, 99),
                                1.0 + queueAheadSeconds + engineRemovalSeconds,
                                "s",
                                detail + "; ended minus expiry, for those due just after the restart, vs 1 s plus the "
                                        + "engine's queue (what it still had of the first batch when they came due, then as "
                                        + "many removals again, 8 at a time)"));
            } finally {
                java.nio.file.Files.writeString(Path.of("/tmp/restart-server.log"), server.output());
                server.kill9();
                raw.removeInstance(instance);
            }
        }
    }

    private static void provision(BenchHttp api, int count, java.util.function.LongSupplier seconds, Set<String> into)
            throws Exception {
        List<Callable<Object>> work = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            work.add(() -> {
                into.add(api.lease("busybox", seconds.getAsLong()));
                return null;
            });
        }
        LeaseBench.allAtOnce(work, 16);
    }

    private boolean answers(String url) {
        try {
            return http.send(
                                    HttpRequest.newBuilder(URI.create(url))
                                            .timeout(Duration.ofSeconds(2))
                                            .build(),
                                    HttpResponse.BodyHandlers.discarding())
                            .statusCode()
                    == 200;
        } catch (Exception notYet) {
            return false;
        }
    }
}
