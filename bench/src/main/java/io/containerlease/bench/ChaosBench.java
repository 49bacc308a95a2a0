package io.containerlease.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.containerlease.support.ServerProcess;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Kill -9 under load, then the engine itself going away: afterwards every acknowledged lease is
 * either running with its container or honestly ended, and no labelled container lacks a live lease.
 */
public final class ChaosBench {

    public record Sizes(int provisions, int kills, boolean restartEngine) {
        public static final Sizes SMOKE = new Sizes(6, 1, false);
        public static final Sizes QUICK = new Sizes(40, 3, false);
        public static final Sizes FULL = new Sizes(100, 3, false);

        /** Also stop and restart the engine under load (bench --restart-engine): it stops every container on the host. */
        public Sizes withEngineRestart(boolean restart) {
            return new Sizes(provisions, kills, restart);
        }
    }

    /** What the chaos left: both counts must be zero. */
    public record Outcome(int kills, int leases, int orphans, int lost, int refusedWhileEngineDown, String engine) {}

    private final Sizes sizes;
    private final Path workDir;
    private final Random random = new Random();

    /**
     * The built-in catalog keeps two busybox containers waiting: the first provisions of each round
     * are claims from the pool (and refills are under way when the kill comes).
     */
    private static final Map<String, String> WITH_POOL =
            Map.of("RECONCILE_INTERVAL_SECONDS", "2", "POOL_MAX_TOTAL", "2");

    private static final int POOL_TARGET = 2;

    public ChaosBench(Sizes sizes, Path workDir) {
        this.sizes = sizes;
        this.workDir = workDir;
    }

    public Outcome run() throws Exception {
        Path dataDir = workDir.resolve("chaos-data");
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        String instance = null;
        try (RawDocker raw = new RawDocker("unix:///var/run/docker.sock")) {
            try {
                for (int k = 0; k < sizes.kills(); k++) {
                    ServerProcess server = BenchServers.start(dataDir, WITH_POOL);
                    instance = server.instanceId();
                    BenchHttp api = new BenchHttp(server.baseUrl());
                    ExecutorService clients = Executors.newFixedThreadPool(16);
                    java.util.concurrent.CountDownLatch firstAck = new java.util.concurrent.CountDownLatch(1);
                    for (int i = 0; i < sizes.provisions(); i++) {
                        clients.submit(() -> {
                            try {
                                BenchHttp.Answer a = api.provision("busybox", 1800);
                                if (a.status() == 201) {
                                    acknowledged.add(a.json().get("id").asText());
                                    firstAck.countDown();
                                }
                            } catch (IOException | InterruptedException killed) {
                                // the server died under this request: not acknowledged
                            }
                            return null;
                        });
                    }
                    // Kill at a random moment while provisions are still in flight: after the first is
                    // acknowledged (16 concurrent creates finish together, so earlier would catch none).
                    if (!firstAck.await(120, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("no provision was acknowledged before the kill");
                    }
                    Thread.sleep(random.nextInt(1500));
                    server.kill9();
                    clients.shutdownNow();
                    clients.awaitTermination(60, TimeUnit.SECONDS);
                }
                int refused = 0;
                String engine = "not restarted (pass --restart-engine to include it)";
                try (ServerProcess server = BenchServers.start(dataDir, WITH_POOL)) {
                    BenchHttp api = new BenchHttp(server.baseUrl());
                    if (sizes.restartEngine()) {
                        EngineRestart restart = new EngineRestart();
                        String whyNot = restart.whyNot(instance);
                        if (whyNot == null) {
                            refused = provisionWhileEngineDown(api, restart);
                            engine = "stopped and restarted under load";
                        } else {
                            engine = "not restarted: " + whyNot;
                        }
                    }
                    int[] counts = check(api, raw, instance, acknowledged);
                    return new Outcome(sizes.kills(), acknowledged.size(), counts[0], counts[1], refused, engine);
                }
            } finally {
                if (instance != null) {
                    // Leave nothing behind: release through a fresh server, then make sure by label.
                    try (ServerProcess server = BenchServers.start(dataDir, Map.of())) {
                        BenchHttp api = new BenchHttp(server.baseUrl());
                        for (JsonNode lease : api.allLeases()) {
                            api.release(lease.get("id").asText());
                        }
                    }
                    raw.removeInstance(instance);
                }
            }
        }
    }

    /** Stops the engine while clients keep provisioning; every answer meanwhile must be a clean 503. */
    private int provisionWhileEngineDown(BenchHttp api, EngineRestart restart) throws Exception {
        AtomicInteger refused = new AtomicInteger();
        AtomicInteger unclean = new AtomicInteger();
        java.util.List<String> uncleanAnswers = new java.util.concurrent.CopyOnWriteArrayList<>();
        restart.stop();
        try {
            for (int i = 0; i < 10; i++) {
                BenchHttp.Answer a = api.provision("busybox", 1800);
                if (a.status() == 503) {
                    refused.incrementAndGet();
                } else if (a.status() != 201) {
                    unclean.incrementAndGet();
                    uncleanAnswers.add(a.status() + " " + a.json());
                }
            }
        } finally {
            restart.start();
        }
        // The service recovers by itself: provisioning works again without a restart of the service.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            BenchHttp.Answer a = api.provision("busybox", 1800);
            if (a.status() == 201) {
                api.release(a.json().get("id").asText());
                if (unclean.get() > 0) {
                    throw new IllegalStateException(unclean.get()
                            + " provisions answered neither 201 nor 503 while the engine was down: " + uncleanAnswers);
                }
                return refused.get();
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("provisioning did not recover after the engine came back");
    }

    /** [orphans, lost] */
    private static int[] check(BenchHttp api, RawDocker raw, String instance, Set<String> acknowledged)
            throws Exception {
        Thread.sleep(5000); // a reconcile pass or two after the engine's return
        Map<String, JsonNode> byId = new java.util.HashMap<>();
        for (JsonNode lease : api.allLeases()) {
            byId.put(lease.get("id").asText(), lease);
        }
        Set<String> running = new HashSet<>();
        byId.forEach((id, lease) -> {
            if (lease.get("status").asText().equals("running")) {
                running.add(id);
            }
        });
        int orphans = raw.containersWithoutLease(instance, running, byId.keySet(), POOL_TARGET);
        int lost = 0;
        for (String id : acknowledged) {
            JsonNode lease = byId.get(id);
            boolean honest = lease != null
                    && (lease.get("status").asText().equals("running") && raw.hasContainer(id)
                            || lease.get("status").asText().equals("ended") && lease.has("endReason"));
            if (!honest) {
                lost++;
            }
        }
        return new int[] {orphans, lost};
    }
}
