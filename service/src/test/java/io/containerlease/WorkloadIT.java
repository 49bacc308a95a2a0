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

/**
 * A lease's container steered and watched on the real engine: stop, start, restart, pause and
 * unpause as the engine reports them; programs that end by themselves (kept or ended); a memory hog
 * killed for memory; a health check going from starting to healthy to unhealthy; and expiry
 * removing a container whatever state it is in. Every state here comes from the engine's events.
 */
@Timeout(180)
class WorkloadIT {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dataDir;

    private ContainerLeaseServer server;
    private ApiClient api;
    /** A tag of the local busybox image that one test removes and puts back (this run's own). */
    private final String vanishingImage =
            "containerlease-test/vanishing:" + ProcessHandle.current().pid() + "-" + System.nanoTime();

    @BeforeEach
    void start() throws IOException {
        Path catalog =
                Files.writeString(dataDir.resolve("catalog.yaml"), """
                images:
                  busybox:
                    image: containerlease/busybox:latest
                    command: ["sleep", "inf"]
                    pullPolicy: never
                  ticker:
                    image: containerlease/busybox:latest
                    command: ["sh", "-c", "i=0; while true; do i=$((i+1)); echo tick $i; sleep 0.1; done"]
                    pullPolicy: never
                  exits-kept:
                    image: containerlease/busybox:latest
                    command: ["sh", "-c", "sleep 1; exit 3"]
                    pullPolicy: never
                  exits-ends:
                    image: containerlease/busybox:latest
                    command: ["sh", "-c", "sleep 1; exit 4"]
                    onExit: end
                    pullPolicy: never
                  retried:
                    image: containerlease/busybox:latest
                    command: ["sh", "-c", "sleep 0.5; exit 5"]
                    restart: on-failure:2
                    pullPolicy: never
                  hog:
                    image: containerlease/busybox:latest
                    command: ["sh", "-c", "sleep 1; x=$(head -c 200000000 /dev/zero | tr '\\\\0' a); sleep inf"]
                    memoryMb: 16
                    pullPolicy: never
                  hog-child:
                    image: containerlease/busybox:latest
                    command: ["sh", "-c", "sleep 1; (x=$(head -c 200000000 /dev/zero | tr '\\\\0' a)); sleep inf"]
                    memoryMb: 16
                    pullPolicy: never
                  busy:
                    image: containerlease/busybox:latest
                    command: ["sh", "-c", "sleep 2; while :; do :; done"]
                    cpus: 0.5
                    pullPolicy: never
                  checked:
                    image: containerlease/busybox:latest
                    command: ["sh", "-c", "sleep 2; touch /tmp/ok; sleep 4; rm /tmp/ok; sleep inf"]
                    healthCheck: {command: ["test", "-f", "/tmp/ok"], intervalSeconds: 1, timeoutSeconds: 1, retries: 1}
                    pullPolicy: never
                  exits-at-once:
                    image: containerlease/busybox:latest
                    command: ["sh", "-c", "exit 6"]
                    pullPolicy: never
                  vanishing:
                    image: VANISHING_IMAGE
                    command: ["sleep", "inf"]
                    pullPolicy: never
                """.replace("VANISHING_IMAGE", vanishingImage));
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
        untag(vanishingImage);
    }

    private static void tag(String image) {
        int colon = image.lastIndexOf(':');
        TestDocker.client()
                .tagImageCmd("containerlease/busybox:latest", image.substring(0, colon), image.substring(colon + 1))
                .exec();
    }

    private static void untag(String image) {
        try {
            TestDocker.client().removeImageCmd(image).exec(); // the tag only: busybox keeps its own
        } catch (com.github.dockerjava.api.exception.NotFoundException alreadyGone) {
            // never tagged, or removed by the test
        }
    }

