package io.containerlease.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.containerlease.api.support.WsRefusal;
import io.containerlease.config.ServiceConfig;
import io.containerlease.lease.EndReason;
import io.containerlease.lease.Lease;
import io.containerlease.lease.LeaseState;
import io.containerlease.lease.ManagedLabels;
import io.containerlease.lease.ProvisionRequest;
import io.containerlease.lease.SessionRules;
import io.containerlease.session.TerminalSessions;
import io.containerlease.support.ApiClient;
import io.containerlease.support.LeaseWorld;
import io.containerlease.support.WsClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The WebSocket endpoints over real sockets, with the real core on a fake engine. */
@Timeout(30)
class WebSocketTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private LeaseWorld world;
    private ApiServer api;

    @BeforeEach
    void start() {
        world = new LeaseWorld();
        api = new ApiServer(ServiceConfig.fromEnvironment(Map.of("PORT", "0", "AUTH", "off")), world.services());
        api.start();
    }

    @AfterEach
    void stop() {
        api.close();
        world.close();
    }

    @Test
    void aClientFloodingAShellThatCannotKeepUpIsClosedInsteadOfQueuedWithoutBound() {
        Lease lease = provision(SessionRules.NONE);
        try (WsClient ws = terminal(lease, "")) {
            ws.awaitType("session", WAIT);
            world.streams.shells.get(0).accepting = false;
            ws.sendBytes("more input than the shell takes");
            assertThat(ws.awaitType("error", WAIT).get("code").asText()).isEqualTo("input_overflow");
            assertThat(ws.awaitClose(WAIT)).isEqualTo(1013);
        }
    }

    /** A client that did not keep its session ids used to get too_many_sessions for good. */
    @Test
    void aLeaseWhoseClientForgotItsShellsCanStillOpenATerminal() {
        Lease lease = provision(new SessionRules(Optional.of(Duration.ofMinutes(20)), Optional.empty()));
        for (int i = 0; i < TerminalSessions.MAX_PER_LEASE; i++) {
            try (WsClient ws = terminal(lease, "")) {
                ws.awaitType("session", WAIT);
            }
        }
        try (WsClient refused = terminal(lease, "")) {
            assertThat(refused.awaitType("error", WAIT).get("code").asText()).isEqualTo("too_many_sessions");
        }
        ApiClient http = new ApiClient(api.baseUrl());
        JsonNode sessions =
                http.get("/api/containers/" + lease.id() + "/sessions").json().get("sessions");
        assertThat(sessions).hasSize(TerminalSessions.MAX_PER_LEASE);
        await().atMost(WAIT)
                .until(() -> http.get("/api/containers/" + lease.id() + "/sessions")
                                .json()
                                .at("/sessions/0/attached")
                                .asInt()
                        == 0);
        String first = sessions.get(0).get("sessionId").asText();
        assertThat(http.delete("/api/containers/" + lease.id() + "/sessions/" + first)
                        .status())
                .isEqualTo(200);
        ApiClient.assertError(
                http.delete("/api/containers/" + lease.id() + "/sessions/" + first), 404, "session_not_found");
        try (WsClient again = terminal(lease, "")) {
            again.awaitType("session", WAIT);
        }
        await().atMost(WAIT)
                .until(() -> world.terminals.list(lease.id()).stream().allMatch(t -> t.attached() == 0));
        // Nobody comes back: after the detached timeout (here shorter than the lease's 20-minute grace, so the grace
        // wins) they all go.
        world.scheduler.advance(LeaseWorld.TERMINAL_DETACHED);
        assertThat(http.get("/api/containers/" + lease.id() + "/sessions")
                        .json()
                        .get("sessions"))
                .as("still within the grace")
                .isNotEmpty();
        world.scheduler.advance(Duration.ofMinutes(5));
        assertThat(http.get("/api/containers/" + lease.id() + "/sessions")
                        .json()
                        .get("sessions"))
                .isEmpty();
    }

    @Test
    void aTerminalAnnouncesItsSessionAndCarriesBytesBothWays() {
        Lease lease = provision(SessionRules.NONE);
        try (WsClient ws = terminal(lease, "")) {
            JsonNode session = ws.awaitType("session", WAIT);
            assertThat(session.get("offset").asLong()).isZero();
            ws.sendBytes("echo me");
            ws.awaitOutput("echo me", WAIT);
            ws.sendText("{\"type\":\"input\",\"data\":\" and me\"}");
            ws.awaitOutput("echo me and me", WAIT);
            ws.sendText("{\"type\":\"resize\",\"cols\":120,\"rows\":40}");
            await().atMost(WAIT)
                    .until(() -> world.streams.shells.get(0).cols == 120 && world.streams.shells.get(0).rows == 40);
            ws.sendText("{\"type\":\"resize\",\"cols\":0,\"rows\":40}");
            assertThat(ws.awaitType("error", WAIT).get("code").asText()).isEqualTo("invalid_resize");
        }
    }

    @Test
    void resumingReplaysExactlyTheBytesProducedWhileAway() {
        Lease lease = provision(SessionRules.NONE);
        String sessionId;
        long seen;
        try (WsClient ws = terminal(lease, "")) {
            sessionId = ws.awaitType("session", WAIT).get("sessionId").asText();
            ws.sendBytes("before|");
            ws.awaitOutput("before|", WAIT);
            seen = ws.outputLength();
        }
        var shell = world.streams.shells.get(0);
        shell.output.bytes("while away|".getBytes());
        try (WsClient back = terminal(lease, "?session=" + sessionId + "&offset=" + seen)) {
            JsonNode resumed = back.awaitType("session", WAIT);
            assertThat(resumed.get("offset").asLong()).isEqualTo(seen);
            assertThat(resumed.get("liveFrom").asLong())
                    .as("where the replay ends")
                    .isEqualTo(seen + "while away|".length());
            back.awaitOutput("while away|", WAIT);
            back.sendBytes("after");
            back.awaitOutput("while away|after", WAIT);
            assertThat(back.output()).isEqualTo("while away|after");
        }
    }

    @Test
    void aCommandRunsInsteadOfTheShellAndItsExitStatusIsReported() {
        Lease lease = provision(SessionRules.NONE);
        try (WsClient ws = terminal(lease, "?command=ls&command=-l%20a")) {
            ws.awaitType("session", WAIT);
            assertThat(world.streams.shells.get(0).command).containsExactly("ls", "-l a");
            world.streams.shells.get(0).exit(3);
            assertThat(ws.awaitType("exit", WAIT).get("code").asInt()).isEqualTo(3);
            assertThat(ws.awaitClose(WAIT)).isEqualTo(1000);
        }
        try (WsClient ws = terminal(lease, "")) {
            ws.awaitType("session", WAIT);
            assertThat(world.streams.shells.get(1).command).isEqualTo(List.of("/bin/sh"));
            world.streams.shells.get(1).close();
            assertThat(ws.awaitType("exit", WAIT).has("code"))
                    .as("a shell ended by the service has no status")
                    .isFalse();
        }
        world.streams.onOpen = shell -> {
            shell.output.bytes("quick\r\n".getBytes());
            shell.exit(0);
        };
        try (WsClient ws = terminal(lease, "?command=true")) {
            ws.awaitType("session", WAIT);
            assertThat(ws.awaitType("exit", WAIT).get("code").asInt())
                    .as("a command done before the client came")
                    .isZero();
            assertThat(ws.output()).isEqualTo("quick\r\n");
            assertThat(ws.awaitClose(WAIT)).isEqualTo(1000);
        }
        world.streams.onOpen = shell -> {};
        try (WsClient ws = terminal(lease, "?command=")) {
            assertThat(ws.awaitClose(WAIT)).isEqualTo(WsRefusal.CLOSE_BAD_REQUEST);
        }
        try (WsClient ws = terminal(lease, "?command=ls&session=abc")) {
            assertThat(ws.awaitClose(WAIT)).isEqualTo(WsRefusal.CLOSE_BAD_REQUEST);
            assertThat(ws.texts.get(0).get("message").asText()).contains("'command' starts a new session");
        }
    }

    @Test
    void aClientAwayWhenItsCommandEndedComesBackToTheRestOfItsOutputAndItsStatus() {
        Lease lease = provision(SessionRules.NONE);
        String sessionId;
        long seen;
        try (WsClient ws = terminal(lease, "?command=make")) {
            sessionId = ws.awaitType("session", WAIT).get("sessionId").asText();
            world.streams.shells.get(0).output.bytes("building|".getBytes());
            ws.awaitOutput("building|", WAIT);
            seen = ws.outputLength();
        }
        await().atMost(WAIT)
                .until(() -> world.terminals.list(lease.id()).stream().allMatch(t -> t.attached() == 0));
        world.streams.shells.get(0).output.bytes("done|".getBytes());
        world.streams.shells.get(0).exit(2);
        assertThat(world.terminals.list(lease.id()))
                .as("no longer a live shell")
                .isEmpty();
        try (WsClient back = terminal(lease, "?session=" + sessionId + "&offset=" + seen)) {
            back.awaitType("session", WAIT);
            assertThat(back.awaitType("exit", WAIT).get("code").asInt()).isEqualTo(2);
            assertThat(back.output()).isEqualTo("done|");
            assertThat(back.awaitClose(WAIT)).isEqualTo(1000);
        }
        world.scheduler.advance(TerminalSessions.KEEP_EXITED.plusSeconds(1));
        try (WsClient late = terminal(lease, "?session=" + sessionId + "&offset=" + seen)) {
            assertThat(late.awaitClose(WAIT)).as("kept a minute, not for ever").isEqualTo(WsRefusal.CLOSE_NOT_FOUND);
        }
        assertThat(world.terminals.tracks(lease.id())).isFalse();
    }

    @Test
    void anExecTagsItsStreamsAndReportsItsStatus() {
        Lease lease = provision(SessionRules.NONE);
        try (WsClient ws = WsClient.connect(api.baseUrl(), "/ws/exec/" + lease.id() + "?command=cat")) {
            await().atMost(WAIT).until(() -> world.streams.execs.size() == 1);
            var exec = world.streams.execs.get(0);
            assertThat(exec.command).containsExactly("cat");
            exec.output.stdout("out".getBytes());
            exec.output.stderr("oops".getBytes());
            ws.awaitOutput("\u0001out\u0002oops", WAIT);
            ws.sendBytes("input");
            assertThat(ws.awaitType("error", WAIT).get("code").asText()).isEqualTo("no_input");
            exec.output.exited(java.util.OptionalInt.of(0));
            assertThat(ws.awaitType("exit", WAIT).get("code").asInt()).isZero();
            assertThat(ws.awaitClose(WAIT)).isEqualTo(1000);
        }
        await().atMost(WAIT).until(() -> world.streams.execs.get(0).closed);
        assertThat(world.connections.count(lease.id())).isZero();
        try (WsClient ws = WsClient.connect(api.baseUrl(), "/ws/exec/" + lease.id())) {
            assertThat(ws.awaitClose(WAIT)).as("no command").isEqualTo(WsRefusal.CLOSE_BAD_REQUEST);
        }
    }

    @Test
    void twoConnectionsToOneLeaseBothSeeItsOutput() {
        Lease lease = provision(SessionRules.NONE);
        try (WsClient student = terminal(lease, "")) {
            String sessionId =
                    student.awaitType("session", WAIT).get("sessionId").asText();
            try (WsClient teacher = terminal(lease, "?session=" + sessionId)) {
                teacher.awaitType("session", WAIT);
                student.sendBytes("ls");
                student.awaitOutput("ls", WAIT);
                teacher.awaitOutput("ls", WAIT);
                assertThat(world.connections.count(lease.id())).isEqualTo(2);
            }
        }
    }

    /**
     * The shape every lease socket shares: one refused by its endpoint (after admission took a slot
     * and an outbox) gives everything back, keeps no lease connection, and so starts no grace.
     */
    @Test
    void everyLeaseSocketRefusedByItsEndpointGivesBackWhatAdmissionTook() {
        Lease lease = provision(new SessionRules(Optional.of(Duration.ofMinutes(20)), Optional.empty()));
        for (String path : List.of(
                "/ws/terminal/" + lease.id() + "?cols=0",
                "/ws/exec/" + lease.id(),
                "/ws/logs/" + lease.id() + "?tail=1&after=2",
                "/ws/channel/" + lease.id())) {
            try (WsClient ws = WsClient.connect(api.baseUrl(), path)) {
                assertThat(ws.awaitClose(WAIT)).as(path).isIn(WsRefusal.CLOSE_BAD_REQUEST, WsRefusal.CLOSE_CONFLICT);
                assertThat(ws.texts.get(0).get("type").asText()).as(path).isEqualTo("error");
            }
        }
        ApiClient http = new ApiClient(api.baseUrl());
        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(http.get("/healthz")
                                .json()
                                .at("/capacity/connections")
                                .asInt())
                        .isZero());
        assertThat(world.connections.count(lease.id())).isZero();
        assertThat(world.connections.graceDeadline(lease.id()))
                .as("no connection was kept, so none ended")
                .isEmpty();
    }

    @Test
    void badRequestsAreRefusedWithAReason() {
        Lease lease = provision(SessionRules.NONE);
        try (WsClient ws = WsClient.connect(api.baseUrl(), "/ws/terminal/01kdvdna00q45fe1h7hk7nkrcv")) {
            assertThat(ws.awaitClose(WAIT)).isEqualTo(WsRefusal.CLOSE_NOT_FOUND);
            assertThat(ws.texts.get(0).get("code").asText()).isEqualTo("lease_not_found");
        }
        try (WsClient ws = terminal(lease, "?session=nope")) {
            assertThat(ws.awaitClose(WAIT)).isEqualTo(WsRefusal.CLOSE_NOT_FOUND);
        }
        try (WsClient ws = terminal(lease, "?cols=abc")) {
            assertThat(ws.awaitClose(WAIT)).isEqualTo(WsRefusal.CLOSE_BAD_REQUEST);
        }
        String sessionId;
        try (WsClient ws = terminal(lease, "")) {
            sessionId = ws.awaitType("session", WAIT).get("sessionId").asText();
        }
        try (WsClient ws = terminal(lease, "?session=" + sessionId + "&offset=999")) {
            assertThat(ws.awaitClose(WAIT)).isEqualTo(WsRefusal.CLOSE_BAD_REQUEST);
            assertThat(ws.texts.get(0).get("code").asText()).isEqualTo("invalid_offset");
        }
        world.leases.release(lease.id(), io.containerlease.lease.Caller.ANONYMOUS_ADMIN);
        try (WsClient ws = WsClient.connect(api.baseUrl(), "/ws/logs/" + lease.id())) {
            assertThat(ws.awaitClose(WAIT)).isEqualTo(WsRefusal.CLOSE_CONFLICT);
        }
    }

    @Test
    void logLinesAreNumberedAndAResumeHasNoGapAndNoDuplicate() {
        Lease lease = provision(SessionRules.NONE);
        String container = ManagedLabels.containerName(lease.id());
        long lastSeen;
        try (WsClient logs = WsClient.connect(api.baseUrl(), "/ws/logs/" + lease.id())) {
            await().atMost(WAIT).until(() -> world.streams.followers.containsKey(container));
            world.streams.emit(container, false, "one");
            world.streams.emit(container, true, "two");
            world.streams.emit(container, true, "warning: disk low");
            JsonNode two = logs.await(t -> t.path("seq").asLong() == 2, WAIT);
            assertThat(two.get("stream").asText()).isEqualTo("stderr");
            assertThat(two.has("level"))
                    .as("a line that states no level has none")
                    .isFalse();
            assertThat(two.get("message").asText()).isEqualTo("two");
            assertThat(logs.texts.get(0).get("stream").asText()).isEqualTo("stdout");
            JsonNode warning = logs.await(t -> t.path("seq").asLong() == 3, WAIT);
            assertThat(warning.get("level").asText())
                    .as("what the line says of itself")
                    .isEqualTo("warn");
            lastSeen = 3;
        }
        world.streams.emit(container, false, "three");
        world.streams.emit(container, false, "four");
        try (WsClient logs = WsClient.connect(api.baseUrl(), "/ws/logs/" + lease.id() + "?after=" + lastSeen)) {
            logs.await(t -> t.path("seq").asLong() == 5, WAIT);
            assertThat(logs.texts).extracting(t -> t.get("message").asText()).containsExactly("three", "four");
        }
        try (WsClient logs = WsClient.connect(api.baseUrl(), "/ws/logs/" + lease.id() + "?tail=1")) {
            logs.await(t -> t.path("seq").asLong() == 5, WAIT);
            assertThat(logs.texts).hasSize(1);
        }
    }

    /** The engine's replay of history used to reach the first reader as live lines: asked for 2, it got 22. */
    @Test
    void theFirstReaderGetsExactlyTheTailItAskedFor() throws InterruptedException {
        Lease lease = provision(SessionRules.NONE);
        String container = ManagedLabels.containerName(lease.id());
        world.streams.history.put(
                container,
                java.util.stream.IntStream.rangeClosed(1, 22)
                        .mapToObj(i -> "old " + i)
                        .toList());
        try (WsClient logs = WsClient.connect(api.baseUrl(), "/ws/logs/" + lease.id() + "?tail=2")) {
            logs.await(t -> t.path("seq").asLong() == 22, WAIT);
            world.streams.emit(container, false, "new");
            logs.await(t -> t.path("seq").asLong() == 23, WAIT);
            assertThat(logs.texts)
                    .extracting(t -> t.get("message").asText())
                    .containsExactly("old 21", "old 22", "new");
        }
    }

    /** As {@code docker logs} without {@code -f}: what is held, then the end. */
    @Test
    void withoutFollowTheSocketClosesOnceTheReaderHasWhatWasHeld() {
        Lease lease = provision(SessionRules.NONE);
        String container = ManagedLabels.containerName(lease.id());
        world.streams.history.put(container, List.of("one", "two", "three"));
        try (WsClient logs =
                WsClient.connect(api.baseUrl(), "/ws/logs/" + lease.id() + "?tail=2&follow=false&batch=true")) {
            assertThat(logs.awaitClose(WAIT)).isEqualTo(1000);
            assertThat(logs.texts).as(logs.texts.toString()).hasSize(1);
            assertThat(logs.texts.get(0).get(1).get("message").asText()).isEqualTo("three");
            assertThat(logs.texts.get(0).get(0).get("seq").asLong()).isEqualTo(2);
        }
        try (WsClient logs = WsClient.connect(api.baseUrl(), "/ws/logs/" + lease.id() + "?after=3&follow=false")) {
            assertThat(logs.awaitClose(WAIT))
                    .as("nothing newer: the end at once")
                    .isEqualTo(1000);
            assertThat(logs.texts).isEmpty();
        }
    }

    @Test
    void aResumeOlderThanTheBufferGetsAnExplicitGap() {
        Lease lease = provision(SessionRules.NONE);
        String container = ManagedLabels.containerName(lease.id());
        try (WsClient first = WsClient.connect(api.baseUrl(), "/ws/logs/" + lease.id())) {
            await().atMost(WAIT).until(() -> world.streams.followers.containsKey(container));
        }
        for (int i = 1; i <= 150; i++) { // the test world keeps 100 lines
            world.streams.emit(container, false, "line " + i);
        }
        try (WsClient logs = WsClient.connect(api.baseUrl(), "/ws/logs/" + lease.id() + "?after=10")) {
            JsonNode gap = logs.awaitType("gap", WAIT);
            assertThat(gap.get("from").asLong()).isEqualTo(11);
            assertThat(gap.get("to").asLong()).isEqualTo(50);
            logs.await(t -> t.path("seq").asLong() == 150, WAIT);
            assertThat(logs.texts.get(1).get("seq").asLong()).isEqualTo(51);
        }
    }

    @Test
    void aSlowLogReaderLosesTheOldestLinesAndIsToldHowMany() {
        Lease lease = provision(SessionRules.NONE);
        String container = ManagedLabels.containerName(lease.id());
        try (WsClient logs = WsClient.connect(api.baseUrl(), "/ws/logs/" + lease.id())) {
            await().atMost(WAIT).until(() -> world.streams.followers.containsKey(container));
            logs.stopReading();
            String padding = "x".repeat(2000);
            for (int i = 1; i <= 20_000; i++) {
                world.streams.emit(container, false, i + " " + padding);
            }
            logs.resumeReading();
            JsonNode dropped = logs.awaitType("dropped", Duration.ofSeconds(20));
            assertThat(dropped.get("count").asLong()).isPositive();
            logs.await(t -> t.path("seq").asLong() == 20_000, Duration.ofSeconds(20));
            long delivered = logs.texts.stream().filter(t -> t.has("seq")).count();
            long droppedTotal = logs.texts.stream()
                    .filter(t -> "dropped".equals(t.path("type").asText()))
                    .mapToLong(t -> t.get("count").asLong())
                    .sum();
            assertThat(delivered + droppedTotal).isEqualTo(20_000);
        }
    }

    @Test
    void theEndIsAnnouncedToEveryStreamWhichIsThenClosed() {
        Lease lease = provision(SessionRules.NONE);
        try (WsClient term = terminal(lease, "");
                WsClient logs = WsClient.connect(api.baseUrl(), "/ws/logs/" + lease.id())) {
            term.awaitType("session", WAIT);
            await().atMost(WAIT).until(() -> world.connections.count(lease.id()) == 2);
            world.leases.release(lease.id(), io.containerlease.lease.Caller.ANONYMOUS_ADMIN);
            for (WsClient ws : List.of(term, logs)) {
                assertThat(ws.awaitType("ended", WAIT).get("reason").asText()).isEqualTo("released");
                assertThat(ws.awaitClose(WAIT)).isEqualTo(1000);
            }
            assertThat(world.terminals.count(lease.id())).isZero();
            assertThat(world.streams.shells.get(0).closed).isTrue();
        }
    }

    @Test
    void aOneShotLogReadIsNotAConnectionAndStartsNoGrace() {
        Lease lease = provision(new SessionRules(Optional.of(Duration.ofSeconds(30)), Optional.empty()));
        world.streams.history.put(ManagedLabels.containerName(lease.id()), List.of("one"));
        try (WsClient read = WsClient.connect(api.baseUrl(), "/ws/logs/" + lease.id() + "?follow=false")) {
            assertThat(read.awaitClose(WAIT)).isEqualTo(1000);
        }
        assertThat(world.connections.count(lease.id())).isZero();
        assertThat(world.connections.graceDeadline(lease.id()))
                .as("reading the log did not arm the disconnect grace")
                .isEmpty();
        world.leases.release(lease.id(), io.containerlease.lease.Caller.ANONYMOUS_ADMIN);
        try (WsClient late = WsClient.connect(api.baseUrl(), "/ws/logs/" + lease.id() + "?follow=false")) {
            assertThat(late.awaitClose(WAIT)).isIn(1000, WsRefusal.CLOSE_CONFLICT);
        }
    }

    @Test
    void closingTheLastConnectionStartsTheGraceAndAnAbortedOneCountsToo() {
        Lease lease = provision(new SessionRules(Optional.of(Duration.ofSeconds(30)), Optional.empty()));
        WsClient first = terminal(lease, "");
        first.awaitType("session", WAIT);
        WsClient second = WsClient.connect(api.baseUrl(), "/ws/logs/" + lease.id());
        await().atMost(WAIT).until(() -> world.connections.count(lease.id()) == 2);
        first.close();
        await().atMost(WAIT).until(() -> world.connections.count(lease.id()) == 1);
        assertThat(world.connections.graceDeadline(lease.id())).isEmpty();
        second.abort();
        await().atMost(WAIT)
                .until(() -> world.connections.graceDeadline(lease.id()).isPresent());
        world.scheduler.advance(Duration.ofSeconds(30));
        Lease ended = world.leases.get(lease.id(), io.containerlease.lease.Caller.ANONYMOUS_ADMIN);
        assertThat(ended.state()).isEqualTo(LeaseState.ENDED);
        assertThat(ended.endReason()).isEqualTo(EndReason.DISCONNECTED);
    }

    @Test
    void terminalInputCountsAsActivity() {
        Lease lease = provision(new SessionRules(Optional.empty(), Optional.of(Duration.ofSeconds(60))));
        try (WsClient ws = terminal(lease, "")) {
            ws.awaitType("session", WAIT);
            world.scheduler.advance(Duration.ofSeconds(50));
            ws.sendBytes("x");
            ws.awaitOutput("x", WAIT);
            world.scheduler.advance(Duration.ofSeconds(50));
            assertThat(world.leases
                            .get(lease.id(), io.containerlease.lease.Caller.ANONYMOUS_ADMIN)
                            .state())
                    .isEqualTo(LeaseState.RUNNING);
            world.scheduler.advance(Duration.ofSeconds(11));
            assertThat(world.leases
                            .get(lease.id(), io.containerlease.lease.Caller.ANONYMOUS_ADMIN)
                            .endReason())
                    .isEqualTo(EndReason.IDLE);
            assertThat(ws.awaitType("ended", WAIT).get("reason").asText()).isEqualTo("idle");
        }
    }

    private Lease provision(SessionRules rules) {
        return world.leases.provision(
                new ProvisionRequest("busybox", Duration.ofHours(1), Map.of(), rules),
                io.containerlease.lease.Caller.ANONYMOUS_ADMIN);
    }

    private WsClient terminal(Lease lease, String query) {
        return WsClient.connect(api.baseUrl(), "/ws/terminal/" + lease.id() + query);
    }
}
