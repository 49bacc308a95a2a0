package io.containerlease.api;

import static io.containerlease.support.ApiClient.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import io.containerlease.api.support.WsRefusal;
import io.containerlease.auth.TokenRegistry;
import io.containerlease.config.ServiceConfig;
import io.containerlease.lease.ManagedLabels;
import io.containerlease.lease.Quota;
import io.containerlease.support.ApiClient;
import io.containerlease.support.ApiClient.Response;
import io.containerlease.support.LeaseWorld;
import io.containerlease.support.WsClient;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/** Who asks, and what they may touch: tokens, ownership, tickets, origins, quotas, rate limits, secrets. */
@Timeout(60)
class TenancyTest {
    private static final String ALICE = "alice-token-0123456789";
    private static final String BOB = "bob-token-0123456789ab";
    private static final String ROOT = "root-token-0123456789a";
    private static final Duration WAIT = Duration.ofSeconds(5);

    private LeaseWorld world;
    private ApiServer api;

    private void start(Map<String, String> env, Quota quota) {
        world = new LeaseWorld(42, quota);
        Map<String, String> all = new HashMap<>(Map.of("PORT", "0"));
        all.putAll(env);
        TokenRegistry tokens = TokenRegistry.of(List.of(
                new TokenRegistry.Entry("alice", TokenRegistry.sha256(ALICE), false),
                new TokenRegistry.Entry("bob", TokenRegistry.sha256(BOB), false),
                new TokenRegistry.Entry("root", TokenRegistry.sha256(ROOT), true)));
        api = new ApiServer(ServiceConfig.fromEnvironment(all), world.services(Optional.of(tokens)));
        api.start();
    }

    private void start() {
        start(Map.of(), Quota.UNLIMITED);
    }

    @AfterEach
    void stop() {
        api.close();
        world.close();
    }

    @Test
    void requestsWithoutAValidTokenAre401() {
        start();
        assertError(new ApiClient(api.baseUrl()).get("/api/containers"), 401, "unauthorized");
        assertError(new ApiClient(api.baseUrl(), "not-a-token").get("/api/containers"), 401, "invalid_token");
        assertError(
                new ApiClient(api.baseUrl())
                        .send("GET", "/api/containers", null, null, Map.of("Authorization", "Basic eDp5")),
                401,
                "unauthorized");
        assertThat(new ApiClient(api.baseUrl()).get("/healthz").status()).isEqualTo(200);
        assertThat(new ApiClient(api.baseUrl(), ALICE).get("/api/containers").status())
                .isEqualTo(200);
    }

    @Test
    void usersCannotSeeOrTouchEachOthersLeasesAndAnAdminSeesAll() {
        start();
        ApiClient alice = new ApiClient(api.baseUrl(), ALICE);
        ApiClient bob = new ApiClient(api.baseUrl(), BOB);
        String aliceLease = alice.provision("busybox", "durationMinutes", 10);
        String bobLease = bob.provision("busybox", "durationMinutes", 10);

        assertThat(ids(alice.get("/api/containers?all=true"))).containsExactly(aliceLease);
        assertThat(ids(bob.get("/api/containers"))).containsExactly(bobLease);
        assertThat(ids(new ApiClient(api.baseUrl(), ROOT).get("/api/containers")))
                .containsExactlyInAnyOrder(aliceLease, bobLease);

        assertError(bob.get("/api/containers/" + aliceLease), 404, "lease_not_found");
        assertError(
                bob.post("/api/containers/" + aliceLease + "/extend", "{\"durationMinutes\":1}"),
                404,
                "lease_not_found");
        assertError(bob.delete("/api/containers/" + aliceLease), 404, "lease_not_found");
        assertThat(alice.get("/api/containers/" + aliceLease)
                        .json()
                        .get("status")
                        .asText())
                .isEqualTo("running");

        Map<String, String> bobHeader = Map.of("Authorization", "Bearer " + BOB);
        for (String path : List.of("/ws/terminal/", "/ws/logs/")) {
            try (WsClient ws = WsClient.connect(api.baseUrl(), path + aliceLease, bobHeader)) {
                assertThat(ws.awaitClose(WAIT)).isEqualTo(WsRefusal.CLOSE_NOT_FOUND);
            }
        }
        assertThat(world.streams.shells).isEmpty();
        assertThat(new ApiClient(api.baseUrl(), ROOT)
                        .delete("/api/containers/" + aliceLease)
                        .status())
                .isEqualTo(200);
    }

