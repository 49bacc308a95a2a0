package io.containerlease;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.containerlease.config.ServiceConfig;
import io.containerlease.lease.LeaseId;
import io.containerlease.lease.ManagedLabels;
import io.containerlease.support.ApiClient;
import io.containerlease.support.RunLabels;
import io.containerlease.support.TestDocker;
import io.containerlease.support.WsClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Terminals, log streams, grace and warnings against the real engine. */
@Timeout(180)
class LiveSessionsIT {
    private static final Duration WAIT = Duration.ofSeconds(15);

    @TempDir
    Path dataDir;

    private ContainerLeaseServer server;
    private ApiClient api;

    @BeforeEach
    void start() throws IOException {
        Path catalog = Files.writeString(dataDir.resolve("catalog.yaml"), """
                images:
                  busybox:
                    image: containerlease/busybox:latest
                    command: ["sleep", "inf"]
                    pullPolicy: never
                  ticker:
                    image: containerlease/busybox:latest
                    command: ["sh", "-c", "i=0; while true; do i=$((i+1)); echo tick $i; sleep 0.02; done"]
                    pullPolicy: never
                """);
        server = ContainerLeaseServer.start(ServiceConfig.fromEnvironment(RunLabels.with(Map.of(
                "PORT",
                "0",
                "AUTH",
                "off",
                "DATA_DIR",
                dataDir.toString(),
                "IMAGE_CATALOG",
                catalog.toString(),
                "RECONCILE_INTERVAL_SECONDS",
                "1"))));
        api = new ApiClient(server.baseUrl());
    }

    @AfterEach
    void stop() {
        server.close();
        TestDocker.removeAllOf(server.instanceId());
    }

    @Test
    void aCommandTypedInTheTerminalReturnsItsOutputAndResizeReachesTheTty() {
        String id = api.provision("busybox", "durationMinutes", 5);
        try (WsClient term = terminal(id, "?cols=90&rows=30")) {
            term.awaitType("session", WAIT);
            term.sendBytes("echo hel''lo-from-the-shell\n");
            term.awaitOutput("hello-from-the-shell", WAIT);
            term.sendBytes("stty size\n");
            term.awaitOutput("30 90", WAIT);
            term.sendText("{\"type\":\"resize\",\"cols\":101,\"rows\":33}");
            term.sendBytes("stty size\n");
            term.awaitOutput("33 101", WAIT);
        }
    }

    @Test
    void resumingReplaysExactlyWhatWasProducedWhileAway() throws InterruptedException {
        String id = api.provision("busybox", "durationMinutes", 5);
        String sessionId;
        int seen;
        try (WsClient term = terminal(id, "")) {
            sessionId = term.awaitType("session", WAIT).get("sessionId").asText();
            term.sendBytes("(sleep 1; echo produced-while-away) &\n");
            term.awaitOutput("echo produced-while-away) &", WAIT); // the TTY's echo of the command
            seen = term.outputLength();
            assertThat(term.output()).doesNotContain("produced-while-away\r\n");
        }
        pause(Duration.ofSeconds(2));
        try (WsClient back = terminal(id, "?session=" + sessionId + "&offset=" + seen)) {
            assertThat(back.awaitType("session", WAIT).get("offset").asLong()).isEqualTo(seen);
            String replay = back.awaitOutput("produced-while-away", WAIT);
            assertThat(replay).doesNotContain("(sleep 1;");
            back.sendBytes("echo still-the-same-shell $$\n");
            back.awaitOutput("still-the-same-shell", WAIT);
        }
    }

    @Test
    void closingTheLastOfTwoConnectionsStartsTheGraceAndTheContainerGoes() throws InterruptedException {
        String id = provisionWithGrace(2);
        String container = ManagedLabels.containerName(new LeaseId(id));
        WsClient term = terminal(id, "");
        term.awaitType("session", WAIT);
        WsClient logs = WsClient.connect(server.baseUrl(), "/ws/logs/" + id);
        await().atMost(WAIT)
                .until(() -> api.get("/api/containers/" + id)
                                .json()
                                .get("connections")
                                .asInt()
                        == 2);

        term.close();
        pause(Duration.ofSeconds(3));
        assertThat(TestDocker.exists(container))
                .as("one connection is still open")
                .isTrue();

        logs.close();
        await().atMost(WAIT)
                .until(
                        () -> api.get("/api/containers/" + id).json(),
                        l -> "disconnected"
                                        .equals(l.path("nextEnd").path("reason").asText())
                                || "ended".equals(l.path("status").asText()));
        await().atMost(WAIT).until(() -> !TestDocker.exists(container));
        JsonNode ended = api.get("/api/containers/" + id).json();
        assertThat(ended.get("endReason").asText()).isEqualTo("disconnected");
    }

