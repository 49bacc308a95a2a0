package io.containerlease.api;

import static io.containerlease.support.ApiClient.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.containerlease.support.ApiClient;
import io.containerlease.support.LeaseWorld;
import io.containerlease.support.RunningApi;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** GET /api/containers/{id}/stats on the fake engine: one stream per watched lease, closed when nobody asks. */
class UsageApiTest {
    private RunningApi api;
    private LeaseWorld world;
    private ApiClient client;

    @BeforeEach
    void start() {
        api = RunningApi.open();
        world = api.world;
        client = api.client();
    }

    @AfterEach
    void stop() {
        api.close();
    }

    @Test
    void aLeaseUsageIsMeasuredWhileSomeoneAsksAndOneStreamServesEveryQuestion() {
        String id = client.provision("busybox", "durationMinutes", 10);
        JsonNode stats = client.get("/api/containers/" + id + "/stats").json();
        assertThat(stats.get("cpuPercent").asDouble()).isEqualTo(12.5);
        assertThat(stats.get("memoryBytes").asLong()).isEqualTo(3L << 20);
        assertThat(stats.get("memoryLimitBytes").asLong()).isEqualTo(128L << 20);
        assertThat(stats.get("pids").asLong()).isEqualTo(3);
        assertThat(stats.get("pidsLimit").asLong()).isEqualTo(64);
        assertThat(stats.get("blockReadBytes").asLong()).isEqualTo(4096);
        client.get("/api/containers/" + id + "/stats");
        assertThat(world.usageStreams.get()).isEqualTo(1);
        assertThat(world.usage.watched()).isEqualTo(1);
        world.scheduler.advance(Duration.ofSeconds(60)); // nobody asked for longer than 30 s
        assertThat(world.usage.watched()).isZero();
    }

    @Test
    void aStoppedContainerHasNoUsageAndTooManyWatchedIsRetryable() {
        String a = client.provision("busybox", "durationMinutes", 10);
        client.post("/api/containers/" + a + "/stop", null);
        assertError(client.get("/api/containers/" + a + "/stats"), 409, "container_not_running");
        client.post("/api/containers/" + a + "/start", null);
        client.get("/api/containers/" + a + "/stats");
        client.get("/api/containers/" + client.provision("busybox", "durationMinutes", 10) + "/stats");
        var third = client.get("/api/containers/" + client.provision("busybox", "durationMinutes", 10) + "/stats");
        assertError(third, 503, "stats_unavailable");
        assertThat(third.json().at("/error/retryable").asBoolean()).isTrue();
    }

    @Test
    void theMetricsCountContainersByState() {
        String id = client.provision("busybox", "durationMinutes", 10);
        client.post("/api/containers/" + id + "/pause", null);
        String metrics = client.get("/metrics").body();
        assertThat(metrics)
                .contains(
                        "containerlease_containers{state=\"paused\"} 1.0",
                        "containerlease_containers{state=\"running\"} 0.0");
    }
}