    @Test
    void webSocketsNeedAHeaderOrASingleUseTicketAndNeverATokenInTheUrl() {
        start();
        ApiClient alice = new ApiClient(api.baseUrl(), ALICE);
        String lease = alice.provision("busybox", "durationMinutes", 10);
        assertThat(WsClient.upgradeStatus(api.baseUrl(), "/ws/terminal/" + lease, Map.of()))
                .isEqualTo(401);
        assertThat(WsClient.upgradeStatus(api.baseUrl(), "/ws/terminal/" + lease + "?token=" + ALICE, Map.of()))
                .isEqualTo(401);
        try (WsClient ws =
                WsClient.connect(api.baseUrl(), "/ws/terminal/" + lease, Map.of("Authorization", "Bearer " + ALICE))) {
            ws.awaitType("session", WAIT);
        }

        Response ticket = alice.post("/api/ws-ticket", null);
        assertThat(ticket.status()).isEqualTo(201);
        String value = ticket.json().get("ticket").asText();
        try (WsClient ws = WsClient.connect(api.baseUrl(), "/ws/logs/" + lease + "?ticket=" + value)) {
            // Refused, it would be closed with a 44xx code; accepted, it counts as the lease's live connection.
            org.awaitility.Awaitility.await()
                    .atMost(WAIT)
                    .until(() -> world.connections.count(new io.containerlease.lease.LeaseId(lease)) == 1);
            assertThat(ws.closed).isNotDone();
        }
        assertThat(WsClient.upgradeStatus(api.baseUrl(), "/ws/logs/" + lease + "?ticket=" + value, Map.of()))
                .as("a ticket works once")
                .isEqualTo(401);
        world.clock.advance(Duration.ofSeconds(31));
        String stale = alice.post("/api/ws-ticket", null).json().get("ticket").asText();
        world.clock.advance(Duration.ofSeconds(31));
        assertThat(WsClient.upgradeStatus(api.baseUrl(), "/ws/logs/" + lease + "?ticket=" + stale, Map.of()))
                .isEqualTo(401);
    }

    @Test
    void aForeignOriginIsRefusedAndTheSameOriginIsNot() {
        start();
        String lease = new ApiClient(api.baseUrl(), ALICE).provision("busybox", "durationMinutes", 10);
        Map<String, String> evil = Map.of("Authorization", "Bearer " + ALICE, "Origin", "https://evil.example.com");
        assertThat(WsClient.upgradeStatus(api.baseUrl(), "/ws/logs/" + lease, evil))
                .isEqualTo(403);
        String own = "http://127.0.0.1:" + api.port();
        assertThat(WsClient.upgradeStatus(
                        api.baseUrl(), "/ws/logs/" + lease, Map.of("Authorization", "Bearer " + ALICE, "Origin", own)))
                .isEqualTo(101);
    }

    @Test
    void allowedOriginsAddToTheSameOriginAndNeverReplaceIt() {
        start(Map.of("ALLOWED_ORIGINS", "https://lab.example.com"), Quota.UNLIMITED);
        String lease = new ApiClient(api.baseUrl(), ALICE).provision("busybox", "durationMinutes", 10);
        String own = "http://127.0.0.1:" + api.port();
        for (String origin : List.of(own, "https://lab.example.com")) {
            assertThat(WsClient.upgradeStatus(
                            api.baseUrl(),
                            "/ws/logs/" + lease,
                            Map.of("Authorization", "Bearer " + ALICE, "Origin", origin)))
                    .as(origin)
                    .isEqualTo(101);
        }
        assertThat(WsClient.upgradeStatus(
                        api.baseUrl(),
                        "/ws/logs/" + lease,
                        Map.of("Authorization", "Bearer " + ALICE, "Origin", "https://evil.example.com")))
                .isEqualTo(403);
    }

    @Test
    void anUnknownHostIsRefused() {
        start(Map.of("ALLOWED_HOSTS", "lab.example.com"), Quota.UNLIMITED);
        assertError(new ApiClient(api.baseUrl(), ALICE).get("/api/containers"), 403, "host_not_allowed");
    }