    @Test
    void aReconnectWithinTheGraceKeepsTheContainer() throws InterruptedException {
        String id = provisionWithGrace(3);
        String sessionId;
        try (WsClient term = terminal(id, "")) {
            sessionId = term.awaitType("session", WAIT).get("sessionId").asText();
        }
        pause(Duration.ofSeconds(1));
        try (WsClient again = terminal(id, "?session=" + sessionId)) {
            again.awaitType("session", WAIT);
            pause(Duration.ofSeconds(4));
            assertThat(api.get("/api/containers/" + id).json().get("status").asText())
                    .isEqualTo("running");
            assertThat(TestDocker.exists(ManagedLabels.containerName(new LeaseId(id))))
                    .isTrue();
        }
    }

    @Test
    void aLogStreamResumesWithoutGapOrDuplicate() throws InterruptedException {
        String id = api.provision("ticker", "durationMinutes", 5);
        long lastSeen;
        try (WsClient logs = WsClient.connect(server.baseUrl(), "/ws/logs/" + id)) {
            logs.await(t -> t.path("seq").asLong() >= 20, WAIT);
            lastSeen = logs.texts.stream()
                    .mapToLong(t -> t.path("seq").asLong())
                    .max()
                    .orElseThrow();
            assertMessagesCount(logs.texts, 1);
        }
        pause(Duration.ofSeconds(1));
        try (WsClient logs = WsClient.connect(server.baseUrl(), "/ws/logs/" + id + "?after=" + lastSeen)) {
            logs.await(t -> t.path("seq").asLong() >= lastSeen + 40, WAIT);
            assertThat(logs.texts.get(0).get("seq").asLong()).isEqualTo(lastSeen + 1);
            assertMessagesCount(logs.texts, lastSeen + 1);
        }
    }

    @Test
    void theFirstReaderOfALogGetsTheTailItAskedForThenLiveLines() throws InterruptedException {
        String id = api.provision("ticker", "durationMinutes", 5);
        pause(Duration.ofSeconds(2)); // the ticker writes about 50 lines a second
        try (WsClient logs = WsClient.connect(server.baseUrl(), "/ws/logs/" + id + "?tail=2")) {
            logs.await(t -> t.has("seq") && logs.texts.size() >= 10, WAIT);
            long firstSeq = logs.texts.get(0).get("seq").asLong();
            assertThat(firstSeq)
                    .as("two lines back from what was written before, not the whole history")
                    .isGreaterThan(20);
            assertMessagesCount(logs.texts, firstSeq);
        }
    }

    @Test
    void connectionsAreWarnedBeforeTheEndThenToldItEnded() {
        String id = api.provision("busybox", "durationSeconds", 8);
        try (WsClient logs = WsClient.connect(server.baseUrl(), "/ws/logs/" + id)) {
            JsonNode warning = logs.awaitType("expiring", WAIT);
            assertThat(warning.get("secondsLeft").asLong()).isBetween(0L, 2L); // a quarter of 8 s
            assertThat(warning.get("expiryTime").asText())
                    .isEqualTo(api.get("/api/containers/" + id)
                            .json()
                            .get("expiryTime")
                            .asText());
            assertThat(logs.awaitType("ended", WAIT).get("reason").asText()).isEqualTo("expired");
            assertThat(logs.awaitClose(WAIT)).isEqualTo(1000);
            int warningIndex = indexOfType(logs.texts, "expiring");
            assertThat(warningIndex).isLessThan(indexOfType(logs.texts, "ended"));
        }
    }

    /** Every log line in order, numbered from {@code firstSeq} with no gap, saying "tick N" with N counting up by one. */
    private static void assertMessagesCount(List<JsonNode> frames, long firstSeq) {
        long expectedSeq = firstSeq;
        Long previousTick = null;
        for (JsonNode frame : frames) {
            if (!frame.has("seq")) {
                continue;
            }
            assertThat(frame.get("seq").asLong()).isEqualTo(expectedSeq++);
            long tick = Long.parseLong(frame.get("message").asText().replace("tick ", ""));
            if (previousTick != null) {
                assertThat(tick).isEqualTo(previousTick + 1);
            }
            previousTick = tick;
        }
    }

    private static int indexOfType(List<JsonNode> frames, String type) {
        for (int i = 0; i < frames.size(); i++) {
            if (type.equals(frames.get(i).path("type").asText())) {
                return i;
            }
        }
        return -1;
    }

    private static void pause(Duration duration) throws InterruptedException {
        Thread.sleep(duration.toMillis());
    }

    private String provisionWithGrace(int seconds) {
        var r = api.post(
                "/api/provision",
                "{\"imageType\":\"busybox\",\"durationMinutes\":5,\"disconnectGraceSeconds\":" + seconds + "}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json().get("id").asText();
    }

    private WsClient terminal(String id, String query) {
        return WsClient.connect(server.baseUrl(), "/ws/terminal/" + id + query);
    }
}
