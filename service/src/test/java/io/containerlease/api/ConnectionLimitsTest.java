package io.containerlease.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.containerlease.config.ServiceConfig;
import io.containerlease.lease.Caller;
import io.containerlease.lease.Lease;
import io.containerlease.lease.ManagedLabels;
import io.containerlease.lease.ProvisionRequest;
import io.containerlease.lease.SessionRules;
import io.containerlease.support.ApiClient;
import io.containerlease.support.LeaseWorld;
import io.containerlease.support.WsClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Long-lived connections (WebSockets of every endpoint, event streams) are capped per lease, per user
 * and in all; a connection over a cap is refused and a closed one gives its slot back.
 */
@Timeout(60)
class ConnectionLimitsTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private LeaseWorld world;
    private ApiServer api;
    private final List<WsClient> open = new ArrayList<>();

    @BeforeEach
    void start() {
        world = new LeaseWorld();
        api = new ApiServer(
                ServiceConfig.fromEnvironment(
                        Map.of("PORT", "0", "AUTH", "off", "WS_MAX_PER_LEASE", "2", "WS_MAX_PER_USER", "3")),
                world.services());
        api.start();
    }

    @AfterEach
    void stop() {
        open.forEach(WsClient::close);
        api.close();
        world.close();
    }

    private WsClient logs(Lease lease) {
        WsClient ws = WsClient.connect(api.baseUrl(), "/ws/logs/" + lease.id());
        open.add(ws);
        return ws;
    }

    private static void assertRefused(WsClient ws) {
        JsonNode error = ws.awaitType("error", WAIT);
        assertThat(error.get("code").asText()).isEqualTo("too_many_connections");
        assertThat(ws.awaitClose(WAIT)).isEqualTo(4429);
    }

    @Test
    void aLeaseAndAUserHaveTheirCapsAndAClosedConnectionGivesItsSlotBack() {
        Lease first = provision();
        Lease second = provision();
        WsClient a = logs(first);
        logs(first);
        assertRefused(logs(first));
        logs(second);
        assertRefused(logs(second)); // the user's fourth
        a.close();
        await().atMost(WAIT)
                .untilAsserted(() ->
                        assertThat(health().at("/capacity/connections").asInt()).isEqualTo(2));
        WsClient again = logs(second);
        // Admitted: it gets the lease's next log line (no wall-clock wait for a refusal that does not come).
        await().atMost(WAIT).until(() -> world.streams.followers.containsKey(ManagedLabels.containerName(second.id())));
        world.streams.emit(ManagedLabels.containerName(second.id()), false, "still here");
        again.await(t -> "still here".equals(t.path("message").asText()), WAIT);
    }

    @Test
    void healthSaysHowCloseTheProcessIsToItsDescriptorLimit() {
        JsonNode capacity = health().get("capacity");
        assertThat(capacity.get("connections").asInt()).isZero();
        assertThat(capacity.get("connectionsMax").asLong())
                .isPositive()
                .isLessThan(capacity.get("fileDescriptorsMax").asLong());
        assertThat(capacity.get("fileDescriptors").asLong()).isPositive();
    }

    @Test
    void eventStreamsOverWebSocketAndServerSentEventsCountAgainstTheUserCapToo() throws Exception {
        WsClient one = WsClient.connect(api.baseUrl(), "/ws/events");
        open.add(one);
        one.awaitType("subscribed", WAIT);
        WsClient two = WsClient.connect(api.baseUrl(), "/ws/events");
        open.add(two);
        two.awaitType("subscribed", WAIT);
        var http = java.net.http.HttpClient.newHttpClient();
        var sse = java.net.http.HttpRequest.newBuilder(java.net.URI.create(api.baseUrl() + "/api/events"))
                .header("Accept", "text/event-stream")
                .build();
        var stream = http.send(sse, java.net.http.HttpResponse.BodyHandlers.ofInputStream());
        assertThat(stream.statusCode()).isEqualTo(200);
        await().atMost(WAIT).untilAsserted(() -> {
            JsonNode capacity = health().get("capacity");
            assertThat(capacity.get("connections").asInt()).isEqualTo(3);
            assertThat(capacity.at("/connectionsByKind/events").asInt()).isEqualTo(2);
            assertThat(capacity.at("/connectionsByKind/events-sse").asInt()).isEqualTo(1);
        });
        assertRefused(WsClient.connect(api.baseUrl(), "/ws/events"));
        var refused = http.send(sse, java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.body()).contains("too_many_connections");
        stream.body().close(); // its slot comes back when the server next writes to it (a heartbeat, within 15 s)
    }

    private JsonNode health() {
        return new ApiClient(api.baseUrl()).get("/healthz").json();
    }

    private Lease provision() {
        return world.leases.provision(
                new ProvisionRequest("busybox", Duration.ofHours(1), Map.of(), SessionRules.NONE),
                Caller.ANONYMOUS_ADMIN);
    }
}