    @Test
    void theRefusalListsEachAllowedHostOnce() {
        start();
        var refused = new io.containerlease.support.RawHttp("127.0.0.1", api.port())
                .send("GET", "/api/containers", Map.of("Host", "evil.example.com"), null, null);
        String message = refused.json().at("/error/message").asText();
        assertThat(refused.status()).isEqualTo(403);
        assertThat(message.split("127\\.0\\.0\\.1", -1)).as(message).hasSize(2);
    }

    @Test
    void quotasAnswer429AndCreateNothing() {
        start(Map.of(), new Quota(2, 3));
        ApiClient alice = new ApiClient(api.baseUrl(), ALICE);
        ApiClient bob = new ApiClient(api.baseUrl(), BOB);
        alice.provision("busybox", "durationMinutes", 10);
        alice.provision("busybox", "durationMinutes", 10);
        assertError(
                alice.post("/api/provision", "{\"imageType\":\"busybox\",\"durationMinutes\":10}"),
                429,
                "quota_exceeded");
        bob.provision("busybox", "durationMinutes", 10);
        assertError(
                bob.post("/api/provision", "{\"imageType\":\"busybox\",\"durationMinutes\":10}"), 429, "service_full");
        assertThat(world.runtime.all()).hasSize(3);
        assertThat(world.store.page(true, Optional.empty(), 100)).hasSize(3);
    }

    /** A trainer (an admin) provisions for a class: held to MAX_LEASES_PER_ADMIN, not to a user's limit. */
    @Test
    void anAdminMayHoldMoreLeasesThanAUserUpToTheAdminLimit() {
        start(Map.of(), new Quota(2, 4, 10));
        ApiClient root = new ApiClient(api.baseUrl(), ROOT);
        for (int i = 0; i < 4; i++) {
            root.provision("busybox", "durationMinutes", 10);
        }
        Response refused = root.post("/api/provision", "{\"imageType\":\"busybox\",\"durationMinutes\":10}");
        assertError(refused, 429, "quota_exceeded");
        assertThat(refused.json().at("/error/message").asText())
                .contains("already has 4 live leases")
                .contains("MAX_LEASES_PER_ADMIN");
        assertThat(world.runtime.all()).hasSize(4);
    }

    @Test
    void theRateLimitCountsUnauthenticatedRequestsAndASpoofedForwardedForDoesNotEscapeIt() {
        start(Map.of("RATE_LIMIT_PER_MINUTE", "5"), Quota.UNLIMITED);
        ApiClient guesser = new ApiClient(api.baseUrl(), "guess-000000000000");
        for (int i = 0; i < 5; i++) {
            assertThat(guesser.send("GET", "/api/containers", null, null, Map.of("X-Forwarded-For", "10.9.9." + i))
                            .status())
                    .isEqualTo(401);
        }
        Response limited = new ApiClient(api.baseUrl(), ALICE)
                .send("GET", "/api/containers", null, null, Map.of("X-Forwarded-For", "203.0.113.77"));
        assertError(limited, 429, "rate_limited");
        assertThat(Long.parseLong(limited.headers().firstValue("Retry-After").orElseThrow()))
                .isPositive();
    }

    @Test
    void behindATrustedProxyTheRightmostUntrustedAddressIsTheClient() {
        start(Map.of("RATE_LIMIT_PER_MINUTE", "2", "TRUSTED_PROXIES", "127.0.0.1/32"), Quota.UNLIMITED);
        ApiClient alice = new ApiClient(api.baseUrl(), ALICE);
        // The attacker controls the left of the header; the proxy appends the address it saw.
        for (String spoof : List.of("1.1.1.1", "2.2.2.2")) {
            assertThat(alice.send(
                                    "GET",
                                    "/api/containers",
                                    null,
                                    null,
                                    Map.of("X-Forwarded-For", spoof + ", 198.51.100.9"))
                            .status())
                    .isEqualTo(200);
        }
        assertError(
                alice.send("GET", "/api/containers", null, null, Map.of("X-Forwarded-For", "3.3.3.3, 198.51.100.9")),
                429,
                "rate_limited");
        assertThat(alice.send("GET", "/api/containers", null, null, Map.of("X-Forwarded-For", "198.51.100.10"))
                        .status())
                .as("another client behind the proxy has its own bucket")
                .isEqualTo(200);
    }

