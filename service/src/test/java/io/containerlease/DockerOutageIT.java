package io.containerlease;

import static io.containerlease.support.ApiClient.assertError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.containerlease.config.ServiceConfig;
import io.containerlease.lease.LeaseId;
import io.containerlease.lease.ManagedLabels;
import io.containerlease.support.ApiClient;
import io.containerlease.support.RunLabels;
import io.containerlease.support.SocketProxy;
import io.containerlease.support.TestDocker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The engine becomes unreachable while the server runs, then comes back. */
@Timeout(180)
class DockerOutageIT {
    @TempDir
    Path dataDir;

    private SocketProxy proxy;
    private ContainerLeaseServer server;
    private ApiClient api;

    @BeforeEach
    void start() {
        proxy = SocketProxy.unix(dataDir.resolve("docker.sock"), Path.of("/var/run/docker.sock"));
        server = ContainerLeaseServer.start(ServiceConfig.fromEnvironment(RunLabels.with(Map.of(
                "PORT",
                "0",
                "AUTH",
                "off",
                "DATA_DIR",
                dataDir.toString(),
                "DOCKER_HOST",
                proxy.dockerHost(),
                "RECONCILE_INTERVAL_SECONDS",
                "1",
                "RATE_LIMIT_PER_MINUTE",
                "1000000"))));
        api = new ApiClient(server.baseUrl());
    }

    @AfterEach
    void stop() {
        server.close();
        proxy.close();
        TestDocker.removeAllOf(server.instanceId());
    }

    @Test
    void provisioningAnswers503WhileReadsWorkAndTheServiceRecoversByItself() {
        String before = api.provision("busybox", "durationMinutes", 10);

        proxy.cut();
        assertError(
                api.post("/api/provision", "{\"imageType\":\"busybox\",\"durationMinutes\":1}"),
                503,
                "docker_unavailable");
        assertThat(api.get("/api/containers/" + before).json().get("status").asText())
                .isEqualTo("running");
        assertThat(api.get("/api/containers").status()).isEqualTo(200);
        var health = api.get("/healthz");
        assertThat(health.status()).isEqualTo(503);
        assertThat(health.json().at("/checks/docker").asText()).isNotEqualTo("ok");
        assertThat(health.json().at("/checks/store").asText()).isEqualTo("ok");

        proxy.restore();
        await().atMost(Duration.ofSeconds(20)).until(() -> api.get("/healthz").status() == 200);
        String after = api.provision("busybox", "durationMinutes", 10);
        assertThat(api.get("/api/containers/" + after).json().get("status").asText())
                .isEqualTo("running");

        // The provision that failed during the outage left no container and no live lease.
        await().atMost(Duration.ofSeconds(20))
                .until(() -> TestDocker.containersOf(server.instanceId()).size() == 2);
        assertThat(api.get("/api/containers").json().get("containers")).hasSize(2);
        var failed = api.get("/api/containers?all=true").json().get("containers");
        assertThat(failed).hasSize(3);
        assertThat(failed.findValuesAsText("endReason")).containsExactly("failed");
    }

    /**
     * The engine's event stream cut while containers change behind the service's back, then
     * restored: the service follows the stream again and asks every lease's container again, so no
     * state is left stale, whatever events were missed.
     */
    @Test
    void aCutEventStreamIsFollowedAgainAndNoContainerStateIsLeftStale() throws Exception {
        List<String> ids = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(api.provision("busybox", "durationMinutes", 10));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> ids.stream().allMatch(id -> "running".equals(state(id))));
        var readers = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();
        var reading = new java.util.concurrent.atomic.AtomicBoolean(true);
        for (int r = 0; r < 4; r++) {
            readers.submit(() -> {
                while (reading.get()) {
                    api.get("/api/containers");
                }
                return null;
            });
        }
        proxy.cut();
        var docker = TestDocker.client();
        for (String id : ids.subList(0, 2)) {
            docker.pauseContainerCmd(ManagedLabels.containerName(new LeaseId(id)))
                    .exec();
        }
        docker.killContainerCmd(ManagedLabels.containerName(new LeaseId(ids.get(2))))
                .exec();
        Thread.sleep(1500);
        proxy.restore();
        docker.pauseContainerCmd(ManagedLabels.containerName(new LeaseId(ids.get(3))))
                .exec();
        await().atMost(Duration.ofSeconds(40))
                .untilAsserted(() -> assertThat(ids.stream().map(this::state).toList())
                        .containsExactly("paused", "paused", "exited", "paused", "running"));
        reading.set(false);
        readers.shutdown();
    }

    private String state(String id) {
        return api.get("/api/containers/" + id).json().at("/container/state").asText();
    }
}
