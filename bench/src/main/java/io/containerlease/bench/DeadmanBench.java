package io.containerlease.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.containerlease.lease.ManagedLabels;
import io.containerlease.runtime.docker.DockerDeadlines;
import io.containerlease.support.ApiClient;
import io.containerlease.support.ServerProcess;
import io.containerlease.support.TestDocker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The dead-man's switch with no server alive: leases whose expiries spread over a minute, a quarter
 * extended, then the server killed with -9 and never started again. For each lease's container,
 * when it stopped minus its deadline (its expiry at the kill plus DEADMAN_MARGIN_SECONDS, what the
 * server told it), whether any stopped before its expiry, and whether any still ran after its
 * deadline. Half the leases are of a type with {@code restart: on-failure}, which must not revive
 * a container its helper ended. Beside it, the anchor: as many containers made the same way but
 * without a deadline (what every container was before our helper): they run on.
 *
 * <p>With {@code --restart-engine}, the same again with the local Docker engine stopped and started
 * while no server runs, at the middle deadline: the ones the helper ended stay ended, the
 * ones the engine's stop killed come back only by their restart policy, holding their hard deadline
 * (the lease's cap plus the margin: a restarted container runs its creation arguments, and no server
 * is there to tell it the tighter one), and end by it.
 */
public final class DeadmanBench {

    public record Sizes(int leases) {
        public static final Sizes QUICK = new Sizes(20);
        public static final Sizes FULL = new Sizes(100);
    }

    /** The service's maximum lease, shortened so every hard deadline falls within the run. */
    private static final Duration LEASE_MAX = Duration.ofMinutes(3);

    private static final Duration MARGIN = Duration.ofSeconds(5);
    private static final String RESTARTS = "restarts";

    private final Sizes sizes;
    private final Path workDir;
    private final boolean restartEngine;

    public DeadmanBench(Sizes sizes, Path workDir, boolean restartEngine) {
        this.sizes = sizes;
        this.workDir = workDir;
        this.restartEngine = restartEngine;
    }

    public DeadmanBench(Sizes sizes, Path workDir) {
        this(sizes, workDir, false);
    }

    public List<BenchResult> run() throws Exception {
        List<BenchResult> results = new ArrayList<>(scenario(false));
        if (restartEngine) {
            results.addAll(scenario(true));
        }
        return results;
    }

    /** What the bench knows of one lease when the server dies. */
    private record Leased(String id, String type, Instant expiry) {
        Instant deadline() {
            return DockerDeadlines.asHeld(expiry.plus(MARGIN));
        }
    }