    /**
     * A provision does not ask the engine about the image each time: an image removed after it was
     * seen is refused as unavailable (a client's answer, nothing left behind), and tagged again it
     * can be leased again.
     */
    @Test
    void anImageRemovedAfterItWasSeenIsRefusedAndLeasableOnceItIsBack() {
        tag(vanishingImage);
        String first = api.provision("vanishing", "durationMinutes", 5);
        assertThat(api.get("/api/containers/" + first).json().get("status").asText())
                .isEqualTo("running");
        untag(vanishingImage);
        var refused = api.post("/api/provision", "{\"imageType\":\"vanishing\",\"durationMinutes\":1}");
        io.containerlease.support.ApiClient.assertError(refused, 502, "image_unavailable");
        ApiClient.assertNoInternals(refused.json().at("/error/message").asText());
        assertThat(TestDocker.containersOf(server.instanceId())).hasSize(1);
        tag(vanishingImage);
        String again = api.provision("vanishing", "durationMinutes", 5);
        assertThat(api.get("/api/containers/" + again).json().get("status").asText())
                .isEqualTo("running");
    }

    /** A program that ends at once: the engine may say so before its lease runs here; its state shows it either way. */
    @Test
    void aProgramThatEndsAtOnceShowsExited() {
        String id = api.provision("exits-at-once", "durationMinutes", 5);
        await().atMost(WAIT)
                .until(() -> "exited"
                        .equals(api.get("/api/containers/" + id)
                                .json()
                                .at("/container/state")
                                .asText()));
        assertThat(api.get("/api/containers/" + id)
                        .json()
                        .at("/container/exitCode")
                        .asInt())
                .isEqualTo(6);
    }

    private JsonNode act(String id, String action) {
        var r = api.post("/api/containers/" + id + "/" + action, null);
        assertThat(r.status()).as(action + ": " + r.body()).isEqualTo(200);
        return r.json().get("container");
    }

    private String engineState(String id) {
        return TestDocker.client()
                .inspectContainerCmd(ManagedLabels.containerName(new LeaseId(id)))
                .exec()
                .getState()
                .getStatus();
    }

    private JsonNode awaitContainer(String id, String state) {
        await().atMost(WAIT)
                .until(() -> state.equals(api.get("/api/containers/" + id)
                        .json()
                        .at("/container/state")
                        .asText()));
        return api.get("/api/containers/" + id).json().get("container");
    }

