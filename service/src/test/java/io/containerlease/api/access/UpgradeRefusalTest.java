package io.containerlease.api.access;

import static org.assertj.core.api.Assertions.assertThat;

import io.containerlease.support.ApiClient;
import io.containerlease.support.RawHttp;
import io.containerlease.support.RunningApi;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A WebSocket upgrade the service refuses is answered like any other refused request: the status, the
 * JSON error body, no internals, and no HTTP session (no cookie) left behind; a query it cannot decode
 * is the client's mistake (400 invalid_query), never a 500.
 */
class UpgradeRefusalTest {
    private static final String ALICE = "alice-token-0123456789";
    private static final Map<String, String> UPGRADE = Map.of(
            "Connection",
            "Upgrade",
            "Upgrade",
            "websocket",
            "Sec-WebSocket-Version",
            "13",
            "Sec-WebSocket-Key",
            "dGhlIHNhbXBsZSBub25jZQ==");
    private RunningApi api;
    private RawHttp raw;
    private String lease;

    @BeforeEach
    void start() {
        api = RunningApi.withUsers(Map.of("alice", ALICE));
        raw = new RawHttp("127.0.0.1", api.port());
        lease = new ApiClient(api.baseUrl(), ALICE).provision("busybox", "durationMinutes", 5);
    }

    @AfterEach
    void stop() {
        api.close();
    }

    private RawHttp.Response upgrade(String target, Map<String, String> extra) {
        Map<String, String> headers = new java.util.HashMap<>(UPGRADE);
        headers.putAll(extra);
        return raw.send("GET", target, headers, null, null);
    }

    private static void assertRefused(RawHttp.Response response, int status, String code) {
        assertThat(response.status()).as(response.toString()).isEqualTo(status);
        assertThat(response.json().at("/error/code").asText())
                .as(response.body())
                .isEqualTo(code);
        ApiClient.assertNoInternals(response.json().at("/error/message").asText());
        assertThat(response.headers().keySet())
                .as("no session cookie")
                .noneMatch(h -> h.equalsIgnoreCase("Set-Cookie"));
    }

    @Test
    void aRefusedUpgradeHasTheErrorBodyAndNoCookie() {
        assertRefused(upgrade("/ws/events", Map.of()), 401, "unauthorized");
        assertRefused(
                upgrade("/ws/events", Map.of("Authorization", "Bearer wrong-token-0123456789")), 401, "invalid_token");
        assertRefused(upgrade("/ws/events?ticket=nope", Map.of()), 401, "invalid_ticket");
        assertRefused(
                upgrade("/ws/events", Map.of("Authorization", "Bearer " + ALICE, "Origin", "https://evil.example")),
                403,
                "origin_not_allowed");
    }

    @Test
    void anUndecodableQueryOnAnUpgradeIsA400() {
        Map<String, String> alice = Map.of("Authorization", "Bearer " + ALICE);
        for (String target : new String[] {
            "/ws/exec/" + lease + "?command=%ff",
            "/ws/logs/" + lease + "?tail=%ff",
            "/ws/events?types=%ff",
            "/ws/exec/" + lease + "?command=a%",
            "/ws/events?%zz=1",
            "/ws/terminal/" + lease + "?cols=%c3%28"
        }) {
            assertRefused(upgrade(target, alice), 400, "invalid_query");
        }
        ApiClient.assertError(
                new ApiClient(api.baseUrl(), ALICE).get("/api/containers?limit=%ff"), 400, "invalid_query");
    }
}
