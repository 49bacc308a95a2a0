package io.containerlease;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.containerlease.config.ServiceConfig;
import io.containerlease.lease.LeaseId;
import io.containerlease.lease.ManagedLabels;
import io.containerlease.support.ApiClient;
import io.containerlease.support.RunLabels;
import io.containerlease.support.ServerProcess;
import io.containerlease.support.TarGz;
import io.containerlease.support.TestDocker;
import io.containerlease.support.WsClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Talking to the program inside a lease on the real engine: request and reply over the Unix-socket
 * channel, unprompted messages, timeouts, a program that is down and comes back, the limit on
 * waiting requests; code updates that succeed, fail and are rolled back, and hostile archives; and
 * nothing (code volume, container) outliving its lease, even after a kill -9. (What a hostile
 * tenant can do to its channel: HostileTenantIT.)
 */
@Timeout(240)
class ProgramIT {
    private static final Duration WAIT = Duration.ofSeconds(20);
    static final String CATALOG = """
            images:
              echo:
                image: containerlease/busybox:latest
                command: ["socat", "UNIX-LISTEN:/run/containerlease/channel.sock,fork,unlink-early", "EXEC:cat"]
                pullPolicy: never
                channel: true
              echo-nobody:
                image: containerlease/busybox:latest
                command: ["socat", "UNIX-LISTEN:/run/containerlease/channel.sock,fork,unlink-early", "EXEC:cat"]
                user: "65534:65534"
                pullPolicy: never
                channel: true
              silent:
                image: containerlease/busybox:latest
                command: ["socat", "UNIX-LISTEN:/run/containerlease/channel.sock,fork,unlink-early", "SYSTEM:cat >/dev/null"]
                pullPolicy: never
                channel: true
              app:
                image: containerlease/busybox:latest
                command: ["sh", "-c", "[ -f /app/start.sh ] && exec sh /app/start.sh; exec sleep inf"]
                pullPolicy: never
                channel: true
                code: {path: /app, healthCheck: {graceSeconds: 1}}
              busybox:
                image: containerlease/busybox:latest
                command: ["sleep", "inf"]
                pullPolicy: never
            """;

    @TempDir
    Path dataDir;

    private ContainerLeaseServer server;
    private ApiClient api;
    private final List<ServerProcess> processes = new ArrayList<>();
    private final List<String> otherInstances = new ArrayList<>();

    @BeforeEach
    void start() throws IOException {
        server = ContainerLeaseServer.start(ServiceConfig.fromEnvironment(env(Map.of("PORT", "0"))));
        api = new ApiClient(server.baseUrl());
    }

    private Map<String, String> env(Map<String, String> more) throws IOException {
        Path catalog = Files.writeString(dataDir.resolve("catalog.yaml"), CATALOG);
        Map<String, String> env = new java.util.HashMap<>(Map.of(
                "AUTH",
                "off",
                "DATA_DIR",
                dataDir.resolve("data").toString(),
                "IMAGE_CATALOG",
                catalog.toString(),
                "RECONCILE_INTERVAL_SECONDS",
                "1"));
        env.putAll(more);
        return RunLabels.with(env);
    }

    @AfterEach
    void stop() {
        processes.forEach(ServerProcess::kill9);
        String instance = server.instanceId();
        server.close();
        TestDocker.removeAllOf(instance);
        otherInstances.forEach(TestDocker::removeAllOf);
    }

    private ApiClient.Response message(String id, String json) {
        return api.post("/api/containers/" + id + "/messages", json);
    }

    private void awaitConnected(String id, boolean connected) {
        await().atMost(WAIT)
                .until(() -> api.get("/api/containers/" + id + "/channel")
                                .json()
                                .get("connected")
                                .asBoolean()
                        == connected);
    }

    /** What the engine mounts into a lease's container: destination, type and source. */
    private static List<String> mounts(String id) {
        var inspect = TestDocker.client()
                .inspectContainerCmd(
                        io.containerlease.lease.ManagedLabels.containerName(new io.containerlease.lease.LeaseId(id)))
                .exec();
        return inspect.getMounts() == null
                ? List.of()
                : inspect.getMounts().stream()
                        .map(m -> m.getDestination().getPath() + " " + (m.getName() == null ? "bind" : "volume") + " "
                                + m.getRW())
                        .toList();
    }

