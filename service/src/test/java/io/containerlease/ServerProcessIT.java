package io.containerlease;

import static org.assertj.core.api.Assertions.assertThat;

import io.containerlease.lease.LeaseId;
import io.containerlease.lease.ManagedLabels;
import io.containerlease.support.ApiClient;
import io.containerlease.support.ServerProcess;
import io.containerlease.support.TestDocker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server as an operator runs it: it refuses to start, clearly and with a non-zero exit, when it
 * cannot work, and a SIGTERM stops it in order while its leases keep running.
 */
@Timeout(180)
class ServerProcessIT {
    @TempDir
    Path dataDir;

    @Test
    void noDockerEngineNamesDockerHostAndHowToStartOne() {
        ServerProcess server =
                ServerProcess.start(dataDir, Map.of("DOCKER_HOST", "unix:///tmp/containerlease-no-such.sock"));
        assertThat(server.awaitExit(Duration.ofSeconds(30))).isEqualTo(3);
        assertThat(server.output()).contains("DOCKER_HOST=unix:///tmp/containerlease-no-such.sock", "dockerd");
    }

    @Test
    void invalidConfigurationListsEveryProblem() {
        ServerProcess server = ServerProcess.start(dataDir, Map.of("PORT", "eighty", "LOG_FORMAT", "xml"));
        assertThat(server.awaitExit(Duration.ofSeconds(30))).isEqualTo(2);
        assertThat(server.output()).contains("PORT: 'eighty' is not a whole number", "LOG_FORMAT");
    }

    @Test
    void aSecondServerOnTheSameDataDirIsRefused() {
        try (ServerProcess first = ServerProcess.start(dataDir, Map.of()).awaitReady(Duration.ofSeconds(60))) {
            ServerProcess second = ServerProcess.start(dataDir, Map.of());
            assertThat(second.awaitExit(Duration.ofSeconds(30))).isEqualTo(3);
            assertThat(second.output()).contains("another ContainerLease server is already using DATA_DIR");
        }
    }

    @Test
    void sigtermStopsInOrderAndLeavesLeasesForTheNextStart() {
        String id;
        String name;
        try (ServerProcess server = ServerProcess.start(dataDir, Map.of()).awaitReady(Duration.ofSeconds(60))) {
            id = new ApiClient(server.baseUrl()).provision("busybox", "durationMinutes", 10);
            name = ManagedLabels.containerName(new LeaseId(id));
            server.close();
            assertThat(server.output()).contains("stopping: leases stay running");
        }
        try {
            assertThat(TestDocker.exists(name)).isTrue();
            try (ServerProcess again = ServerProcess.start(dataDir, Map.of()).awaitReady(Duration.ofSeconds(60))) {
                ApiClient api = new ApiClient(again.baseUrl());
                assertThat(api.get("/api/containers/" + id).json().get("status").asText())
                        .isEqualTo("running");
                assertThat(api.delete("/api/containers/" + id).status()).isEqualTo(200);
            }
        } finally {
            TestDocker.removeIfPresent(name);
        }
    }
}
