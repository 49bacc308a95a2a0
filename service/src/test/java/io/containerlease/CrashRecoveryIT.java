package io.containerlease;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.dockerjava.api.model.Container;
import io.containerlease.lease.ManagedLabels;
import io.containerlease.store.sqlite.SqliteLeaseStore;
import io.containerlease.support.ApiClient;
import io.containerlease.support.ServerProcess;
import io.containerlease.support.TestDocker;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of a server process while it is provisioning, then a restart: every labelled container
 * belongs to a live lease or is removed in the first pass, and every acknowledged lease is either
 * running with its container or honestly ended.
 */
@Timeout(300)
class CrashRecoveryIT {
    /**
     * Enough that some are still being provisioned when the first is acknowledged, even on a machine
     * where the engine is quick (with 8, a CI run once saw every provision done before each kill).
     */
    private static final int CONCURRENT_PROVISIONS = 16;

    @TempDir
    Path dataDir;

    private final List<ServerProcess> servers = new ArrayList<>();
    private String instance;

    @AfterEach
    void cleanUp() {
        servers.forEach(ServerProcess::kill9);
        if (instance != null) {
            TestDocker.removeAllOf(instance);
        }
    }

    @Test
    void killedMidProvisioningLeavesNoLeakAfterRestart() throws Exception {
        Set<String> acknowledged = new HashSet<>();
        int roundsWithRepairs = 0;
        for (int round = 0; round < 3; round++) {
            ServerProcess server = start();
            acknowledged.addAll(provisionAndKill(server, round));
            ServerProcess restarted = start();
            ApiClient api = new ApiClient(restarted.baseUrl());
            // The API opens after the first pass has decided; its removals may take a moment longer on a busy engine.
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertConsistent(api, acknowledged));
            if (api.get("/metrics").body().contains("containerlease_reconcile_passes_total{outcome=\"repaired\"}")) {
                roundsWithRepairs++;
            }
            restarted.close();
            servers.remove(restarted);
        }
        assertThat(acknowledged)
                .as("some provisions were acknowledged before the kills")
                .isNotEmpty();
        assertThat(roundsWithRepairs)
                .as("kills that left half-provisioned leases for the first pass to repair")
                .isPositive();
    }

    /**
     * The idle clock survives a kill -9: a lease whose idle end passed while no server ran is ended at
     * once, as idle, by the next server (not given a fresh idle timeout); one still within it is not.
     */
    @Test
    void anIdleEndThatPassedWhileNoServerRanEndsTheLeaseAtOnceAsIdle() throws Exception {
        ServerProcess server = start();
        ApiClient api = new ApiClient(server.baseUrl());
        String idle = api.post(
                        "/api/provision",
                        "{\"imageType\":\"busybox\",\"durationMinutes\":10,\"idleTimeoutSeconds\":15}")
                .json()
                .get("id")
                .asText();
        String patient = api.post(
                        "/api/provision",
                        "{\"imageType\":\"busybox\",\"durationMinutes\":10,\"idleTimeoutSeconds\":600}")
                .json()
                .get("id")
                .asText();
        Thread.sleep(1500); // the marks of their start are written off the request's path
        server.kill9();
        servers.remove(server);
        Thread.sleep(16_000); // the first one's idle end passes while no server runs
        ServerProcess restarted = start();
        ApiClient again = new ApiClient(restarted.baseUrl());
        await().atMost(Duration.ofSeconds(10))
                .until(() -> "ended"
                        .equals(again.get("/api/containers/" + idle)
                                .json()
                                .path("status")
                                .asText()));
        assertThat(again.get("/api/containers/" + idle).json().get("endReason").asText())
                .isEqualTo("idle");
        assertThat(again.get("/api/containers/" + patient).json().get("status").asText())
                .isEqualTo("running");
    }

    /** Fires concurrent provisions and kills the server when the first is acknowledged (or a little later). */
    private Set<String> provisionAndKill(ServerProcess server, int round) throws InterruptedException {
        ApiClient api = new ApiClient(server.baseUrl());
        Set<String> acked = ConcurrentHashMap.newKeySet();
        CountDownLatch firstAck = new CountDownLatch(1);
        ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor();
        for (int i = 0; i < CONCURRENT_PROVISIONS; i++) {
            clients.submit(() -> {
                try {
                    var r = api.post("/api/provision", "{\"imageType\":\"busybox\",\"durationMinutes\":10}");
                    if (r.status() == 201) {
                        acked.add(r.json().get("id").asText());
                        firstAck.countDown();
                    }
                } catch (UncheckedIOException killedMeanwhile) {
                    // the server died under this request: not acknowledged
                }
            });
        }
        assertThat(firstAck.await(60, TimeUnit.SECONDS))
                .as("a provision was acknowledged before the kill")
                .isTrue();
        Thread.sleep(round * 50L);
        server.kill9();
        servers.remove(server);
        clients.shutdown();
        clients.awaitTermination(60, TimeUnit.SECONDS);
        return Set.copyOf(acked);
    }

    private void assertConsistent(ApiClient api, Set<String> acknowledged) {
        Set<String> running = new HashSet<>();
        for (JsonNode lease : api.get("/api/containers?limit=500").json().get("containers")) {
            assertThat(lease.get("status").asText())
                    .as("no lease is half-provisioned after the first pass")
                    .isEqualTo("running");
            running.add(lease.get("id").asText());
        }
        Set<String> withContainer = new HashSet<>();
        for (Container c : TestDocker.containersOf(instance)) {
            String leaseId = c.getLabels().get(ManagedLabels.LEASE_ID);
            assertThat(running)
                    .as("container %s belongs to a running lease", c.getNames()[0])
                    .contains(leaseId);
            assertThat(c.getState()).isEqualTo("running");
            withContainer.add(leaseId);
        }
        assertThat(withContainer).as("every running lease has its container").isEqualTo(running);
        for (String id : acknowledged) {
            JsonNode lease = api.get("/api/containers/" + id).json();
            String status = lease.get("status").asText();
            assertThat(status).as("acknowledged lease %s", id).isIn("running", "ended");
            if (status.equals("ended")) {
                assertThat(lease.get("endReason").asText()).isNotBlank();
            }
        }
    }

    private ServerProcess start() {
        // Leases from earlier rounds stay live: quotas must not refuse the provisions under test.
        ServerProcess server = ServerProcess.start(
                dataDir,
                Map.of("RECONCILE_INTERVAL_SECONDS", "2", "MAX_LEASES_PER_USER", "1000", "MAX_LEASES", "1000"));
        servers.add(server);
        server.awaitReady(Duration.ofSeconds(60));
        if (instance == null) {
            instance = instanceIdOf(dataDir);
        }
        return server;
    }

    private static String instanceIdOf(Path dataDir) {
        // A second reader on the WAL database is safe while the server runs.
        try (var store = SqliteLeaseStore.open(dataDir.resolve("containerlease.db"))) {
            return store.instanceId();
        }
    }
}