    /** The start script of a code version that answers every request with its name. */
    static byte[] answering(String version) {
        return TarGz.archive().file("start.sh", """
                cat > /tmp/h <<'H'
                while IFS= read -r line; do
                  id=$(printf '%s' "$line" | sed -n 's/.*"id":"\\([^"]*\\)".*/\\1/p')
                  printf '{"id":"%s","type":"reply","payload":{"version":"VERSION"}}\\n' "$id"
                done
                H
                exec socat UNIX-LISTEN:$CONTAINERLEASE_CHANNEL,fork,unlink-early EXEC:"sh /tmp/h"
                """.replace("VERSION", version)).bytes();
    }

    private String answeringVersion(String id) {
        awaitConnected(id, true);
        var r = await().atMost(WAIT)
                .until(() -> message(id, "{\"payload\":{}, \"timeoutMs\": 2000}"), m -> m.status() == 200);
        return r.json().at("/reply/payload/version").asText();
    }

    @Test
    void aMessageComesBackAsItsReplyAndTheChannelSaysSo() {
        String id = api.provision("echo", "durationMinutes", 5);
        assertThat(mounts(id))
                .as("no host path: the helper's volume, read-only")
                .containsExactly("/.containerlease volume false");
        awaitConnected(id, true);
        var r = message(id, "{\"payload\":{\"hello\":\"world\",\"n\":[1,2,3]}}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().at("/reply/payload/hello").asText()).isEqualTo("world");
        assertThat(r.json().at("/reply/payload/n/2").asInt()).isEqualTo(3);
        var fireAndForget = message(id, "{\"payload\":\"no answer wanted\",\"reply\":false}");
        assertThat(fireAndForget.json().has("reply")).isFalse();
        JsonNode status = api.get("/api/containers/" + id + "/channel").json();
        assertThat(status.get("connected").asBoolean()).isTrue();
        assertThat(status.get("sent").asLong()).isEqualTo(2);
        assertThat(status.get("received").asLong()).isGreaterThanOrEqualTo(1);
        assertThat(status.get("lastMessageAt").isTextual()).isTrue();

        // Refusals: a body that is not a message, an oversize payload, an image type without a channel.
        ApiClient.assertError(message(id, "{\"payload\":1,\"timeoutMs\":600000}"), 400, "invalid_field");
        ApiClient.assertError(message(id, "{\"nope\":1}"), 400, "unknown_field");
        ApiClient.assertError(message(id, "{\"payload\":\"" + "x".repeat(1 << 20) + "\"}"), 413, "payload_too_large");
        String plain = api.provision("busybox", "durationMinutes", 5);
        ApiClient.assertError(message(plain, "{\"payload\":1}"), 409, "channel_not_enabled");
        assertThat(mounts(plain))
                .as("our helper, as in every container")
                .containsExactly("/.containerlease volume false");
    }

    @Test
    void aProgramRunningAsAnotherUserServesItsSocketToo() {
        String id = api.provision("echo-nobody", "durationMinutes", 5);
        awaitConnected(id, true);
        assertThat(message(id, "{\"payload\":\"hi\"}")
                        .json()
                        .at("/reply/payload")
                        .asText())
                .isEqualTo("hi");
    }

    @Test
    void aRestartedServiceReachesTheProgramAgain() throws IOException {
        String id = api.provision("echo", "durationMinutes", 5);
        awaitConnected(id, true);
        server.close();
        server = ContainerLeaseServer.start(ServiceConfig.fromEnvironment(env(Map.of("PORT", "0"))));
        api = new ApiClient(server.baseUrl());
        awaitConnected(id, true);
        assertThat(message(id, "{\"payload\":\"again\"}")
                        .json()
                        .at("/reply/payload")
                        .asText())
                .isEqualTo("again");
    }

    @Test
    void theDuplexSocketPassesFramesBothWays() {
        String id = api.provision("echo", "durationMinutes", 5);
        awaitConnected(id, true);
        try (WsClient ws = WsClient.connect(server.baseUrl(), "/ws/channel/" + id)) {
            assertThat(ws.awaitType("status", WAIT).get("connected").asBoolean())
                    .isTrue();
            ws.sendText("{\"id\":\"mine-1\",\"type\":\"ping\",\"payload\":{\"x\":1}}");
            JsonNode frame = ws.awaitType("frame", WAIT).get("frame");
            assertThat(frame.get("id").asText()).isEqualTo("mine-1");
            assertThat(frame.get("type").asText()).isEqualTo("ping");
            ws.sendText("not json");
            assertThat(ws.awaitType("error", WAIT).get("code").asText()).isEqualTo("malformed_frame");
        }
    }

    @Test
    void noReplyInTimeIsATimeoutAndAtMost64RequestsWait() throws Exception {
        String id = api.provision("silent", "durationMinutes", 5);
        awaitConnected(id, true);
        ApiClient.assertError(message(id, "{\"payload\":1,\"timeoutMs\":300}"), 504, "channel_timeout");
        var clients = Executors.newVirtualThreadPerTaskExecutor();
        List<CompletableFuture<ApiClient.Response>> waiting = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            waiting.add(
                    CompletableFuture.supplyAsync(() -> message(id, "{\"payload\":1,\"timeoutMs\":8000}"), clients));
        }
        await().atMost(WAIT)
                .until(() -> api.get("/api/containers/" + id + "/channel")
                                .json()
                                .get("pending")
                                .asInt()
                        == 64);
        ApiClient.assertError(message(id, "{\"payload\":1,\"timeoutMs\":100}"), 429, "channel_busy");
        for (var r : waiting) {
            assertThat(r.get().status()).isEqualTo(504);
        }
        clients.close();
    }