    private List<BenchResult> scenario(boolean withEngineRestart) throws Exception {
        String prefix = withEngineRestart ? "deadman-engine-restart-" : "deadman-";
        Random random = new Random(11);
        Map<String, Leased> leased = new HashMap<>();
        List<String> anchors = new ArrayList<>();
        Path dir = Files.createDirectories(workDir.resolve(withEngineRestart ? "deadman-restart" : "deadman"));
        Path catalog = dir.resolve("catalog.yaml");
        Files.writeString(catalog, """
                images:
                  busybox:
                    image: containerlease/busybox:latest
                    command: ["sleep", "inf"]
                    pullPolicy: never
                    warmPool: 2
                  %s:
                    image: containerlease/busybox:latest
                    command: ["sleep", "inf"]
                    pullPolicy: never
                    restart: on-failure:3
                """.formatted(RESTARTS));
        String instance;
        double toldWithin;
        try (RawDocker raw = new RawDocker("unix:///var/run/docker.sock")) {
            ServerProcess server = BenchServers.start(
                    dir.resolve("data"),
                    Map.of(
                            "IMAGE_CATALOG",
                            catalog.toString(),
                            "LEASE_MAX_MINUTES",
                            Long.toString(LEASE_MAX.toMinutes()),
                            "DEADMAN_MARGIN_SECONDS",
                            Long.toString(MARGIN.toSeconds())));
            instance = server.instanceId();
            try {
                ApiClient api = new ApiClient(server.baseUrl());
                for (int i = 0; i < sizes.leases(); i++) {
                    String type = i % 2 == 0 ? "busybox" : RESTARTS;
                    int seconds = 60 + random.nextInt(60);
                    var lease = api.post(
                                    "/api/provision",
                                    "{\"imageType\":\"" + type + "\",\"durationSeconds\":" + seconds + "}")
                            .json();
                    String id = lease.get("id").asText();
                    Instant expiry = Instant.parse(lease.get("expiryTime").asText());
                    if (i % 4 == 1) { // a quarter extended
                        var extended = api.post("/api/containers/" + id + "/extend", "{\"durationSeconds\":20}")
                                .json();
                        expiry = Instant.parse(extended.path("expiryTime").asText(expiry.toString()));
                    }
                    leased.put(id, new Leased(id, type, expiry));
                }
                toldWithin = awaitEveryContainerTold(api, leased);
                if (!withEngineRestart) {
                    for (int i = 0; i < sizes.leases(); i++) {
                        anchors.add(raw.createAndStart());
                    }
                }
            } finally {
                server.kill9(); // and never started again
            }
            Instant killedAt = Instant.now();
            String engine = "";
            Instant engineStartedAt = null;
            Instant engineStoppingAt = null;
            if (withEngineRestart) {
                // At the middle deadline: about half the containers ended by their helper, the rest still running.
                List<Instant> deadlines =
                        leased.values().stream().map(Leased::deadline).sorted().toList();
                Instant stopAt = deadlines.get(deadlines.size() / 2);
                if (stopAt.isAfter(Instant.now())) {
                    Thread.sleep(Duration.between(Instant.now(), stopAt));
                }
                EngineRestart restart = new EngineRestart();
                String whyNot = restart.whyNot(instance);
                if (whyNot != null) {
                    raw.removeInstance(instance);
                    return List.of(BenchResult.of(
                            prefix + "skipped", 1, 0, "runs", "the engine was not restarted: " + whyNot));
                }
                engineStoppingAt = Instant.now();
                restart.stop();
                restart.start();
                engineStartedAt = Instant.now();
                engine = "; the engine stopped at the middle deadline ("
                        + Duration.between(killedAt, engineStoppingAt).toSeconds()
                        + " s after the kill) and started again";
            }
            Instant lastHard = leased.values().stream()
                    .map(l -> l.expiry())
                    .max(Instant::compareTo)
                    .orElseThrow()
                    .plus(LEASE_MAX)
                    .plus(MARGIN);
            while (Instant.now().isBefore(lastHard.plusSeconds(30)) && running(leased) > 0) {
                Thread.sleep(500);
            }

            List<Double> lateSeconds = new ArrayList<>();
            List<Double> cameBackLateSeconds = new ArrayList<>();
            int early = 0;
            int runningLate = 0;
            int cameBack = 0;
            int endedByHelper = 0;
            int stoppedByEngine = 0;
            for (Leased l : leased.values()) {
                var inspect = TestDocker.client()
                        .inspectContainerCmd(ManagedLabels.containerName(new io.containerlease.lease.LeaseId(l.id())))
                        .exec();
                Instant hard = Instant.parse(inspect.getConfig().getLabels().get(ManagedLabels.DEADLINE));
                Instant started = Instant.parse(inspect.getState().getStartedAt());
                boolean revived = engineStartedAt != null && started.isAfter(engineStartedAt);
                Instant deadline = revived ? hard : l.deadline();
                if (Boolean.TRUE.equals(inspect.getState().getRunning())) {
                    runningLate += Instant.now().isAfter(deadline.plusSeconds(5)) ? 1 : 0;
                    continue;
                }
                Instant finished = Instant.parse(inspect.getState().getFinishedAt());
                if (revived) {
                    cameBack++;
                    cameBackLateSeconds.add(Duration.between(hard, finished).toMillis() / 1000.0);
                } else if (engineStoppingAt == null || finished.isBefore(engineStoppingAt)) {
                    lateSeconds.add(Duration.between(deadline, finished).toMillis() / 1000.0);
                    endedByHelper += inspect.getState().getExitCodeLong() == 0 ? 1 : 0;
                    early += finished.isBefore(l.expiry()) ? 1 : 0;
                } else {
                    stoppedByEngine++;
                }
            }
            long anchorsRunning = anchors.stream()
                    .filter(name -> Boolean.TRUE.equals(TestDocker.client()
                            .inspectContainerCmd(name)
                            .exec()
                            .getState()
                            .getRunning()))
                    .count();
            raw.removeInstance(instance);
            anchors.forEach(raw::remove);

            int n = sizes.leases();
            String detail = n
                    + " leases of 60-120 s (half with restart on-failure:3, a quarter extended by 20 s), LEASE_MAX_MINUTES="
                    + LEASE_MAX.toMinutes() + ", DEADMAN_MARGIN_SECONDS=" + MARGIN.toSeconds()
                    + ", the server killed with -9 and never started again"
                    + engine;
            List<BenchResult> results = new ArrayList<>(List.of(
                    BenchResult.of(
                            prefix + "told-within",
                            toldWithin,
                            5,
                            "s",
                            "from the last provision until every container showed "
                                    + "its expiry plus the margin (GET containerDeadline), before the kill"),
                    BenchResult.of(
                            prefix + "stop-after-deadline-p50",
                            percentile(lateSeconds, 50),
                            5,
                            "s",
                            detail
                                    + "; stopped minus expiry+margin, of those the helper ended (baseline: the goal, 5 s)"),
                    BenchResult.of(prefix + "stop-after-deadline-p99", percentile(lateSeconds, 99), 5, "s", detail),
                    BenchResult.of(
                            prefix + "ended-by-helper",
                            endedByHelper,
                            n,
                            "containers",
                            "of " + n + ", exit 0 at their deadline"),
                    BenchResult.of(prefix + "stopped-before-expiry", early, n, "containers", "of " + n + " (goal 0)"),
                    BenchResult.of(
                            prefix + "running-past-deadline",
                            runningLate,
                            n,
                            "containers",
                            "still running 5 s after their deadline (goal 0)")));
            if (withEngineRestart) {
                results.add(BenchResult.of(
                        prefix + "stopped-by-engine",
                        stoppedByEngine + cameBack,
                        n,
                        "containers",
                        "still running when the engine stopped (its stop ended them, not their helper)"));
                results.add(
                        BenchResult.of(
                                prefix + "came-back",
                                cameBack,
                                n / 2,
                                "containers",
                                "started again by the engine "
                                        + "(on-failure, killed by the engine's stop; goal: none the helper had ended, none without a restart policy)"));
                results.add(BenchResult.of(
                        prefix + "came-back-stop-after-hard-deadline-p99",
                        percentile(cameBackLateSeconds, 99),
                        5,
                        "s",
                        "those that came back: stopped minus their hard deadline (cap + margin)"));
            } else {
                results.add(BenchResult.of(
                        prefix + "anchor-still-running",
                        anchorsRunning,
                        n,
                        "containers",
                        "the same containers without a deadline (before our helper): still running at the end"));
            }
            return results;
        }
    }

