package io.containerlease;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Container;
import io.containerlease.lease.LeaseId;
import io.containerlease.lease.ManagedLabels;
import io.containerlease.support.ApiClient;
import io.containerlease.support.ServerProcess;
import io.containerlease.support.TestDocker;
import io.containerlease.support.WsClient;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The warm pool on the real engine, with the built-in catalog (busybox keeps two containers
 * waiting): a provision gets a waiting container, hardened exactly as one made for it would be and
 * usable at once; after a kill -9 the waiting containers are taken back, not made again, and the one
 * that was leased stays its lease's; a server told to drain on stop leaves none behind.
 */
@Timeout(180)
class WarmPoolIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private ServerProcess server;
    private String instance;

    @AfterEach
    void stop() {
        if (server != null) {
            server.kill9();
        }
        if (instance != null) {
            TestDocker.removeAllOf(instance);
        }
    }

    private ServerProcess start(Map<String, String> more) {
        Map<String, String> env =
                new java.util.HashMap<>(Map.of("POOL_MAX_TOTAL", "4", "RECONCILE_INTERVAL_SECONDS", "1"));
        env.putAll(more);
        server = ServerProcess.start(dir.resolve("data"), env).awaitReady(Duration.ofSeconds(60));
        instance = server.instanceId();
        return server;
    }

    private static int waiting(ApiClient api) {
        return api.get("/healthz").json().at("/warmPool/busybox/waiting").asInt();
    }

    private Set<String> pooledContainers() {
        return TestDocker.containersOf(instance).stream()
                .filter(c -> c.getLabels().containsKey(ManagedLabels.POOL))
                .map(Container::getId)
                .collect(Collectors.toSet());
    }

    private static InspectContainerResponse.ContainerState stateOf(String id) {
        return TestDocker.client().inspectContainerCmd(id).exec().getState();
    }

    @Test
    void aProvisionGetsAWaitingContainerHardenedLikeAnyOther() throws Exception {
        ApiClient api = new ApiClient(start(Map.of()).baseUrl());
        await().atMost(WAIT).until(() -> waiting(api) == 2);
        assertThat(api.get("/healthz").json().at("/warmPool/busybox/target").asInt())
                .isEqualTo(2);
        Set<String> waitingBefore = pooledContainers();

        var warm = api.post("/api/provision", "{\"imageType\":\"busybox\",\"durationMinutes\":5}");
        assertThat(warm.status()).as(warm.body()).isEqualTo(201);
        String warmId = warm.json().get("id").asText();
        String warmContainer = TestDocker.client()
                .inspectContainerCmd(ManagedLabels.containerName(new LeaseId(warmId)))
                .exec()
                .getId();
        assertThat(waitingBefore).contains(warmContainer);
        // A request with its own environment cannot take one: it gets a container made for it.
        var cold = api.post(
                "/api/provision", "{\"imageType\":\"busybox\",\"durationMinutes\":5,\"env\":{\"GREETING\":\"hi\"}}");
        assertThat(cold.status()).as(cold.body()).isEqualTo(201);
        String coldContainer =
                ManagedLabels.containerName(new LeaseId(cold.json().get("id").asText()));

        // Both containers get the same hardening: user, capabilities, limits, read-only paths, network.
        var warmHost =
                TestDocker.client().inspectContainerCmd(warmContainer).exec().getHostConfig();
        var coldHost =
                TestDocker.client().inspectContainerCmd(coldContainer).exec().getHostConfig();
        assertThat(warmHost.getCapDrop()).isEqualTo(coldHost.getCapDrop());
        assertThat(warmHost.getSecurityOpts()).isEqualTo(coldHost.getSecurityOpts());
        assertThat(warmHost.getMemory()).isEqualTo(coldHost.getMemory());
        assertThat(warmHost.getNanoCPUs()).isEqualTo(coldHost.getNanoCPUs());
        assertThat(warmHost.getPidsLimit()).isEqualTo(coldHost.getPidsLimit());
        assertThat(warmHost.getNetworkMode()).isEqualTo(coldHost.getNetworkMode());
        assertThat(warmHost.getReadonlyRootfs()).isEqualTo(coldHost.getReadonlyRootfs());

        // Usable at once, like any lease: a terminal, and the lease's own state.
        try (WsClient term = WsClient.connect(server.baseUrl(), "/ws/terminal/" + warmId)) {
            term.sendBytes("echo warm-''ok\n");
            term.awaitOutput("warm-ok", WAIT);
        }
        assertThat(api.get("/api/containers/" + warmId)
                        .json()
                        .at("/container/state")
                        .asText())
                .isEqualTo("running");
        await().atMost(WAIT).until(() -> waiting(api) == 2); // refilled behind it
        assertThat(api.get("/metrics").body())
                .contains("containerlease_pool_hits_total{imageType=\"busybox\"} 1.0")
                .contains("containerlease_pool_misses_total{imageType=\"busybox\",reason=\"env\"} 1.0");

        assertThat(api.delete("/api/containers/" + warmId).status()).isEqualTo(200);
        assertThat(TestDocker.exists(warmContainer)).isFalse();
    }

    @Test
    void afterAKill9TheWaitingContainersAreTakenBackAndTheLeasedOneStaysItsLeases() {
        ApiClient api = new ApiClient(start(Map.of()).baseUrl());
        await().atMost(WAIT).until(() -> waiting(api) == 2);
        String leased = api.provision("busybox", "durationMinutes", 5);
        await().atMost(WAIT).until(() -> waiting(api) == 2);
        Set<String> pooledBefore = pooledContainers(); // the two waiting, and the one leased
        assertThat(pooledBefore).hasSize(3);

        // With no server alive, each holds its own deadline: the waiting ones their pool deadline (the label's), the
        // leased one its lease's.
        Instant leasedExpiry = Instant.parse(
                api.get("/api/containers/" + leased).json().get("expiryTime").asText());
        await().atMost(WAIT)
                .until(() -> Instant.parse(api.get("/api/containers/" + leased)
                                .json()
                                .get("containerDeadline")
                                .asText())
                        .equals(leasedExpiry.plusSeconds(60)));
        server.kill9();
        for (String id : pooledBefore) {
            Instant label = Instant.parse(TestDocker.client()
                    .inspectContainerCmd(id)
                    .exec()
                    .getConfig()
                    .getLabels()
                    .get(ManagedLabels.DEADLINE));
            boolean isLeased = id.equals(TestDocker.client()
                    .inspectContainerCmd(ManagedLabels.containerName(new LeaseId(leased)))
                    .exec()
                    .getId());
            Instant expected = isLeased
                    ? io.containerlease.runtime.docker.DockerDeadlines.asHeld(leasedExpiry.plusSeconds(60))
                    : label;
            assertThat(TestDocker.heldDeadline(id))
                    .as(isLeased ? "the leased one" : "a waiting one")
                    .contains(expected);
            assertThat(label)
                    .as("a waiting container's deadline leaves a whole lease after its wait")
                    .isAfter(Instant.now().plus(Duration.ofMinutes(60)));
        }
        ApiClient again = new ApiClient(start(Map.of()).baseUrl());
        assertThat(waiting(again)).isEqualTo(2);
        // Nothing removed or made: the same three containers, two waiting and one leased.
        Set<String> pooledAfter = pooledContainers();
        assertThat(pooledAfter).isEqualTo(pooledBefore);
        pooledAfter.forEach(id -> assertThat(stateOf(id).getRunning()).isTrue());
        assertThat(again.get("/api/containers/" + leased).json().get("status").asText())
                .isEqualTo("running");
        // The next provision takes one of the two that waited, never the leased one.
        String next = again.provision("busybox", "durationMinutes", 5);
        String nextContainer = TestDocker.client()
                .inspectContainerCmd(ManagedLabels.containerName(new LeaseId(next)))
                .exec()
                .getId();
        String leasedContainer = TestDocker.client()
                .inspectContainerCmd(ManagedLabels.containerName(new LeaseId(leased)))
                .exec()
                .getId();
        assertThat(pooledBefore).contains(nextContainer);
        assertThat(nextContainer).isNotEqualTo(leasedContainer);
    }

    @Test
    void aServerThatDrainsOnStopLeavesNoWaitingContainer() {
        ApiClient api =
                new ApiClient(start(Map.of("POOL_DRAIN_ON_STOP", "true")).baseUrl());
        await().atMost(WAIT).until(() -> waiting(api) == 2);
        String leased = api.provision("busybox", "durationMinutes", 5);
        await().atMost(WAIT).until(() -> waiting(api) == 2);
        server.close(); // SIGTERM: an orderly stop
        List<Container> left = TestDocker.containersOf(instance);
        // The leased container outlives the server (leases survive a restart); the pool's do not.
        assertThat(left)
                .extracting(c -> c.getLabels().get(ManagedLabels.LEASE_ID))
                .containsExactly(leased);
    }
}
