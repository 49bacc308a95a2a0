package io.containerlease;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.containerlease.lease.LeaseId;
import io.containerlease.lease.ManagedLabels;
import io.containerlease.support.ApiClient;
import io.containerlease.support.RedisServer;
import io.containerlease.support.ServerProcess;
import io.containerlease.support.TestDocker;
import io.containerlease.support.WsClient;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two server processes on one Redis store and one engine: either serves any lease; when one is
 * killed, the other takes over its leases (they still end on time); when one is frozen past its
 * heartbeat (SIGSTOP) and thawed, it can no longer end or remove what it lost.
 */
@Timeout(240)
class MultiInstanceIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** Heartbeat every second: declared dead after three missed beats. */
    private static final Duration HEARTBEAT = Duration.ofSeconds(1);

    @TempDir
    Path dir;

    private RedisServer redis;
    private final List<ServerProcess> servers = new ArrayList<>();

    @BeforeEach
    void startRedis() {
        redis = RedisServer.start(dir.resolve("redis"));
    }

    @AfterEach
    void stop() {
        String cluster = servers.isEmpty() ? null : servers.get(0).instanceIdOnRedis(redis.url());
        servers.forEach(ServerProcess::kill9);
        if (cluster != null) {
            TestDocker.removeAllOf(cluster);
        }
        redis.close();
    }

    private ServerProcess start(String name) {
        return start(name, Map.of());
    }

    private ServerProcess start(String name, Map<String, String> more) {
        Map<String, String> env = new java.util.HashMap<>(Map.of(
                "STORE",
                redis.url(),
                "HEARTBEAT_SECONDS",
                Long.toString(HEARTBEAT.toSeconds()),
                "RECONCILE_INTERVAL_SECONDS",
                "1"));
        env.putAll(more);
        ServerProcess server = ServerProcess.start(dir.resolve(name), env).awaitReady(Duration.ofSeconds(60));
        servers.add(server);
        return server;
    }

    private static JsonNode lease(ApiClient api, String id) {
        return api.get("/api/containers/" + id).json();
    }

    private static boolean containerExists(String id) {
        return TestDocker.exists(ManagedLabels.containerName(new LeaseId(id)));
    }

    @Test
    void whenOneServerIsKilledTheOtherEndsItsLeasesOnTime() throws Exception {
        ServerProcess a = start("a");
        ServerProcess b = start("b");
        ApiClient viaA = new ApiClient(a.baseUrl());
        ApiClient viaB = new ApiClient(b.baseUrl());
        WsClient eventsOnB = WsClient.connect(b.baseUrl(), "/ws/events");
        eventsOnB.awaitType("subscribed", WAIT);
        String brief = viaA.provision("busybox", "durationSeconds", 8);
        String kept = viaA.provision("busybox", "durationMinutes", 5);
        // Events happen on one server and reach the subscribers of every other.
        eventsOnB.await(
                e -> "lease.running".equals(e.path("type").asText())
                        && kept.equals(e.path("leaseId").asText()),
                WAIT);
        eventsOnB.close();

        // Any server serves any lease: the list, the lease, and a terminal through the one that did not make it.
        assertThat(viaB.get("/api/containers").json().get("containers")).hasSize(2);
        // Its container's state too, kept by the server that holds it and followed here.
        await().atMost(WAIT)
                .until(() -> "running"
                        .equals(lease(viaB, kept).at("/container/state").asText()));
        // A lease released through one server closes the connections to it through another.
        String released = viaA.provision("busybox", "durationMinutes", 5);
        try (WsClient logsThroughA = WsClient.connect(a.baseUrl(), "/ws/logs/" + released)) {
            Thread.sleep(300);
            assertThat(viaB.delete("/api/containers/" + released).status()).isEqualTo(200);
            assertThat(logsThroughA.awaitType("ended", WAIT).get("reason").asText())
                    .isEqualTo("released");
        }
        try (WsClient term = WsClient.connect(b.baseUrl(), "/ws/terminal/" + kept)) {
            term.sendBytes("echo through-''b\n");
            term.awaitOutput("through-b", WAIT);
        }

        a.kill9();
        await().atMost(WAIT)
                .until(() -> lease(viaB, brief).get("status").asText().equals("ended"));
        JsonNode ended = lease(viaB, brief);
        assertThat(ended.get("endReason").asText()).isEqualTo("expired");
        Duration lag = Duration.between(
                Instant.parse(ended.get("expiryTime").asText()),
                Instant.parse(ended.get("endedAt").asText()));
        // Three missed beats, the takeover, and the removal: well within ten seconds on any machine.
        assertThat(lag).isLessThan(Duration.ofSeconds(10));
        assertThat(containerExists(brief)).isFalse();

        assertThat(lease(viaB, kept).get("status").asText()).isEqualTo("running");
        assertThat(containerExists(kept)).isTrue();
        assertThat(viaB.delete("/api/containers/" + kept).status()).isEqualTo(200);
        assertThat(containerExists(kept)).isFalse();
    }

    @Test
    void theProgramInsideIsReachedThroughAnyServerEvenAfterItsHolderDied() throws Exception {
        Path catalog = java.nio.file.Files.writeString(dir.resolve("catalog.yaml"), ProgramIT.CATALOG);
        ServerProcess a = start("a", Map.of("IMAGE_CATALOG", catalog.toString()));
        ServerProcess b = start("b", Map.of("IMAGE_CATALOG", catalog.toString()));
        ApiClient viaA = new ApiClient(a.baseUrl());
        ApiClient viaB = new ApiClient(b.baseUrl());
        String app = viaA.provision("app", "durationMinutes", 5);
        String code = "/api/containers/" + app + "/code";

        // Code updated through the server that does not hold the lease, listed alike through both.
        var v2 = viaB.sendBytes("PUT", code, ProgramIT.answering("v2"), "application/gzip");
        assertThat(v2.status()).as(v2.body()).isEqualTo(200);
        assertThat(v2.json().get("status").asText()).isEqualTo("active");
        assertThat(viaA.get(code).json()).isEqualTo(viaB.get(code).json());
        assertThat(viaA.get(code).json().get("active").asInt()).isEqualTo(2);
        // A message through b reaches the program over a's connection, and its reply comes back.
        assertThat(answer(viaB, app)).isEqualTo("v2");
        assertThat(viaB.get("/api/containers/" + app + "/channel")
                        .json()
                        .get("connected")
                        .asBoolean())
                .isTrue();

        // The duplex socket through b: frames go to the program and what it sends comes back.
        String echo = viaA.provision("echo", "durationMinutes", 5);
        await().atMost(WAIT)
                .until(() -> viaA.get("/api/containers/" + echo + "/channel")
                        .json()
                        .get("connected")
                        .asBoolean());
        try (WsClient ws = WsClient.connect(b.baseUrl(), "/ws/channel/" + echo)) {
            assertThat(ws.awaitType("status", WAIT).get("connected").asBoolean())
                    .isTrue();
            ws.sendText("{\"id\":\"via-b\",\"type\":\"ping\",\"payload\":{\"x\":1}}");
            assertThat(ws.awaitType("frame", WAIT).at("/frame/id").asText()).isEqualTo("via-b");
        }

        // A stop through b is a stop to a (which holds the lease), not an exit.
        String plain = viaA.provision("busybox", "durationMinutes", 5);
        assertThat(viaB.post("/api/containers/" + plain + "/stop", "{\"timeoutSeconds\":0}")
                        .status())
                .isEqualTo(200);
        await().atMost(WAIT)
                .until(() -> lease(viaA, plain).at("/container/state").asText().equals("stopped"));

        a.kill9();
        // b takes the lease over, finds the program's socket where the container has it, and keeps its code versions.
        assertThat(await().atMost(WAIT).until(() -> answerOrEmpty(viaB, app), v -> v.equals("v2")))
                .isEqualTo("v2");
        var v3 = viaB.sendBytes("PUT", code, ProgramIT.answering("v3"), "application/gzip");
        assertThat(v3.status()).as(v3.body()).isEqualTo(200);
        assertThat(v3.json().get("version").asInt()).isEqualTo(3);
        assertThat(answer(viaB, app)).isEqualTo("v3");
        var back = viaB.post(code + "/rollback", "{\"version\":2}");
        assertThat(back.status()).as(back.body()).isEqualTo(200);
        assertThat(answer(viaB, app)).isEqualTo("v2");
    }

    /** What the program of an {@code app} lease answers to a message: the name of its code version. */
    private static String answer(ApiClient api, String id) {
        return await().atMost(WAIT).until(() -> answerOrEmpty(api, id), v -> !v.isEmpty());
    }

    private static String answerOrEmpty(ApiClient api, String id) {
        var reply = api.post("/api/containers/" + id + "/messages", "{\"payload\":{},\"timeoutMs\":2000}");
        return reply.status() == 200 ? reply.json().at("/reply/payload/version").asText() : "";
    }

    @Test
    void aConnectionThroughOneServerKeepsTheGraceOfAnotherAtBay() throws Exception {
        ServerProcess a = start("a");
        ServerProcess b = start("b");
        ApiClient viaA = new ApiClient(a.baseUrl());
        var provisioned = viaA.post(
                "/api/provision", "{\"imageType\":\"busybox\",\"durationMinutes\":5,\"disconnectGraceSeconds\":2}");
        assertThat(provisioned.status()).as(provisioned.body()).isEqualTo(201);
        String id = provisioned.json().get("id").asText();
        WsClient throughA = WsClient.connect(a.baseUrl(), "/ws/logs/" + id);
        WsClient throughB = WsClient.connect(b.baseUrl(), "/ws/logs/" + id);
        Thread.sleep(500); // both connections counted, and each server told of the other's
        throughA.close();
        Thread.sleep(4000); // twice the grace: a's grace must not have started while b holds a connection
        assertThat(lease(viaA, id).get("status").asText()).isEqualTo("running");
        throughB.close();
        await().atMost(WAIT).until(() -> lease(viaA, id).get("status").asText().equals("ended"));
        assertThat(lease(viaA, id).get("endReason").asText()).isEqualTo("disconnected");
    }

    @Test
    void aServerFrozenPastItsHeartbeatCannotEndWhatItLost() throws Exception {
        ServerProcess a = start("a");
        ServerProcess b = start("b");
        ApiClient viaA = new ApiClient(a.baseUrl());
        ApiClient viaB = new ApiClient(b.baseUrl());
        String extended = viaA.provision("busybox", "durationSeconds", 6);
        String expiring = viaA.provision("busybox", "durationSeconds", 6);

        a.freeze(true);
        Instant frozenAt = Instant.now();
        // B takes over A's leases once A misses three beats; extending through B moves one past A's timer.
        await().atMost(WAIT)
                .until(() -> viaB.post("/api/containers/" + extended + "/extend", "{\"durationMinutes\":5}")
                                .status()
                        == 200);
        await().atMost(WAIT)
                .until(() -> lease(viaB, expiring).get("status").asText().equals("ended"));
        String madeByB = viaB.provision("busybox", "durationMinutes", 5);
        Thread.sleep(Math.max(
                0,
                Duration.ofSeconds(8)
                        .minus(Duration.between(frozenAt, Instant.now()))
                        .toMillis()));

        a.freeze(false);
        // A wakes with overdue timers and a stale view; give it a few heartbeats and reconcile passes to misbehave in.
        Thread.sleep(4000);
        assertThat(lease(viaB, extended).get("status").asText()).isEqualTo("running");
        assertThat(containerExists(extended)).isTrue();
        assertThat(lease(viaB, madeByB).get("status").asText()).isEqualTo("running");
        assertThat(containerExists(madeByB)).isTrue();
        assertThat(a.output()).contains("heartbeat had lapsed");
        // A serves requests again, as a server that holds nothing of what it lost.
        assertThat(viaA.get("/api/containers/" + madeByB).status()).isEqualTo(200);
        assertThat(viaA.delete("/api/containers/" + extended).status()).isEqualTo(200);
        assertThat(containerExists(extended)).isFalse();
    }
}
