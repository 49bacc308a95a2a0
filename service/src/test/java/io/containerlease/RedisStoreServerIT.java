package io.containerlease;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.containerlease.config.ServiceConfig;
import io.containerlease.lease.LeaseId;
import io.containerlease.lease.ManagedLabels;
import io.containerlease.support.ApiClient;
import io.containerlease.support.RedisServer;
import io.containerlease.support.RunLabels;
import io.containerlease.support.TestDocker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole server on a Redis store (a real, private redis-server) and the real engine: leases live,
 * expire and survive a restart of the server as on SQLite; while Redis is down, requests that need
 * the store answer 503 store_unavailable and containers keep running; when it is back, so is the
 * service, and what came due meanwhile is removed.
 */
@Timeout(180)
class RedisStoreServerIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private RedisServer redis;
    private ContainerLeaseServer server;
    private String instance;

    private ContainerLeaseServer start() {
        ContainerLeaseServer started = ContainerLeaseServer.start(ServiceConfig.fromEnvironment(RunLabels.with(Map.of(
                "PORT",
                "0",
                "AUTH",
                "off",
                "DATA_DIR",
                dir.resolve("data").toString(),
                "STORE",
                redis.url(),
                "RECONCILE_INTERVAL_SECONDS",
                "1"))));
        instance = started.instanceId();
        return started;
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        if (instance != null) {
            TestDocker.removeAllOf(instance);
        }
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void leasesLiveExpireAndSurviveARestartOnRedis() {
        redis = RedisServer.start(dir.resolve("redis"));
        server = start();
        ApiClient api = new ApiClient(server.baseUrl());
        String kept = api.provision("busybox", "durationMinutes", 5);
        String brief = api.provision("busybox", "durationSeconds", 2);
        assertThat(api.post("/api/containers/" + kept + "/extend", "{\"durationMinutes\":1}")
                        .status())
                .isEqualTo(200);
        assertThat(api.get("/api/containers").json().get("containers")).hasSize(2);
        await().atMost(WAIT)
                .until(() -> api.get("/api/containers/" + brief)
                        .json()
                        .get("status")
                        .asText()
                        .equals("ended"));
        assertThat(api.get("/api/containers/" + brief).json().get("endReason").asText())
                .isEqualTo("expired");
        assertThat(TestDocker.exists(ManagedLabels.containerName(new LeaseId(brief))))
                .isFalse();

        server.close();
        server = start();
        ApiClient again = new ApiClient(server.baseUrl());
        assertThat(again.get("/api/containers/" + kept).json().get("status").asText())
                .isEqualTo("running");
        assertThat(again.get("/api/activity?leaseId=" + kept).json().get("entries"))
                .hasSizeGreaterThanOrEqualTo(2);
        assertThat(again.delete("/api/containers/" + kept).status()).isEqualTo(200);
    }

    @Test
    void whileRedisIsDownTheStoreIsUnavailableAndContainersKeepRunning() {
        redis = RedisServer.start(dir.resolve("redis"));
        server = start();
        ApiClient api = new ApiClient(server.baseUrl());
        String running = api.provision("busybox", "durationMinutes", 5);
        String dueWhileDown = api.provision("busybox", "durationSeconds", 3);

        redis.kill();
        var refused = api.post("/api/provision", "{\"imageType\":\"busybox\",\"durationMinutes\":5}");
        ApiClient.assertError(refused, 503, "store_unavailable");
        ApiClient.assertError(api.get("/api/containers/" + running), 503, "store_unavailable");
        assertThat(api.get("/healthz").status()).isEqualTo(503);
        assertThat(TestDocker.exists(ManagedLabels.containerName(new LeaseId(running))))
                .isTrue();

        redis.restart();
        await().atMost(WAIT).ignoreExceptions().until(() -> api.get("/healthz").status() == 200);
        assertThat(api.get("/api/containers/" + running).json().get("status").asText())
                .isEqualTo("running");
        // Its expiry timer fired while Redis was down; the retry or the reconciler ends it now.
        await().atMost(WAIT)
                .until(() -> api.get("/api/containers/" + dueWhileDown)
                        .json()
                        .get("status")
                        .asText()
                        .equals("ended"));
        assertThat(TestDocker.exists(ManagedLabels.containerName(new LeaseId(dueWhileDown))))
                .isFalse();
        assertThat(api.post("/api/provision", "{\"imageType\":\"busybox\",\"durationMinutes\":5}")
                        .status())
                .isEqualTo(201);
    }
}