    /** Waits until the server shows every lease's container holding its expiry plus the margin; returns how long that took. */
    private static double awaitEveryContainerTold(ApiClient api, Map<String, Leased> leased)
            throws InterruptedException {
        long start = System.nanoTime();
        Instant giveUp = Instant.now().plusSeconds(60);
        while (Instant.now().isBefore(giveUp)) {
            JsonNode list = api.get("/api/containers?limit=500").json().path("containers");
            long told = 0;
            for (JsonNode lease : list) {
                Leased l = leased.get(lease.path("id").asText());
                if (l != null
                        && lease.hasNonNull("containerDeadline")
                        && Instant.parse(lease.get("containerDeadline").asText())
                                .equals(l.expiry().plus(MARGIN))) {
                    told++;
                }
            }
            if (told == leased.size()) {
                return (System.nanoTime() - start) / 1e9;
            }
            Thread.sleep(100);
        }
        return Double.NaN;
    }

    private static double percentile(List<Double> values, int p) {
        return values.isEmpty() ? Double.NaN : Percentiles.of(values, p);
    }

    private static long running(Map<String, Leased> leased) {
        return leased.keySet().stream()
                .filter(id -> Boolean.TRUE.equals(TestDocker.client()
                        .inspectContainerCmd(ManagedLabels.containerName(new io.containerlease.lease.LeaseId(id)))
                        .exec()
                        .getState()
                        .getRunning()))
                .count();
    }
}
