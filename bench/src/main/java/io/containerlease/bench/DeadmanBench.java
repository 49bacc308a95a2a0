package io.containerlease.bench;

import io.containerlease.lease.ManagedLabels;
import io.containerlease.support.ApiClient;
import io.containerlease.support.ServerProcess;
import io.containerlease.support.TestDocker;
import com.github.dockerjava.api.model.Container;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The dead-man's switch with no server alive: leases with lifetimes spread over the service's
 * (shortened) maximum, some extended, then the server killed with -9 and never started again. For
 * each container, when it stopped minus the deadline its label states (the lease's hard cap plus
 * DEADMAN_MARGIN_SECONDS), whether any stopped before its lease's expiry, and whether any still ran
 * well after its deadline. Beside it, the anchor: as many containers made the same way but without a
 * deadline (what every container was before our helper): they run on.
 */
public final class DeadmanBench {

    public record Sizes(int leases) {
        public static final Sizes QUICK = new Sizes(20);
        public static final Sizes FULL = new Sizes(100);
    }

    /** The service's maximum lease, shortened so every deadline falls within the run. */
    private static final Duration LEASE_MAX = Duration.ofMinutes(1);
    private static final Duration MARGIN = Duration.ofSeconds(5);

    private final Sizes sizes;
    private final Path workDir;

    public DeadmanBench(Sizes sizes, Path workDir) {
        this.sizes = sizes;
        this.workDir = workDir;
    }

    public List<BenchResult> run() throws Exception {
        Random random = new Random(11);
        Map<String, Instant> expiries = new HashMap<>();
        String instance;
        List<String> anchors = new ArrayList<>();
        try (RawDocker raw = new RawDocker("unix:///var/run/docker.sock")) {
            ServerProcess server = BenchServers.start(workDir.resolve("deadman-data"), Map.of(
                    "LEASE_MAX_MINUTES", Long.toString(LEASE_MAX.toMinutes()), "DEADMAN_MARGIN_SECONDS", Long.toString(MARGIN.toSeconds())));
            instance = server.instanceId();
            try {
                ApiClient api = new ApiClient(server.baseUrl());
                for (int i = 0; i < sizes.leases(); i++) {
                    int seconds = 10 + random.nextInt(40);
                    var lease = api.post("/api/provision", "{\"imageType\":\"busybox\",\"durationSeconds\":" + seconds + "}").json();
                    String id = lease.get("id").asText();
                    Instant expiry = Instant.parse(lease.get("expiryTime").asText());
                    if (i % 4 == 0) { // a quarter extended, as far as the cap allows
                        var extended = api.post("/api/containers/" + id + "/extend", "{\"durationSeconds\":30}").json();
                        expiry = Instant.parse(extended.path("expiryTime").asText(expiry.toString()));
                    }
                    expiries.put(id, expiry);
                }
                for (int i = 0; i < sizes.leases(); i++) {
                    anchors.add(raw.createAndStart());
                }
            } finally {
                server.kill9(); // and never started again
            }
            Instant killedAt = Instant.now();
            Instant lastDeadline = killedAt.plus(LEASE_MAX).plus(MARGIN);
            // Wait until every lease's container has stopped, or well past the last possible deadline.
            while (Instant.now().isBefore(lastDeadline.plusSeconds(30)) && running(instance) > 0) {
                Thread.sleep(500);
            }
            List<Double> lateSeconds = new ArrayList<>();
            int early = 0;
            int runningLate = 0;
            for (Container c : TestDocker.containersOf(instance)) {
                var inspect = TestDocker.client().inspectContainerCmd(c.getId()).exec();
                Instant deadline = Instant.parse(inspect.getConfig().getLabels().get(ManagedLabels.DEADLINE));
                if (Boolean.TRUE.equals(inspect.getState().getRunning())) {
                    runningLate += Instant.now().isAfter(deadline.plusSeconds(5)) ? 1 : 0;
                    continue;
                }
                Instant finished = Instant.parse(inspect.getState().getFinishedAt());
                lateSeconds.add(Duration.between(deadline, finished).toMillis() / 1000.0);
                Instant expiry = expiries.get(inspect.getConfig().getLabels().get(ManagedLabels.LEASE_ID));
                if (expiry != null && finished.isBefore(expiry)) {
                    early++;
                }
            }
            long anchorsRunning = anchors.stream().filter(name -> Boolean.TRUE.equals(
                    TestDocker.client().inspectContainerCmd(name).exec().getState().getRunning())).count();
            raw.removeInstance(instance);
            anchors.forEach(raw::remove);
            String detail = sizes.leases() + " leases of 10-50 s (a quarter extended), LEASE_MAX_MINUTES=1, DEADMAN_MARGIN_SECONDS=5, "
                    + "the server killed with -9 and never started again";
            double p99 = lateSeconds.isEmpty() ? Double.NaN : Percentiles.of(lateSeconds, 99);
            return List.of(
                    BenchResult.of("deadman-stop-after-deadline-p50", lateSeconds.isEmpty() ? Double.NaN : Percentiles.of(lateSeconds, 50),
                            5, "s", detail + "; stopped minus the label's deadline (baseline: the goal, 5 s)"),
                    BenchResult.of("deadman-stop-after-deadline-p99", p99, 5, "s", detail),
                    BenchResult.of("deadman-stopped-before-expiry", early, sizes.leases(), "containers", "of " + sizes.leases() + " (goal 0)"),
                    BenchResult.of("deadman-running-past-deadline", runningLate, sizes.leases(), "containers",
                            "still running 5 s after their deadline (goal 0)"),
                    BenchResult.of("deadman-anchor-still-running", anchorsRunning, sizes.leases(), "containers",
                            "the same containers without a deadline (before our helper): still running at the end"));
        }
    }

    private static long running(String instance) {
        return TestDocker.containersOf(instance).stream().filter(c -> "running".equals(c.getState())).count();
    }
}
