package io.containerlease;

import static io.containerlease.support.ApiClient.assertError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.model.HostConfig;
import io.containerlease.config.ServiceConfig;
import io.containerlease.lease.LeaseId;
import io.containerlease.lease.ManagedLabels;
import io.containerlease.runtime.docker.DockerDeadlines;
import io.containerlease.support.ApiClient;
import io.containerlease.support.RunLabels;
import io.containerlease.support.TestDocker;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The whole service, in-process, on the real Docker engine with the local busybox image. */
@Timeout(180)
class LeaseLifecycleIT {
    @TempDir
    Path dataDir;

    private ContainerLeaseServer server;
    private ApiClient api;
    private String instance;

    @BeforeEach
    void start() {
        startServer();
        instance = server.instanceId();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        TestDocker.removeAllOf(instance);
    }

    @Test
    void aLeaseExpiresAndItsContainerIsGoneWithinTwoSeconds() {
        String id = api.provision("busybox", "durationSeconds", 2);
        String name = ManagedLabels.containerName(new LeaseId(id));
        assertThat(TestDocker.client()
                        .inspectContainerCmd(name)
                        .exec()
                        .getState()
                        .getRunning())
                .isTrue();
        Instant expiry = Instant.parse(
                api.get("/api/containers/" + id).json().get("expiryTime").asText());

        await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> !TestDocker.exists(name));
        assertThat(Duration.between(expiry, Instant.now())).isLessThan(Duration.ofSeconds(2));
        var lease = api.get("/api/containers/" + id).json();
        assertThat(lease.get("status").asText()).isEqualTo("ended");
        assertThat(lease.get("endReason").asText()).isEqualTo("expired");
        assertThat(api.get("/metrics").body())
                .containsPattern("containerlease_expiry_lag_seconds_count 1(\\.0)?\\n")
                .contains(
                        "containerlease_log_buffer_bytes",
                        "containerlease_log_buffer_budget_bytes 2.68435456E8",
                        "containerlease_log_lines_evicted_total",
                        "containerlease_terminal_input_queued_bytes");
    }

    @Test
    void anExtensionKeepsTheContainerPastItsFirstExpiry() throws InterruptedException {
        String id = api.provision("busybox", "durationSeconds", 2);
        String name = ManagedLabels.containerName(new LeaseId(id));
        var extended = api.post("/api/containers/" + id + "/extend", "{\"durationSeconds\":3}");
        assertThat(extended.status()).isEqualTo(200);
        Instant newExpiry = Instant.parse(extended.json().get("expiryTime").asText());

        Thread.sleep(2500);
        assertThat(TestDocker.exists(name)).as("alive after its first expiry").isTrue();
        await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> !TestDocker.exists(name));
        assertThat(Duration.between(newExpiry, Instant.now())).isLessThan(Duration.ofSeconds(2));
    }

    /**
     * The container is created holding its hard deadline (its label), is told its expiry plus the
     * margin moments later, and an extension moves that: the API shows what the container confirmed,
     * and the container's own first process shows the same.
     */
    @Test
    void theContainerHoldsItsExpiryPlusTheMarginAndAnExtensionMovesIt() {
        String id = api.provision("busybox", "durationMinutes", 10);
        String name = ManagedLabels.containerName(new LeaseId(id));
        var lease = api.get("/api/containers/" + id).json();
        Instant hard = Instant.parse(TestDocker.client()
                .inspectContainerCmd(name)
                .exec()
                .getConfig()
                .getLabels()
                .get(ManagedLabels.DEADLINE));
        assertThat(hard)
                .isEqualTo(DockerDeadlines.asHeld(
                        Instant.parse(lease.get("maxExpiryTime").asText()).plusSeconds(60)));

        Instant expiry = Instant.parse(lease.get("expiryTime").asText());
        await().atMost(Duration.ofSeconds(10)).until(() -> containerDeadline(id).equals(expiry.plusSeconds(60)));
        assertThat(TestDocker.heldDeadline(name)).contains(DockerDeadlines.asHeld(expiry.plusSeconds(60)));

        var extended = api.post("/api/containers/" + id + "/extend", "{\"durationSeconds\":300}");
        Instant later = Instant.parse(extended.json().get("expiryTime").asText());
        await().atMost(Duration.ofSeconds(10)).until(() -> containerDeadline(id).equals(later.plusSeconds(60)));
        assertThat(TestDocker.heldDeadline(name)).contains(DockerDeadlines.asHeld(later.plusSeconds(60)));
    }

    private Instant containerDeadline(String id) {
        return Instant.parse(
                api.get("/api/containers/" + id).json().get("containerDeadline").asText());
    }

    @Test
    void deleteAnswersOnceTheContainerIsGone() {
        String id = api.provision("busybox", "durationMinutes", 10);
        var deleted = api.delete("/api/containers/" + id);
        assertThat(deleted.status()).isEqualTo(200);
        assertThat(deleted.json().get("success").asBoolean()).isTrue();
        assertThat(TestDocker.exists(ManagedLabels.containerName(new LeaseId(id))))
                .isFalse();
        assertThat(api.get("/api/containers/" + id).json().get("endReason").asText())
                .isEqualTo("released");
    }

    @Test
    void aMissingUnpullableImageIs502WithNothingLeftBehind() {
        var refused = api.post("/api/provision", "{\"imageType\":\"alpine\",\"durationMinutes\":1}");
        assertError(refused, 502, "image_unavailable");
        // The engine's answer names the registry and its DNS resolver: the client hears only what failed.
        assertThat(refused.json().at("/error/message").asText()).contains("cannot be pulled");
        ApiClient.assertNoInternals(refused.json().at("/error/message").asText());
        assertThat(TestDocker.containersOf(instance)).isEmpty();
        assertThat(api.get("/api/containers").json().get("containers")).isEmpty();
    }

    @Test
    void aContainerRemovedBehindTheServicesBackEndsItsLeaseAsLost() {
        String id = api.provision("busybox", "durationMinutes", 10);
        TestDocker.client()
                .removeContainerCmd(ManagedLabels.containerName(new LeaseId(id)))
                .withForce(true)
                .exec();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> "lost"
                        .equals(api.get("/api/containers/" + id)
                                .json()
                                .path("endReason")
                                .asText()));
    }

    @Test
    void orphansAreRemovedByTheFirstPassAndOtherInstancesAreLeftAlone() {
        server.close();
        String orphan = ManagedLabels.containerName(LeaseId.generate(Instant.now(), new Random()));
        String stranger = "containerlease-it-stranger-" + System.nanoTime();
        String strangerInstance = instance + "-other";
        create(
                orphan,
                Map.of(
                        ManagedLabels.INSTANCE,
                        instance,
                        ManagedLabels.LEASE_ID,
                        orphan.substring("containerlease-".length())));
        create(stranger, Map.of(ManagedLabels.INSTANCE, strangerInstance, ManagedLabels.LEASE_ID, "x"));
        try {
            startServer();
            // The API waits up to a second for the first pass's removals, so on a busy engine it may still be going.
            await().atMost(Duration.ofSeconds(10)).until(() -> !TestDocker.exists(orphan));
            assertThat(TestDocker.exists(stranger))
                    .as("another instance's container")
                    .isTrue();
        } finally {
            TestDocker.removeAllOf(strangerInstance);
        }
    }

    @Test
    void unexpiredLeasesKeepRunningAcrossARestartAndStillExpireOnTime() {
        String id = api.provision("busybox", "durationSeconds", 6);
        String name = ManagedLabels.containerName(new LeaseId(id));
        Instant expiry = Instant.parse(
                api.get("/api/containers/" + id).json().get("expiryTime").asText());
        server.close();
        assertThat(TestDocker.exists(name)).as("a stop leaves leases running").isTrue();

        startServer();
        assertThat(api.get("/api/containers/" + id).json().get("status").asText())
                .isEqualTo("running");
        await().atMost(Duration.ofSeconds(15))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> !TestDocker.exists(name));
        assertThat(Duration.between(expiry, Instant.now())).isLessThan(Duration.ofSeconds(2));
        assertThat(api.get("/api/containers/" + id).json().get("endReason").asText())
                .isEqualTo("expired");
    }

    private void startServer() {
        Map<String, String> env = new HashMap<>();
        env.put("PORT", "0");
        env.put("AUTH", "off");
        env.put("DATA_DIR", dataDir.toString());
        env.put("RECONCILE_INTERVAL_SECONDS", "1");
        server = ContainerLeaseServer.start(ServiceConfig.fromEnvironment(RunLabels.with(env)));
        api = new ApiClient(server.baseUrl());
    }

    private static void create(String name, Map<String, String> labels) {
        Map<String, String> all = new java.util.HashMap<>(RunLabels.labels());
        all.putAll(labels);
        String id = TestDocker.client()
                .createContainerCmd("containerlease/busybox:latest")
                .withName(name)
                .withLabels(all)
                .withCmd("sleep", "inf")
                .withHostConfig(HostConfig.newHostConfig().withNetworkMode("none"))
                .exec()
                .getId();
        TestDocker.client().startContainerCmd(id).exec();
    }
}