    @Test
    void aProgramThatIsDownIsNotConnectedAndIsReachedAgainWhenItComesBack() {
        String id = api.provision("echo", "durationMinutes", 5);
        awaitConnected(id, true);
        assertThat(api.post("/api/containers/" + id + "/stop", "{\"timeoutSeconds\":0}")
                        .status())
                .isEqualTo(200);
        awaitConnected(id, false);
        var down = message(id, "{\"payload\":1}");
        ApiClient.assertError(down, 409, "channel_not_connected");
        assertThat(down.json().at("/error/downForMs").isNumber()).isTrue();
        assertThat(api.post("/api/containers/" + id + "/start", null).status()).isEqualTo(200);
        awaitConnected(id, true);
        assertThat(message(id, "{\"payload\":\"back\"}")
                        .json()
                        .at("/reply/payload")
                        .asText())
                .isEqualTo("back");
    }

    @Test
    void unpromptedMessagesBecomeEvents() {
        String id = api.provision("echo", "durationMinutes", 5);
        awaitConnected(id, true);
        try (WsClient events = WsClient.connect(server.baseUrl(), "/ws/events?leaseId=" + id)) {
            events.awaitType("subscribed", WAIT);
            // Echoed without an id the service is waiting for, the frame is the program speaking unprompted.
            assertThat(message(id, "{\"payload\":\"tick\",\"reply\":false}").status())
                    .isEqualTo(200);
            JsonNode event =
                    events.await(e -> "channel.message".equals(e.path("type").asText()), WAIT);
            assertThat(event.at("/data/payload").asText()).isEqualTo("tick");
        }
    }

    @Test
    void theCodeVolumeGoesWithTheLeaseAndTheHelperVolumeWithTheServer() throws IOException {
        String id = api.provision("app", "durationMinutes", 5);
        assertThat(TestDocker.volumesOf(server.instanceId())).hasSize(1);
        assertThat(TestDocker.helperVolumesOf(server.instanceId())).hasSize(1);
        assertThat(api.delete("/api/containers/" + id).status()).isEqualTo(200);
        await().atMost(WAIT)
                .until(() -> TestDocker.volumesOf(server.instanceId()).isEmpty());
        String instance = server.instanceId();
        server.close();
        assertThat(TestDocker.helperVolumesOf(instance))
                .as("no container uses it any more")
                .isEmpty();
        server = ContainerLeaseServer.start(ServiceConfig.fromEnvironment(env(Map.of("PORT", "0"))));
    }

