package io.containerlease.api;

import static io.containerlease.support.ApiClient.assertError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.containerlease.support.ApiClient;
import io.containerlease.support.LeaseWorld;
import io.containerlease.support.RunningApi;
import io.containerlease.support.WsClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The event channel over real HTTP (SSE read by the JDK's client) and WebSocket, on the fake engine. */
class EventsApiTest {
    private static final String ALICE = "alice-token-0123456789";
    private static final String BOB = "bob-token-0123456789ab";
    private static final ObjectMapper JSON = new ObjectMapper();
    private RunningApi api;
    private LeaseWorld world;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() {
        api = RunningApi.withUsers(Map.of("alice", ALICE, "bob", BOB));
        world = api.world;
    }

    @AfterEach
    void stop() {
        api.close();
    }

    /** An SSE reader: each event's id and JSON, as the stream delivers them. */
    final class Sse implements AutoCloseable {
        final List<JsonNode> frames = new CopyOnWriteArrayList<>();
        final List<String> ids = new CopyOnWriteArrayList<>();
        final List<String> contentTypes = new CopyOnWriteArrayList<>();
        private final Stream<String> lines;

        Sse(String token, String query, String lastEventId) throws Exception {
            var request = HttpRequest.newBuilder(URI.create(api.baseUrl() + "/api/events" + query))
                    .header("Authorization", "Bearer " + token)
                    .header("Accept", "text/event-stream");
            if (lastEventId != null) {
                request.header("Last-Event-ID", lastEventId);
            }
            HttpResponse<Stream<String>> response = http.send(request.build(), HttpResponse.BodyHandlers.ofLines());
            assertThat(response.statusCode()).isEqualTo(200);
            response.headers().firstValue("Content-Type").ifPresent(contentTypes::add);
            lines = response.body();
            Thread.ofVirtual().start(() -> {
                try {
                    lines.forEach(line -> {
                        if (line.startsWith("id:")) {
                            ids.add(line.substring(3).trim());
                        } else if (line.startsWith("data:")) {
                            try {
                                frames.add(JSON.readTree(line.substring(5).trim()));
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                        }
                    });
                } catch (RuntimeException closed) {
                    // the test closed the stream
                }
            });
        }

        List<String> types() {
            return frames.stream().map(f -> f.get("type").asText()).toList();
        }

        @Override
        public void close() {
            lines.close();
        }
    }

    @Test
    void aLeasesLifeArrivesAsEventsAndAResumeWithLastEventIdGetsEachExactlyOnce() throws Exception {
        ApiClient alice = new ApiClient(api.baseUrl(), ALICE);
        String lastId;
        String lease;
        try (Sse sse = new Sse(ALICE, "", null)) {
            assertThat(sse.contentTypes.get(0)).startsWith("text/event-stream");
            lease = alice.provision("busybox", "durationMinutes", 10);
            await().atMost(Duration.ofSeconds(5)).until(() -> sse.types().contains("lease.running"));
            assertThat(sse.types()).containsSubsequence("lease.provisioning", "lease.running");
            JsonNode running = sse.frames.get(sse.types().indexOf("lease.running"));
            assertThat(running.get("leaseId").asText()).isEqualTo(lease);
            assertThat(running.get("user").asText()).isEqualTo("alice");
            assertThat(running.at("/data/imageType").asText()).isEqualTo("busybox");
            await().atMost(Duration.ofSeconds(5)).until(() -> sse.ids.size() == sse.frames.size());
            lastId = sse.ids.get(sse.ids.size() - 1);
        }
        // While nobody listens: a stop, an extension and the release.
        alice.post("/api/containers/" + lease + "/stop", null);
        alice.post("/api/containers/" + lease + "/extend", "{\"durationMinutes\":5}");
        alice.delete("/api/containers/" + lease);
        try (Sse again = new Sse(ALICE, "", lastId)) {
            await().atMost(Duration.ofSeconds(5)).until(() -> again.types().contains("lease.ended"));
            assertThat(again.types())
                    .containsSubsequence("container.state", "lease.extended", "lease.ending", "lease.ended");
            assertThat(again.types()).doesNotContain("lease.running", "lease.provisioning");
            assertThat(again.ids)
                    .doesNotHaveDuplicates()
                    .allSatisfy(id -> assertThat(Long.parseLong(id)).isGreaterThan(Long.parseLong(lastId)));
            JsonNode state = again.frames.get(again.types().indexOf("container.state"));
            assertThat(state.at("/data/from").asText()).isEqualTo("running");
            assertThat(state.at("/data/to").asText()).isEqualTo("stopped");
            assertThat(again.frames
                            .get(again.types().indexOf("lease.ended"))
                            .at("/data/reason")
                            .asText())
                    .isEqualTo("released");
        }
    }

    @Test
    void withoutFollowAReaderGetsWhatIsHeldAndTheStreamEnds() throws Exception {
        ApiClient alice = new ApiClient(api.baseUrl(), ALICE);
        String lease = alice.provision("busybox", "durationMinutes", 10);
        alice.delete("/api/containers/" + lease);
        String ticket = alice.post("/api/ws-ticket", null).json().get("ticket").asText();
        try (WsClient ws = WsClient.connect(
                api.baseUrl(), "/ws/events?ticket=" + ticket + "&after=0&follow=false&leaseId=" + lease)) {
            assertThat(ws.awaitClose(Duration.ofSeconds(5))).isEqualTo(1000);
            assertThat(ws.texts)
                    .extracting(f -> f.get("type").asText())
                    .containsSubsequence("lease.provisioning", "lease.running", "lease.ending", "lease.ended")
                    .doesNotContain("subscribed");
        }
        var request = HttpRequest.newBuilder(
                        URI.create(api.baseUrl() + "/api/events?after=0&follow=false&types=lease.ended"))
                .header("Authorization", "Bearer " + ALICE)
                .header("Accept", "text/event-stream");
        HttpResponse<String> whole = http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString())
                .get(10, java.util.concurrent.TimeUnit.SECONDS); // the stream ends by itself
        assertThat(whole.body()).contains("\"lease.ended\"").doesNotContain("\"lease.running\"");
        String nothingHeld =
                alice.post("/api/ws-ticket", null).json().get("ticket").asText();
        try (WsClient ws = WsClient.connect(api.baseUrl(), "/ws/events?ticket=" + nothingHeld + "&follow=false")) {
            assertThat(ws.awaitClose(Duration.ofSeconds(5)))
                    .as("no 'after': nothing held is asked for")
                    .isEqualTo(1000);
            assertThat(ws.texts).isEmpty();
        }
    }

    @Test
    void aUserHearsOnlyOfTheirOwnLeases() throws Exception {
        try (Sse bob = new Sse(BOB, "", null);
                Sse aliceOnlyEnded = new Sse(ALICE, "?types=lease.ended", null)) {
            String lease = new ApiClient(api.baseUrl(), ALICE).provision("busybox", "durationMinutes", 10);
            new ApiClient(api.baseUrl(), ALICE).delete("/api/containers/" + lease);
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> aliceOnlyEnded.types().contains("lease.ended"));
            Thread.sleep(200);
            assertThat(aliceOnlyEnded.types()).containsOnly("lease.ended");
            assertThat(bob.frames).isEmpty();
        }
    }

    @Test
    void theSameFramesArriveOverAWebSocket() throws Exception {
        ApiClient alice = new ApiClient(api.baseUrl(), ALICE);
        String ticket = alice.post("/api/ws-ticket", null).json().get("ticket").asText();
        try (WsClient ws =
                WsClient.connect(api.baseUrl(), "/ws/events?ticket=" + ticket + "&types=lease.running,lease.ended")) {
            ws.awaitType("subscribed", Duration.ofSeconds(5));
            String lease = alice.provision("busybox", "durationMinutes", 10);
            JsonNode running = ws.awaitType("lease.running", Duration.ofSeconds(5));
            assertThat(running.get("leaseId").asText()).isEqualTo(lease);
            assertThat(running.get("id").asLong()).isPositive();
        }
    }

    @Test
    void aSubscriberThatAsksGetsItsLeasesUsageAtItsInterval() throws Exception {
        ApiClient alice = new ApiClient(api.baseUrl(), ALICE);
        String lease = alice.provision("busybox", "durationMinutes", 10);
        String ticket = alice.post("/api/ws-ticket", null).json().get("ticket").asText();
        try (WsClient ws = WsClient.connect(
                api.baseUrl(),
                "/ws/events?ticket=" + ticket + "&leaseId=" + lease + "&types=container.stats&stats=1s")) {
            JsonNode stats = ws.awaitType("container.stats", Duration.ofSeconds(5));
            assertThat(stats.at("/data/cpuPercent").asDouble()).isEqualTo(12.5);
            assertThat(stats.at("/data/memoryBytes").asLong()).isEqualTo(3L << 20);
            assertThat(stats.has("id"))
                    .as("private to this subscriber: nothing to resume")
                    .isFalse();
        }
        assertError(alice.get("/api/events?stats=5s"), 400, "invalid_query");
        assertError(alice.get("/api/events?leaseId=" + lease + "&stats=soon"), 400, "invalid_query");
        assertError(
                new ApiClient(api.baseUrl(), BOB).get("/api/events?leaseId=" + lease + "&stats=5s"),
                404,
                "lease_not_found");
    }

    @Test
    void badFiltersAreTheClientsMistake() {
        ApiClient alice = new ApiClient(api.baseUrl(), ALICE);
        assertError(alice.get("/api/events?types=lease.nope"), 400, "invalid_query");
        assertError(alice.get("/api/events?leaseId=nope"), 400, "invalid_query");
        assertError(alice.get("/api/events?after=-5"), 400, "invalid_query");
        assertError(new ApiClient(api.baseUrl()).get("/api/events"), 401, "unauthorized");
        assertError(alice.get("/api/events"), 406, "not_acceptable");
    }
}
