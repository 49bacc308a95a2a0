package io.containerlease.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Event;
import io.containerlease.lease.ManagedLabels;
import io.containerlease.runtime.docker.DockerClients;
import io.containerlease.support.RedisServer;
import io.containerlease.support.ServerProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Several servers on one Redis store and one engine, one of them killed (and, in a second round,
 * one frozen with SIGSTOP past its heartbeat, then thawed; in a third, Redis itself killed for
 * {@link #REDIS_OUTAGE} and restarted from its append-only file) while its leases are about to expire:
 * how late do its leases end, next to the leases the survivors held all along (the engine's removal
 * rate bounds both) and the goal of three heartbeats and a second, and does
 * anything leak, get lost, or get removed twice (counted from the engine's own destroy events)?
 */
public final class ClusterChaosBench {
    public record Sizes(int servers, int leases) {
        public static final Sizes SMOKE = new Sizes(2, 6);
        public static final Sizes QUICK = new Sizes(3, 60);
        public static final Sizes FULL = new Sizes(3, 200);
    }

    /**
     * What a round left behind: every count must be zero. {@code unrefused}: requests made while Redis
     * was down that were not answered 503 (it must refuse them, not fail).
     */
    public record Outcome(
            String round, int leases, int ofTheVictim, int orphans, int lost, int doubleRemovals, int unrefused) {
        public boolean clean() {
            return orphans == 0 && lost == 0 && doubleRemovals == 0 && unrefused == 0;
        }
    }

    private static final Duration HEARTBEAT = Duration.ofSeconds(1);
    /** Three missed beats, and a second for the takeover and the removal to start. */
    private static final Duration GOAL = HEARTBEAT.multipliedBy(3).plusSeconds(1);

    private static final Duration REDIS_OUTAGE = Duration.ofSeconds(5);

    private final Sizes sizes;
    private final Path workDir;
    private final List<Outcome> outcomes = new ArrayList<>();

    public ClusterChaosBench(Sizes sizes, Path workDir) {
        this.sizes = sizes;
        this.workDir = workDir;
    }

    public List<Outcome> outcomes() {
        return List.copyOf(outcomes);
    }

    public List<BenchResult> run() throws Exception {
        List<BenchResult> results = new ArrayList<>();
        results.addAll(round("kill", workDir.resolve("cluster-kill")));
        results.addAll(round("freeze", workDir.resolve("cluster-freeze")));
        results.addAll(round("redis", workDir.resolve("cluster-redis")));
        return results;
    }

    /**
     * Spreads the leases over the servers, all expiring a few seconds after the victim (server 0) is
     * killed or frozen; waits until every lease has ended; reports the victim's leases' lag.
     */
    private List<BenchResult> round(String how, Path dir) throws Exception {
        Map<String, Integer> destroyed = new ConcurrentHashMap<>();
        try (RedisServer redis = RedisServer.start(dir.resolve("redis"));
                var docker = DockerClients.connect("unix:///var/run/docker.sock", Duration.ofSeconds(60))
                        .client()) {
            List<ServerProcess> servers = new ArrayList<>();
            String cluster = null;
            var events = docker.eventsCmd()
                    .withEventFilter("destroy")
                    .withLabelFilter(ManagedLabels.LEASE_ID)
                    .exec(new ResultCallback.Adapter<Event>() {
                        @Override
                        public void onNext(Event e) {
                            destroyed.merge(e.getId(), 1, Integer::sum);
                        }
                    });
            try {
                for (int i = 0; i < sizes.servers(); i++) {
                    servers.add(BenchServers.start(
                            dir.resolve("server-" + i),
                            Map.of(
                                    "STORE",
                                    redis.url(),
                                    "HEARTBEAT_SECONDS",
                                    Long.toString(HEARTBEAT.toSeconds()),
                                    "RECONCILE_INTERVAL_SECONDS",
                                    "2")));
                }
                cluster = servers.get(0).instanceIdOnRedis(redis.url());
                List<BenchHttp> apis =
                        servers.stream().map(s -> new BenchHttp(s.baseUrl())).toList();
                Map<String, Integer> madeBy = new ConcurrentHashMap<>();
                // Every lease is to expire within six seconds after the victim goes (it goes once all are made),
                // so some expire before a survivor can notice and take them over: the case the goal is about.
                Instant made = Instant.now().plusSeconds(5 + sizes.leases() / 4);
                var clients = java.util.concurrent.Executors.newFixedThreadPool(16);
                List<java.util.concurrent.Future<?>> provisions = new ArrayList<>();
                for (int i = 0; i < sizes.leases(); i++) {
                    int n = i;
                    provisions.add(clients.submit(() -> {
                        int server = n % sizes.servers();
                        long seconds = Duration.between(Instant.now(), made.plusSeconds(n % 6))
                                .toSeconds();
                        madeBy.put(apis.get(server).lease("busybox", Math.max(3, seconds)), server);
                        return null;
                    }));
                }
                for (var provision : provisions) {
                    provision.get();
                }
                clients.shutdown();
                // The victim goes just before the first lease comes due, so its leases fall due while no one holds
                // them.
                Thread.sleep(Math.max(0, Duration.between(Instant.now(), made).toMillis() - 500));
                ServerProcess victim = servers.get(0);
                Instant redisBack = null;
                Map<Integer, Integer> answersDuringOutage = new java.util.TreeMap<>();
                switch (how) {
                    case "kill" -> victim.kill9();
                    case "freeze" -> victim.freeze(true);
                    default -> {
                        // Redis goes while every lease comes due; requests meanwhile must be refused (503), not fail.
                        redis.kill();
                        long back = System.nanoTime() + REDIS_OUTAGE.toNanos();
                        while (System.nanoTime() < back) {
                            answersDuringOutage.merge(
                                    apis.get(answersDuringOutage.size() % apis.size())
                                            .provision("busybox", 60)
                                            .status(),
                                    1,
                                    Integer::sum);
                            Thread.sleep(200);
                        }
                        redis.restart();
                        redisBack = Instant.now();
                    }
                }
                BenchHttp survivor = apis.get(1);
                long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
                Map<String, JsonNode> leases = new HashMap<>();
                while (System.nanoTime() < deadline) {
                    leases.clear();
                    List<JsonNode> all;
                    try {
                        all = survivor.allLeases();
                    } catch (IllegalStateException refused) {
                        Thread.sleep(250); // Redis just came back, and the server has not reconnected yet
                        continue;
                    }
                    for (JsonNode lease : all) {
                        leases.put(lease.get("id").asText(), lease);
                    }
                    if (madeBy.keySet().stream()
                            .allMatch(id -> leases.containsKey(id)
                                    && leases.get(id).get("status").asText().equals("ended"))) {
                        break;
                    }
                    Thread.sleep(250);
                }
                if (how.equals("freeze")) {
                    victim.freeze(false);
                    Thread.sleep(
                            HEARTBEAT.multipliedBy(4).toMillis()); // the thawed server's timers and passes fire now
                }
                List<Double> lagSeconds = new ArrayList<>();
                List<Double> survivorsLagSeconds = new ArrayList<>();
                int lost = 0;
                for (var entry : madeBy.entrySet()) {
                    JsonNode lease = leases.get(entry.getKey());
                    if (lease == null
                            || !lease.get("status").asText().equals("ended")
                            || !"expired".equals(lease.path("endReason").asText())) {
                        lost++;
                        continue;
                    }
                    double lag = Duration.between(
                                            Instant.parse(
                                                    lease.get("expiryTime").asText()),
                                            Instant.parse(lease.get("endedAt").asText()))
                                    .toMillis()
                            / 1000.0;
                    if (redisBack != null) {
                        // How long after Redis came back (or after its expiry, if later) each lease ended: the
                        // catch-up.
                        Instant from = Instant.parse(lease.get("expiryTime").asText());
                        from = from.isAfter(redisBack) ? from : redisBack;
                        lagSeconds.add(Duration.between(
                                                from,
                                                Instant.parse(
                                                        lease.get("endedAt").asText()))
                                        .toMillis()
                                / 1000.0);
                        survivorsLagSeconds.add(lag);
                        continue;
                    }
                    (entry.getValue() == 0 ? lagSeconds : survivorsLagSeconds).add(lag);
                }
                Thread.sleep(1000); // the last destroy events
                int orphans = docker.listContainersCmd()
                        .withShowAll(true)
                        .withLabelFilter(Map.of(ManagedLabels.CLUSTER, cluster))
                        .exec()
                        .size();
                int doubles =
                        (int) destroyed.values().stream().filter(n -> n > 1).count();
                int refused = answersDuringOutage.getOrDefault(503, 0);
                int total = answersDuringOutage.values().stream()
                        .mapToInt(Integer::intValue)
                        .sum();
                outcomes.add(
                        new Outcome(how, madeBy.size(), lagSeconds.size(), orphans, lost, doubles, total - refused));
                if (redisBack != null) {
                    String detail = sizes.leases() + " leases over " + sizes.servers()
                            + " servers, all due within 6 s; Redis killed just "
                            + "before and restarted " + REDIS_OUTAGE.toSeconds()
                            + " s later; each lease's end minus the later of its expiry "
                            + "and Redis's return, next to its end minus its expiry; " + refused + " of " + total
                            + " provisions during the outage refused with 503 " + answersDuringOutage + "; " + orphans
                            + " orphans, "
                            + lost + " lost, " + doubles + " removed twice";
                    return List.of(
                            BenchResult.of(
                                    "cluster-redis-restart-catch-up-p50",
                                    Percentiles.of(lagSeconds, 50),
                                    Percentiles.of(survivorsLagSeconds, 50),
                                    "s",
                                    detail),
                            BenchResult.of(
                                    "cluster-redis-restart-catch-up-p99",
                                    Percentiles.of(lagSeconds, 99),
                                    Percentiles.of(survivorsLagSeconds, 99),
                                    "s",
                                    detail));
                }
                String detail = sizes.leases() + " leases over " + sizes.servers()
                        + " servers on one Redis, all due within 6 s; server 0 "
                        + (how.equals("kill") ? "killed (-9)" : "frozen (SIGSTOP) past its heartbeat, then thawed")
                        + " just before; ended (container gone) minus expiry of its " + lagSeconds.size()
                        + " leases vs the survivors' own " + survivorsLagSeconds.size()
                        + " (goal: 3 heartbeats + 1 s = "
                        + GOAL.toSeconds() + " s); " + orphans + " orphans, " + lost + " lost, " + doubles
                        + " removed twice";
                return List.of(
                        BenchResult.of(
                                "cluster-" + how + "-expiry-lag-p50",
                                Percentiles.of(lagSeconds, 50),
                                Percentiles.of(survivorsLagSeconds, 50),
                                "s",
                                detail),
                        BenchResult.of(
                                "cluster-" + how + "-expiry-lag-p99",
                                Percentiles.of(lagSeconds, 99),
                                Percentiles.of(survivorsLagSeconds, 99),
                                "s",
                                detail));
            } finally {
                events.close();
                for (ServerProcess server : servers) {
                    try {
                        server.freeze(false);
                    } catch (RuntimeException alreadyDead) {
                        // the killed one
                    }
                    server.kill9();
                }
                if (cluster != null) {
                    for (var c : docker.listContainersCmd()
                            .withShowAll(true)
                            .withLabelFilter(Map.of(ManagedLabels.CLUSTER, cluster))
                            .exec()) {
                        docker.removeContainerCmd(c.getId()).withForce(true).exec();
                    }
                }
            }
        }
    }
}