    @Test
    void aCodeUpdateThatStaysUpIsActiveAndOneThatFailsIsRolledBack() throws Exception {
        String id = api.provision("app", "durationMinutes", 5);
        String code = "/api/containers/" + id + "/code";
        var v2 = api.sendBytes("PUT", code, answering("v2"), "application/gzip");
        assertThat(v2.status()).as(v2.body()).isEqualTo(200);
        assertThat(v2.json().get("status").asText()).isEqualTo("active");
        assertThat(v2.json().get("version").asInt()).isEqualTo(2); // 1 is what the image held
        assertThat(answeringVersion(id)).isEqualTo("v2");

        // One update at a time.
        var slow = CompletableFuture.supplyAsync(() -> api.sendBytes("PUT", code, answering("v3"), "application/gzip"));
        await().atMost(WAIT).until(() -> api.get(code).json().at("/versions").size() == 3);
        ApiClient.assertError(
                api.sendBytes("PUT", code, answering("v4"), "application/gzip"), 409, "update_in_progress");
        assertThat(slow.get().json().get("status").asText()).isEqualTo("active");
        assertThat(answeringVersion(id)).isEqualTo("v3");

        var broken = api.sendBytes(
                "PUT",
                code,
                TarGz.archive().file("start.sh", "echo broken >&2; exit 3").bytes(),
                "application/gzip");
        assertThat(broken.json().get("status").asText()).as(broken.body()).isEqualTo("rolled_back");
        assertThat(broken.json().get("reason").asText()).contains("exited with 3");
        assertThat(answeringVersion(id)).as("the version before answers again").isEqualTo("v3");

        var back = api.post(code + "/rollback", "{\"version\":2}");
        assertThat(back.json().get("status").asText()).as(back.body()).isEqualTo("active");
        assertThat(answeringVersion(id)).isEqualTo("v2");
        JsonNode listed = api.get(code).json();
        assertThat(listed.get("active").asInt()).isEqualTo(2);
        assertThat(listed.at("/versions/3/status").asText()).isEqualTo("failed");
        assertThat(listed.at("/versions/0/kept").asBoolean())
                .as("only the last 3 archives are kept")
                .isFalse();
        ApiClient.assertError(api.post(code + "/rollback", "{\"version\":1}"), 404, "code_version_not_found");

        // A hostile archive changes nothing: same versions, same program answering.
        var hostile = api.sendBytes(
                "PUT",
                code,
                TarGz.archive().file("start.sh", "x").symlink("etc", "/etc").bytes(),
                "application/gzip");
        ApiClient.assertError(hostile, 400, "invalid_archive");
        assertThat(api.get(code).json()).isEqualTo(listed);
        assertThat(answeringVersion(id)).isEqualTo("v2");
        ApiClient.assertError(api.send("PUT", code, "{}", "application/json"), 415, "unsupported_media_type");

        // Each update started the container again, with its creation arguments (the hard deadline): it was told its own
        // again.
        String container = ManagedLabels.containerName(new LeaseId(id));
        java.time.Instant expiry = java.time.Instant.parse(
                api.get("/api/containers/" + id).json().get("expiryTime").asText());
        java.time.Instant told = io.containerlease.runtime.docker.DockerDeadlines.asHeld(expiry.plusSeconds(60));
        await().atMost(WAIT).until(() -> TestDocker.heldDeadline(container).equals(java.util.Optional.of(told)));
        ApiClient.assertError(
                api.get("/api/containers/" + api.provision("echo", "durationMinutes", 5) + "/code"),
                409,
                "code_not_enabled");
    }

    @Test
    void afterAKill9NothingOfAnExpiredLeaseIsLeft() throws Exception {
        ServerProcess process = ServerProcess.start(
                        dataDir.resolve("crashed"),
                        env(Map.of("DATA_DIR", dataDir.resolve("crashed").toString())))
                .awaitReady(Duration.ofSeconds(60));
        processes.add(process);
        ApiClient crashed = new ApiClient(process.baseUrl());
        String id = crashed.provision("app", "durationSeconds", 3);
        String instance = process.instanceId();
        otherInstances.add(instance);
        assertThat(TestDocker.volumesOf(instance)).hasSize(1);
        process.kill9();
        Thread.sleep(3500); // the lease expires while no server runs
        ServerProcess restarted = ServerProcess.start(
                        dataDir.resolve("crashed"),
                        env(Map.of("DATA_DIR", dataDir.resolve("crashed").toString())))
                .awaitReady(Duration.ofSeconds(60));
        processes.add(restarted);
        await().atMost(WAIT)
                .until(() -> TestDocker.volumesOf(instance).isEmpty()
                        && TestDocker.containersOf(instance).isEmpty());
    }
}