    @Test
    void secretValuesReachTheContainerAndNothingElse() {
        start();
        ListAppender<ILoggingEvent> logs = captureLogs();
        String secret = "s3cr3t-Value-9f8e7d";
        ApiClient alice = new ApiClient(api.baseUrl(), ALICE);
        Response created = alice.post(
                "/api/provision",
                "{\"imageType\":\"busybox\",\"durationMinutes\":10,"
                        + "\"env\":{\"PLAIN\":\"visible\"},\"secretEnv\":{\"API_KEY\":\"" + secret + "\"}}");
        assertThat(created.status()).isEqualTo(201);
        String lease = created.json().get("id").asText();
        var container = world.runtime
                .container(ManagedLabels.containerName(new io.containerlease.lease.LeaseId(lease)))
                .orElseThrow();
        assertThat(container.env()).containsEntry("API_KEY", secret).containsEntry("PLAIN", "visible");

        // An engine that echoes the request in its error text must not carry the secret any further.
        world.runtime.echoEnvInErrors = true;
        Response failed = alice.post(
                "/api/provision",
                "{\"imageType\":\"busybox\",\"durationMinutes\":10," + "\"secretEnv\":{\"API_KEY\":\"" + secret
                        + "\"}}");
        assertThat(failed.status()).isEqualTo(502);
        world.runtime.echoEnvInErrors = false;
        assertError(
                alice.post(
                        "/api/provision",
                        "{\"imageType\":\"busybox\",\"durationMinutes\":10,\"secretEnv\":{\"K\":\"short\"}}"),
                400,
                "invalid_field");

        List<String> seen = new java.util.ArrayList<>(List.of(
                created.body(),
                failed.body(),
                alice.get("/api/containers?all=true").body(),
                alice.get("/api/activity").body()));
        // What an appender would write: the message with its arguments rendered, and the whole throwable text.
        logs.list.forEach(e -> seen.add(e.getFormattedMessage()
                + (e.getThrowableProxy() == null
                        ? ""
                        : ch.qos.logback.classic.spi.ThrowableProxyUtil.asString(e.getThrowableProxy()))));
        assertThat(seen).noneMatch(text -> text.contains(secret));
        assertThat(failed.body()).contains("[redacted]");
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
        ((Logger) LoggerFactory.getLogger("io.containerlease")).setLevel(null);
    }

