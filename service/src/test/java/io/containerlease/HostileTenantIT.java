package io.containerlease;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.containerlease.config.ServiceConfig;
import io.containerlease.events.EventHub;
import io.containerlease.lease.LeaseId;
import io.containerlease.lease.ManagedLabels;
import io.containerlease.support.ApiClient;
import io.containerlease.support.RunLabels;
import io.containerlease.support.ServerProcess;
import io.containerlease.support.TarGz;
import io.containerlease.support.TestDocker;
import io.containerlease.support.WsClient;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tenant who wants to hurt us, on the real engine: each test plays one attack from inside a lease
 * (a script run in the container as its own user, as the tenant's shell would) or from the API, and
 * checks that it reaches nothing but the tenant's own container.
 */
@Timeout(240)
class HostileTenantIT {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String CATALOG = """
            images:
              echo:
                image: containerlease/busybox:latest
                # One connection per listener, so a tenant's kill makes the relay connect again.
                command: ["sh", "-c", "while :; do socat UNIX-LISTEN:/run/containerlease/channel.sock,unlink-early EXEC:cat; done"]
                pullPolicy: never
                channel: true
              app:
                image: containerlease/busybox:latest
                command: ["sh", "-c", "[ -f /app/start.sh ] && exec sh /app/start.sh; exec sleep inf"]
                pullPolicy: never
                code: {path: /app, healthCheck: {graceSeconds: 4}}
              tenant:
                image: containerlease/busybox:latest
                # Runs whatever program the tenant writes to /tmp/program.sh: the attacker's own code.
                command: ["sh", "-c", "while [ ! -f /tmp/program.sh ]; do sleep 0.1; done; exec sh /tmp/program.sh"]
                pullPolicy: never
                channel: true
            """;
    private static final String MALLORY = "mallory-token-0123456789";
    private static final String BOB = "bob-token-0123456789";
    private static final long CODE_MAX_BYTES = 1 << 20;

    @TempDir
    Path dir;

    private ContainerLeaseServer server;
    /** The attacker. */
    private ApiClient api;
    /** Another tenant, who must not notice. */
    private ApiClient bob;

    @BeforeEach
    void start() throws IOException {
        Files.writeString(dir.resolve("catalog.yaml"), CATALOG);
        Files.writeString(dir.resolve("tokens.yaml"), """
                tokens:
                  - {user: mallory, token: %s, role: user}
                  - {user: bob, token: %s, role: user}
                """.formatted(MALLORY, BOB));
        startServer("data");
    }

    private void startServer(String dataDir) {
        server = ContainerLeaseServer.start(ServiceConfig.fromEnvironment(RunLabels.with(Map.of(
                "AUTH",
                "tokens",
                "PORT",
                "0",
                "AUTH_TOKENS_FILE",
                dir.resolve("tokens.yaml").toString(),
                "DATA_DIR",
                dir.resolve(dataDir).toString(),
                "IMAGE_CATALOG",
                dir.resolve("catalog.yaml").toString(),
                "CODE_MAX_BYTES",
                Long.toString(CODE_MAX_BYTES)))));
        api = new ApiClient(server.baseUrl(), MALLORY);
        bob = new ApiClient(server.baseUrl(), BOB);
    }

    /** Starts the tenant's own program in its lease's container, as the tenant would from a shell. */
    private static void runProgram(String id, String program) throws InterruptedException {
        TestDocker.exec(
                container(id),
                "cat > /tmp/program.tmp <<'PROGRAM'\n" + program + "\nPROGRAM\nmv /tmp/program.tmp /tmp/program.sh",
                WAIT);
    }

    @AfterEach
    void stop() {
        String instance = server.instanceId();
        server.close();
        TestDocker.removeAllOf(instance);
    }

    /** A function for the tenant's scripts (busybox has no pgrep): the pids whose command line starts with $1. */
    private static final String PIDS =
            "pids() { for p in /proc/[0-9]*; do case \"$(tr '\\0' ' ' < $p/cmdline 2>/dev/null)\" in \"$1\"*)"
                    + " echo ${p#/proc/};; esac; done; }\n";

    private static final String RELAYS = PIDS + "pids '/.containerlease/containerlease-helper relay-unix' | wc -l";

    private static String container(String id) {
        return ManagedLabels.containerName(new LeaseId(id));
    }

    private void awaitConnected(String id) {
        await().atMost(WAIT)
                .until(() -> api.get("/api/containers/" + id + "/channel")
                        .json()
                        .get("connected")
                        .asBoolean());
    }

    /** A host socket no tenant may ever reach: counts every connection and byte. */
    private static final class Canary implements AutoCloseable {
        final AtomicLong connections = new AtomicLong();
        final AtomicLong bytes = new AtomicLong();
        private final ServerSocketChannel server;

        Canary(Path socket) throws IOException {
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(socket));
            Thread.ofVirtual().start(() -> {
                while (server.isOpen()) {
                    try (SocketChannel client = server.accept()) {
                        connections.incrementAndGet();
                        ByteBuffer buffer = ByteBuffer.allocate(4096);
                        while (client.read(buffer.clear()) > 0) {
                            bytes.addAndGet(buffer.position());
                        }
                    } catch (IOException e) {
                        // closed at the end of the test
                    }
                }
            });
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    @Test
    void swappingTheChannelSocketForLinksReachesOnlyTheTenantsOwnContainer() throws Exception {
        String id = api.provision("echo", "durationMinutes", 5);
        awaitConnected(id);
        String mountinfo = TestDocker.exec(container(id), "cat /proc/self/mountinfo", WAIT);
        assertThat(mountinfo)
                .as("no path of the host's data directory shows inside")
                .doesNotContain(dir.toString());

        try (Canary canary = new Canary(dir.resolve("canary.sock"))) {
            // The tenant's own second listener: links to it are followed, inside the container.
            TestDocker.exec(
                    container(id),
                    "(socat UNIX-LISTEN:/tmp/own.sock,fork SYSTEM:'echo hit >> /tmp/hits' &) ; sleep 0.2",
                    WAIT);
            var messages = Thread.ofVirtual().start(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    api.post("/api/containers/" + id + "/messages", "{\"payload\":\"secret\",\"timeoutMs\":200}");
                }
            });
            // 1,000 swaps of the socket for a link (to the host canary's path, or the tenant's own socket),
            // killing the listener every 20th so the relay connects again while a link is in place.
            String attack = """
                    i=0
                    while [ $i -lt 1000 ]; do
                      if [ $((i % 2)) -eq 0 ]; then target=CANARY; else target=/tmp/own.sock; fi
                      ln -s "$target" /run/containerlease/l$i && mv -f /run/containerlease/l$i /run/containerlease/channel.sock
                      if [ $((i % 20)) -eq 0 ]; then kill $(pids 'socat UNIX-LISTEN:/run/containerlease'); sleep 0.05; fi
                      i=$((i + 1))
                    done
                    echo done
                    """.replace("CANARY", dir.resolve("canary.sock").toString());
            assertThat(TestDocker.exec(container(id), PIDS + attack, Duration.ofSeconds(120)))
                    .contains("done");
            messages.interrupt();
            messages.join();
            assertThat(TestDocker.exec(container(id), "cat /tmp/hits | wc -l", WAIT)
                            .trim())
                    .as("links were followed, inside the tenant's container")
                    .isNotEqualTo("0");
            assertThat(canary.connections.get())
                    .as("connections to the host's socket")
                    .isZero();
            assertThat(canary.bytes.get()).as("bytes to the host's socket").isZero();
        }
        // The program listens again (its next listener unlinks the last link): the channel comes back, through one
        // relay.
        TestDocker.exec(container(id), PIDS + "kill $(pids 'socat UNIX-LISTEN:/run/containerlease')", WAIT);
        await().atMost(WAIT)
                .until(() -> api.post("/api/containers/" + id + "/messages", "{\"payload\":\"back\",\"timeoutMs\":500}")
                        .json()
                        .at("/reply/payload")
                        .asText()
                        .equals("back"));
        assertThat(TestDocker.exec(container(id), RELAYS, WAIT).trim()).isEqualTo("1");
    }

    @Test
    void theRelayEndsWithTheServiceAndATenantKillingItDoesNotMakeTheServiceExecInALoop() throws Exception {
        String id = api.provision("echo", "durationMinutes", 5);
        awaitConnected(id);
        // Killed 30 times over 6 s: the service starts it again, with a backoff, never more than one at a time.
        String kills = TestDocker.exec(container(id), PIDS + """
                n=0; max=0
                for i in $(seq 30); do
                  r=$(pids '/.containerlease/containerlease-helper relay-unix'); c=$(echo $r | wc -w)
                  [ "$c" -gt "$max" ] && max=$c
                  [ -n "$r" ] && kill $r && n=$((n + 1))
                  sleep 0.2
                done
                echo "killed=$n max=$max"
                """, Duration.ofSeconds(30));
        assertThat(kills).contains("max=1");
        int killed = Integer.parseInt(kills.replaceAll("(?s).*killed=(\\d+).*", "$1"));
        assertThat(killed)
                .as("the backoff let fewer relays start than there were kills: " + kills)
                .isLessThan(20);
        awaitConnected(id);
        String name = container(id);
        String instance = server.instanceId();
        server.close();
        await().atMost(WAIT)
                .until(() -> TestDocker.exec(name, RELAYS, WAIT).trim().equals("0"));
        TestDocker.removeAllOf(instance);
        startServer("data2");
    }

    /** The events bob may read after {@code after}, as a history read (follow=false) over the WebSocket. */
    private List<JsonNode> bobsEventsAfter(long after) {
        try (WsClient ws = WsClient.connect(
                server.baseUrl(), "/ws/events?follow=false&after=" + after, Map.of("Authorization", "Bearer " + BOB))) {
            assertThat(ws.awaitClose(WAIT)).isEqualTo(1000);
            return List.copyOf(ws.texts);
        }
    }

    @Test
    void aProgramFloodingItsChannelWithBigFramesNeitherExhaustsTheServerNorErasesAnotherUsersEvents() throws Exception {
        long before = server.events().lastId();
        String bobs = bob.provision("echo", "durationMinutes", 5);
        String id = api.provision("tenant", "durationMinutes", 5);
        // ~1 MB JSON lines as fast as the program can write them: 10 s of it.
        runProgram(id, """
                head -c 1000000 /dev/zero | tr '\\0' x > /tmp/x
                printf 'while :; do printf "{\\"type\\":\\"big\\",\\"payload\\":\\""; cat /tmp/x; printf "\\"}\\n"; done\n' > /tmp/one.sh
                exec socat UNIX-LISTEN:/run/containerlease/channel.sock,fork,unlink-early 'EXEC:sh /tmp/one.sh'
                """);
        try (WsClient events = WsClient.connect(
                server.baseUrl(),
                "/ws/events?leaseId=" + id + "&types=channel.message",
                Map.of("Authorization", "Bearer " + MALLORY))) {
            JsonNode big =
                    events.await(e -> "channel.message".equals(e.path("type").asText()), WAIT);
            assertThat(big.at("/data/truncated").asBoolean())
                    .as("a 1 MB payload is not kept in its event: " + big)
                    .isTrue();
            assertThat(big.at("/data/payloadBytes").asLong()).isGreaterThan(1_000_000);
        }
        Thread.sleep(10_000);
        assertThat(server.events().historyBytes()).isLessThanOrEqualTo(EventHub.DEFAULT_HISTORY_BYTES);
        List<JsonNode> bobsEvents = bobsEventsAfter(before);
        assertThat(bobsEvents).noneMatch(e -> "gap".equals(e.path("type").asText()));
        assertThat(bobsEvents)
                .anyMatch(e -> "lease.running".equals(e.path("type").asText())
                        && bobs.equals(e.path("leaseId").asText()));
        assertThat(bob.get("/api/containers").status()).isEqualTo(200);
    }

    @Test
    void aProgramSendingSmallFramesAsFastAsItCanDoesNotEraseAnotherUsersEvents() throws Exception {
        long before = server.events().lastId();
        String bobs = bob.provision("echo", "durationMinutes", 5);
        String id = api.provision("tenant", "durationMinutes", 5);
        runProgram(
                id,
                "exec socat UNIX-LISTEN:/run/containerlease/channel.sock,fork,unlink-early 'EXEC:yes {\"type\":\"t\",\"payload\":1}'");
        await().atMost(WAIT).until(() -> server.events().lastId() > before + 50_000);
        List<JsonNode> bobsEvents = bobsEventsAfter(before);
        assertThat(bobsEvents).noneMatch(e -> "gap".equals(e.path("type").asText()));
        assertThat(bobsEvents)
                .anyMatch(e -> "lease.running".equals(e.path("type").asText())
                        && bobs.equals(e.path("leaseId").asText()));
        // Mallory, resuming from before her flood, is told what she lost.
        try (WsClient ws = WsClient.connect(
                server.baseUrl(),
                "/ws/events?follow=false&after=" + before,
                Map.of("Authorization", "Bearer " + MALLORY))) {
            assertThat(ws.awaitType("gap", WAIT)).isNotNull();
        }
    }

    @Test
    void aCodeDirectoryFilledBeyondTheLimitIsRefusedWith413NotReadWhole() throws Exception {
        String id = api.provision("app", "durationMinutes", 5);
        // 8 times the limit unpacked is what an upload may hold: 20 MiB of zeros is over it (and compresses to little).
        TestDocker.exec(container(id), "dd if=/dev/zero of=/app/fill bs=1M count=20 2>/dev/null; sync", WAIT);
        var refused = api.sendBytes(
                "PUT",
                "/api/containers/" + id + "/code",
                TarGz.archive().file("start.sh", "exec sleep inf").bytes(),
                "application/gzip");
        ApiClient.assertError(refused, 413, "code_too_large");
        assertThat(refused.json().at("/error/message").asText())
                .contains("/app")
                .doesNotContain("Exception");
        assertThat(api.get("/api/containers/" + id + "/code").json().get("versions"))
                .isEmpty();
        TestDocker.exec(container(id), "rm /app/fill", WAIT);
        var accepted = api.sendBytes(
                "PUT",
                "/api/containers/" + id + "/code",
                TarGz.archive().file("start.sh", "exec sleep inf").bytes(),
                "application/gzip");
        assertThat(accepted.json().get("status").asText()).as(accepted.body()).isEqualTo("active");
    }

    @Test
    void anUpdateRacingAReleaseIsRefusedWith409AndLeavesNothing() throws Exception {
        String id = api.provision("app", "durationMinutes", 5);
        var update = java.util.concurrent.CompletableFuture.supplyAsync(() -> api.sendBytes(
                "PUT",
                "/api/containers/" + id + "/code",
                TarGz.archive().file("start.sh", "exec sleep inf").bytes(),
                "application/gzip"));
        // The new version must stay up 4 s: the release comes in the middle of that.
        await().atMost(WAIT)
                .until(() -> api.get("/api/containers/" + id + "/code")
                                .json()
                                .at("/versions")
                                .size()
                        == 2);
        Thread.sleep(1000);
        assertThat(api.delete("/api/containers/" + id).status()).isEqualTo(200);
        ApiClient.assertError(update.get(), 409, "lease_not_running");
        await().atMost(WAIT)
                .until(() -> TestDocker.containersOf(server.instanceId()).isEmpty()
                        && TestDocker.volumesOf(server.instanceId()).isEmpty()
                        && !Files.exists(dir.resolve("data/code/" + id)));
    }

    @Test
    void anUpdateCutByAKill9IsResolvedWhenTheServerStartsAgain() throws Exception {
        Path crashed = dir.resolve("crashed");
        Map<String, String> env = RunLabels.with(Map.of(
                "AUTH",
                "off",
                "DATA_DIR",
                crashed.toString(),
                "IMAGE_CATALOG",
                dir.resolve("catalog.yaml").toString()));
        String instance;
        String id;
        try (ServerProcess first = ServerProcess.start(crashed, env).awaitReady(Duration.ofSeconds(60))) {
            instance = first.instanceId();
            ApiClient admin = new ApiClient(first.baseUrl());
            id = admin.provision("app", "durationMinutes", 5);
            Thread.ofVirtual()
                    .start(() -> admin.sendBytes(
                            "PUT",
                            "/api/containers/" + id + "/code",
                            TarGz.archive().file("start.sh", "exec sleep inf").bytes(),
                            "application/gzip"));
            await().atMost(WAIT)
                    .until(() -> admin.get("/api/containers/" + id + "/code")
                                    .json()
                                    .at("/versions")
                                    .size()
                            == 2);
            first.kill9();
        }
        try (ServerProcess again = ServerProcess.start(crashed, env).awaitReady(Duration.ofSeconds(60))) {
            ApiClient admin = new ApiClient(again.baseUrl());
            await().atMost(WAIT)
                    .until(() -> admin.get("/api/containers/" + id + "/code")
                            .json()
                            .at("/versions/1/status")
                            .asText()
                            .equals("failed"));
            var code = admin.get("/api/containers/" + id + "/code").json();
            assertThat(code.get("active").asInt())
                    .as("the version before, installed again: " + code)
                    .isEqualTo(1);
            await().atMost(WAIT).until(() -> !TestDocker.exists(container(id) + "-code-install"));
            // Once the version before is back up, updates go on as before.
            await().atMost(WAIT)
                    .until(() -> admin.sendBytes(
                                    "PUT",
                                    "/api/containers/" + id + "/code",
                                    TarGz.archive()
                                            .file("start.sh", "exec sleep inf")
                                            .bytes(),
                                    "application/gzip")
                            .json()
                            .path("status")
                            .asText()
                            .equals("active"));
        } finally {
            TestDocker.removeAllOf(instance);
        }
    }

    @Test
    void theChannelDirectoryIsASmallTmpfsOfTheContainersOwnAndNothingOfItReachesTheHost() throws Exception {
        String id = api.provision("echo", "durationMinutes", 5);
        String filled = TestDocker.exec(
                container(id),
                "dd if=/dev/zero of=/run/containerlease/fill bs=1M count=300 2>&1;"
                        + " i=0; cd /run/containerlease && while [ $i -lt 2000 ]; do mkdir d 2>/dev/null && cd d || break; i=$((i+1)); done;"
                        + " echo depth=$i; du -sk /run/containerlease | cut -f1",
                Duration.ofSeconds(60));
        assertThat(filled).contains("No space left on device");
        long kib = Long.parseLong(filled.trim().replaceAll("(?s).*\\n", "").trim());
        assertThat(kib).as("what 300 MB of writing left: " + filled).isLessThanOrEqualTo(1024);
        try (var walk = Files.walk(dir)) {
            assertThat(walk.filter(p -> p.getFileName().toString().equals("fill"))
                            .toList())
                    .as("nothing on the host")
                    .isEmpty();
        }
        assertThat(api.delete("/api/containers/" + id).status()).isEqualTo(200);
        await().atMost(WAIT)
                .until(() -> TestDocker.containersOf(server.instanceId()).isEmpty());
    }

    @Test
    void aRevokedUsersTerminalClosesWithin2sAndTheUsersOtherConnectionsAreCappedMeanwhile() throws Exception {
        String id = api.provision("echo", "durationMinutes", 5);
        Map<String, String> mallory = Map.of("Authorization", "Bearer " + MALLORY);
        WsClient terminal = WsClient.connect(server.baseUrl(), "/ws/terminal/" + id, mallory);
        terminal.sendBytes("echo still-here\n");
        terminal.awaitOutput("still-here", WAIT);
        // 49 more sockets are all the user may hold (WS_MAX_PER_USER 50), events and SSE alike.
        List<WsClient> events = new java.util.ArrayList<>();
        for (int i = 0; i < 49; i++) {
            events.add(WsClient.connect(server.baseUrl(), "/ws/events", mallory));
        }
        events.get(48).awaitType("subscribed", WAIT);
        WsClient over = WsClient.connect(server.baseUrl(), "/ws/events", mallory);
        assertThat(over.awaitClose(WAIT)).isEqualTo(4429);
        var sse = java.net.http.HttpClient.newHttpClient()
                .send(
                        java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.baseUrl() + "/api/events"))
                                .header("Accept", "text/event-stream")
                                .header("Authorization", "Bearer " + MALLORY)
                                .build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(sse.statusCode()).isEqualTo(429);
        assertThat(new ApiClient(server.baseUrl())
                        .get("/healthz")
                        .json()
                        .at("/capacity/connections")
                        .asInt())
                .isEqualTo(50);

        long revokedAt = System.nanoTime();
        Path tmp = Files.writeString(
                dir.resolve("tokens.tmp"), "tokens:\n  - {user: bob, token: " + BOB + ", role: user}\n");
        Files.move(
                tmp,
                dir.resolve("tokens.yaml"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        assertThat(terminal.awaitClose(Duration.ofSeconds(3))).isEqualTo(4401);
        assertThat(Duration.ofNanos(System.nanoTime() - revokedAt)).isLessThan(Duration.ofMillis(2500));
        for (WsClient socket : events) {
            assertThat(socket.awaitClose(Duration.ofSeconds(3))).isEqualTo(4401);
        }
        ApiClient.assertError(api.get("/api/containers"), 401, "invalid_token");
        assertThat(bob.get("/api/containers").status()).isEqualTo(200);
    }
}