    @Test
    void stopStartRestartPauseAndUnpauseAreWhatTheEngineReports() {
        String id = api.provision("busybox", "durationMinutes", 5);
        assertThat(act(id, "stop").get("state").asText()).isEqualTo("stopped");
        assertThat(engineState(id)).isEqualTo("exited");
        assertThat(act(id, "stop").get("state").asText()).isEqualTo("stopped");
        JsonNode started = act(id, "start");
        assertThat(started.get("state").asText()).isEqualTo("running");
        assertThat(engineState(id)).isEqualTo("running");
        assertThat(act(id, "pause").get("state").asText()).isEqualTo("paused");
        assertThat(engineState(id)).isEqualTo("paused");
        var refused = api.post("/api/containers/" + id + "/start", null);
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.json().at("/error/message").asText()).contains("paused");
        assertThat(act(id, "unpause").get("state").asText()).isEqualTo("running");
        String startedAt = started.get("startedAt").asText();
        JsonNode restarted = act(id, "restart");
        assertThat(restarted.get("state").asText()).isEqualTo("running");
        assertThat(restarted.get("startedAt").asText()).isGreaterThan(startedAt);
    }

    @Test
    void aChangeMadeBehindTheServicesBackIsSeenFromTheEnginesEvents() {
        String id = api.provision("busybox", "durationMinutes", 5);
        TestDocker.client()
                .pauseContainerCmd(ManagedLabels.containerName(new LeaseId(id)))
                .exec();
        awaitContainer(id, "paused");
        TestDocker.client()
                .unpauseContainerCmd(ManagedLabels.containerName(new LeaseId(id)))
                .exec();
        awaitContainer(id, "running");
        TestDocker.client()
                .killContainerCmd(ManagedLabels.containerName(new LeaseId(id)))
                .exec();
        JsonNode killed = awaitContainer(id, "exited");
        assertThat(killed.get("exitCode").asInt()).isEqualTo(137);
    }

    @Test
    void aChangeMadeAnywhereReachesAnEventStreamAndAResumeMissesNothing() throws Exception {
        var http = java.net.http.HttpClient.newHttpClient();
        var seen = new java.util.concurrent.CopyOnWriteArrayList<JsonNode>();
        var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.baseUrl() + "/api/events"))
                .header("Accept", "text/event-stream")
                .build();
        var stream = http.send(request, java.net.http.HttpResponse.BodyHandlers.ofLines())
                .body();
        Thread.ofVirtual().start(() -> {
            try {
                stream.filter(l -> l.startsWith("data:")).forEach(l -> {
                    try {
                        seen.add(mapper.readTree(l.substring(5)));
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
            } catch (RuntimeException closed) {
                // closed by the test
            }
        });
        String id = api.provision("busybox", "durationMinutes", 5);
        TestDocker.client()
                .pauseContainerCmd(ManagedLabels.containerName(new LeaseId(id)))
                .exec();
        await().atMost(WAIT)
                .until(() -> seen.stream()
                        .anyMatch(e -> "container.state".equals(e.get("type").asText())
                                && "paused".equals(e.at("/data/to").asText())));
        stream.close();
        long lastId = seen.get(seen.size() - 1).get("id").asLong();
        TestDocker.client()
                .unpauseContainerCmd(ManagedLabels.containerName(new LeaseId(id)))
                .exec();
        awaitContainer(id, "running");
        var resumed = http.send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                                server.baseUrl() + "/api/events?after=" + lastId + "&types=container.state"))
                        .header("Accept", "text/event-stream")
                        .build(),
                java.net.http.HttpResponse.BodyHandlers.ofLines());
        String first =
                resumed.body().filter(l -> l.startsWith("data:")).findFirst().orElseThrow();
        resumed.body().close();
        JsonNode unpaused = mapper.readTree(first.substring(5));
        assertThat(unpaused.at("/data/from").asText()).isEqualTo("paused");
        assertThat(unpaused.at("/data/to").asText()).isEqualTo("running");
        assertThat(unpaused.get("id").asLong()).isGreaterThan(lastId);
    }

    @Test
    void aProgramThatEndsByItselfKeepsItsLeaseOrEndsItAsItsImageTypeSays() {
        String kept = api.provision("exits-kept", "durationMinutes", 5);
        String ends = api.provision("exits-ends", "durationMinutes", 5);
        JsonNode exited = awaitContainer(kept, "exited");
        assertThat(exited.get("exitCode").asInt()).isEqualTo(3);
        assertThat(api.get("/api/containers/" + kept).json().get("status").asText())
                .isEqualTo("running");
        await().atMost(WAIT)
                .until(() -> "ended"
                        .equals(api.get("/api/containers/" + ends)
                                .json()
                                .get("status")
                                .asText()));
        assertThat(api.get("/api/containers/" + ends).json().get("endReason").asText())
                .isEqualTo("exited");
        await().atMost(WAIT).until(() -> !TestDocker.exists(ManagedLabels.containerName(new LeaseId(ends))));
        // A kept lease's container can be started again.
        assertThat(act(kept, "start").get("state").asText()).isIn("running", "exited");
    }

    @Test
    void aFailingProgramIsRestartedAsManyTimesAsItsImageTypeAllows() {
        String id = api.provision("retried", "durationMinutes", 5);
        await().atMost(WAIT)
                .until(() -> "exited".equals(engineState(id))
                        && api.get("/api/containers/" + id)
                                        .json()
                                        .at("/container/restartCount")
                                        .asInt()
                                == 2);
        JsonNode container = awaitContainer(id, "exited");
        assertThat(container.get("exitCode").asInt()).isEqualTo(5);
    }

    @Test
    void aMemoryHogIsReportedAsKilledForMemory() {
        assertThat(stateOnceKilledForMemory(api.provision("hog", "durationMinutes", 5)))
                .isIn("running", "exited");
    }

    /** The engine's own flag would say nothing until the container ends: the kill is told while the program goes on. */
    @Test
    void aChildKilledForMemoryIsReportedWhileTheProgramGoesOn() {
        assertThat(stateOnceKilledForMemory(api.provision("hog-child", "durationMinutes", 5)))
                .isEqualTo("running");
    }

    /** Waits until the lease's container says a process in it was killed for memory; then its state. */
    private String stateOnceKilledForMemory(String id) {
        await().atMost(WAIT)
                .until(() -> api.get("/api/containers/" + id)
                        .json()
                        .at("/container/oomKilled")
                        .asBoolean());
        return api.get("/api/containers/" + id).json().at("/container/state").asText();
    }

    @Test
    void aHealthCheckGoesFromStartingToHealthyToUnhealthy() {
        String id = api.provision("checked", "durationMinutes", 5);
        assertThat(api.get("/api/containers/" + id)
                        .json()
                        .at("/container/health")
                        .asText())
                .isEqualTo("starting");
        await().atMost(WAIT)
                .until(() -> "healthy"
                        .equals(api.get("/api/containers/" + id)
                                .json()
                                .at("/container/health")
                                .asText()));
        await().atMost(WAIT)
                .until(() -> "unhealthy"
                        .equals(api.get("/api/containers/" + id)
                                .json()
                                .at("/container/health")
                                .asText()));
    }

    @Test
    void usageIsWhatTheContainerUsesAndMovesWhenItWorks() {
        String id = api.provision("busy", "durationMinutes", 5);
        JsonNode idle = api.get("/api/containers/" + id + "/stats").json();
        assertThat(idle.get("memoryBytes").asLong()).isPositive();
        assertThat(idle.get("memoryLimitBytes").asLong()).isEqualTo(256L << 20);
        assertThat(idle.get("pids").asLong()).isPositive();
        // Busy from its second second on, capped at half a CPU.
        await().atMost(WAIT)
                .until(() -> api.get("/api/containers/" + id + "/stats")
                                .json()
                                .get("cpuPercent")
                                .asDouble()
                        > 20);
        assertThat(api.get("/api/containers/" + id + "/stats")
                        .json()
                        .get("cpuPercent")
                        .asDouble())
                .isLessThan(80);
    }

    @Test
    void aStoppedAndAPausedContainerAreBothRemovedWhenTheirLeasesExpire() {
        String stopped = api.provision("busybox", "durationSeconds", 4);
        String paused = api.provision("busybox", "durationSeconds", 4);
        act(stopped, "stop");
        act(paused, "pause");
        for (String id : List.of(stopped, paused)) {
            await().atMost(WAIT).until(() -> !TestDocker.exists(ManagedLabels.containerName(new LeaseId(id))));
            assertThat(api.get("/api/containers/" + id).json().get("endReason").asText())
                    .isEqualTo("expired");
        }
    }

    @Test
    void aStopEndsOpenShellsAndALogStreamGoesOnAfterAStartWithoutStartingOver() {
        String id = api.provision("ticker", "durationMinutes", 5);
        try (WsClient shell = WsClient.connect(server.baseUrl(), "/ws/terminal/" + id);
                WsClient logs = WsClient.connect(server.baseUrl(), "/ws/logs/" + id)) {
            shell.awaitType("session", WAIT);
            logs.await(m -> m.has("seq") && m.get("seq").asLong() >= 3, WAIT);
            act(id, "stop");
            shell.awaitType("exit", WAIT);
            logs.await(
                    m -> "container".equals(m.path("type").asText())
                            && "stopped".equals(m.path("state").asText()),
                    WAIT);
            long before = logs.texts.stream()
                    .filter(m -> m.has("seq"))
                    .mapToLong(m -> m.get("seq").asLong())
                    .max()
                    .orElseThrow();

            var refused = WsClient.connect(server.baseUrl(), "/ws/terminal/" + id);
            assertThat(refused.awaitType("error", WAIT).get("code").asText()).isEqualTo("container_not_running");
            refused.close();

            act(id, "start");
            JsonNode next = logs.await(m -> m.has("seq") && m.get("seq").asLong() > before + 2, WAIT);
            List<Long> seqs = logs.texts.stream()
                    .filter(m -> m.has("seq"))
                    .map(m -> m.get("seq").asLong())
                    .toList();
            assertThat(seqs)
                    .as("seq goes on, without a gap or a repeat")
                    .isEqualTo(java.util.stream.LongStream.rangeClosed(
                                    seqs.get(0), next.get("seq").asLong())
                            .boxed()
                            .toList());
            assertThat(logs.texts.stream()
                            .filter(m ->
                                    m.has("seq") && m.get("message").asText().equals("tick 1")))
                    .as("the program started again from its own beginning, and the stream shows both runs")
                    .hasSize(2);
        }
    }
}