    @Test
    void secretFilesReachTheContainerAsFilesAndNothingElse() {
        start();
        String secret = "file-s3cr3t-4a5b6c";
        ApiClient alice = new ApiClient(api.baseUrl(), ALICE);
        Response created = alice.post(
                "/api/provision",
                "{\"imageType\":\"busybox\",\"durationMinutes\":10," + "\"secretFiles\":{\"db-password\":\"" + secret
                        + "\"}}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        var container = world.runtime
                .container(ManagedLabels.containerName(new io.containerlease.lease.LeaseId(
                        created.json().get("id").asText())))
                .orElseThrow();
        assertThat(container.secretFiles()).containsExactly(Map.entry("db-password", secret));
        assertThat(container.env()).as("not in the container's configuration").doesNotContainValue(secret);
        assertThat(created.body()
                        + alice.get("/api/containers?all=true").body()
                        + alice.get("/api/activity").body())
                .doesNotContain(secret);
        for (String bad : List.of(
                "\"../etc/passwd\":\"abcdefgh\"",
                "\".hidden\":\"abcdefgh\"",
                "\"a/b\":\"abcdefgh\"",
                "\"short\":\"abc\"")) {
            assertError(
                    alice.post(
                            "/api/provision",
                            "{\"imageType\":\"busybox\",\"durationMinutes\":10,\"secretFiles\":{" + bad + "}}"),
                    400,
                    "invalid_field");
        }
    }

    @Test
    void theActivityLogRecordsWhoDidWhatAndShowsUsersOnlyTheirOwn() {
        start();
        ApiClient alice = new ApiClient(api.baseUrl(), ALICE);
        String lease = alice.provision("busybox", "durationMinutes", 10);
        alice.post("/api/containers/" + lease + "/extend", "{\"durationMinutes\":5}");
        assertError(
                alice.post("/api/provision", "{\"imageType\":\"nope\",\"durationMinutes\":1}"),
                400,
                "unknown_image_type");
        alice.delete("/api/containers/" + lease);
        new ApiClient(api.baseUrl(), BOB).provision("busybox", "durationMinutes", 10);

        JsonNode own = alice.get("/api/activity").json().get("entries");
        assertThat(own).allSatisfy(e -> assertThat(e.get("user").asText()).isEqualTo("alice"));
        assertThat(own)
                .extracting(
                        e -> e.get("action").asText() + "/" + e.get("outcome").asText())
                .containsExactly(
                        "release/succeeded",
                        "lease ended/succeeded",
                        "provision/refused",
                        "extend/succeeded",
                        "provision/succeeded");
        assertThat(own.get(2).get("reason").asText()).contains("unknown imageType 'nope'");
        assertThat(own.get(1).get("reason").asText()).isEqualTo("it was released");
        assertThat(own.get(4).get("client").asText()).isEqualTo("127.0.0.1");

        JsonNode all =
                new ApiClient(api.baseUrl(), ROOT).get("/api/activity").json().get("entries");
        assertThat(all).extracting(e -> e.get("user").asText()).contains("alice", "bob");
        JsonNode forLease =
                alice.get("/api/activity?leaseId=" + lease + "&limit=2").json();
        assertThat(forLease.get("entries")).hasSize(2);
        assertThat(alice.get("/api/activity?leaseId=" + lease + "&cursor="
                                + forLease.get("nextCursor").asText())
                        .json()
                        .get("entries"))
                .hasSize(2);
    }

    @Test
    void anAdminMayNarrowTheActivityToOneUserAndAUserCannotWidenIt() {
        start();
        ApiClient alice = new ApiClient(api.baseUrl(), ALICE);
        alice.provision("busybox", "durationMinutes", 10);
        new ApiClient(api.baseUrl(), BOB).provision("busybox", "durationMinutes", 10);

        JsonNode bobs = new ApiClient(api.baseUrl(), ROOT)
                .get("/api/activity?user=bob")
                .json()
                .get("entries");
        assertThat(bobs)
                .isNotEmpty()
                .allSatisfy(e -> assertThat(e.get("user").asText()).isEqualTo("bob"));
        JsonNode asked = alice.get("/api/activity?user=bob").json().get("entries");
        assertThat(asked)
                .isNotEmpty()
                .allSatisfy(e -> assertThat(e.get("user").asText()).isEqualTo("alice"));
        assertError(alice.get("/api/activity?user=" + "%20bad"), 400, "invalid_query");
    }

    @Test
    void meSaysWhoTheTokenBelongsToAndTheServersTime() {
        start();
        JsonNode alice = new ApiClient(api.baseUrl(), ALICE).get("/api/me").json();
        assertThat(alice.get("user").asText()).isEqualTo("alice");
        assertThat(alice.get("admin").asBoolean()).isFalse();
        assertThat(java.time.Instant.parse(alice.get("serverTime").asText())).isEqualTo(world.clock.instant());
        assertThat(new ApiClient(api.baseUrl(), ROOT)
                        .get("/api/me")
                        .json()
                        .get("admin")
                        .asBoolean())
                .isTrue();
        assertError(new ApiClient(api.baseUrl(), "not-a-token").get("/api/me"), 401, "invalid_token");
        assertThat(new ApiClient(api.baseUrl(), ALICE)
                        .get("/api/containers")
                        .json()
                        .get("serverTime")
                        .asText())
                .isEqualTo(world.clock.instant().toString());
    }

    private static List<String> ids(Response page) {
        List<String> out = new java.util.ArrayList<>();
        page.json().get("containers").forEach(c -> out.add(c.get("id").asText()));
        return out;
    }

    private static ListAppender<ILoggingEvent> captureLogs() {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        root.addAppender(appender);
        ((Logger) LoggerFactory.getLogger("io.containerlease")).setLevel(Level.DEBUG);
        return appender;
    }
}
