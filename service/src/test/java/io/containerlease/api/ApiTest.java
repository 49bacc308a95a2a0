package io.containerlease.api;

import static io.containerlease.support.ApiClient.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import io.containerlease.config.ImageCatalog;
import io.containerlease.config.ServiceConfig;
import io.containerlease.lease.ManagedLabels;
import io.containerlease.support.ApiClient;
import io.containerlease.support.ApiClient.Response;
import io.containerlease.support.LeaseWorld;
import io.containerlease.support.RawHttp;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The HTTP contract, over real HTTP, with the real core on a fake engine. */
class ApiTest {
    private LeaseWorld world;
    private ApiServer api;
    private ApiClient client;

    @BeforeEach
    void start() {
        world = new LeaseWorld();
        api = new ApiServer(ServiceConfig.fromEnvironment(Map.of("PORT", "0", "AUTH", "off")), world.services());
        api.start();
        client = new ApiClient(api.baseUrl());
    }

    @AfterEach
    void stop() {
        api.close();
        world.close();
    }

    @Test
    void aPathThatCannotBeDecodedIsTheClientsMistake() {
        var raw = new RawHttp("127.0.0.1", api.port());
        for (String path : List.of(
                "/api/containers/;x%gb",
                "/api/containers/%gb",
                "/api/containers/a%c3%28",
                "/api/containers/a%00b",
                "/api/containers/;x=%2/extend",
                "/api/containers/%")) {
            var r = raw.send("GET", path, Map.of(), null, null);
            assertThat(r.status()).as(path + " " + r.body()).isEqualTo(400);
            assertThat(r.json().at("/error/code").asText()).as(path).isNotEmpty();
        }
        assertThat(raw.send("GET", "/api/containers/;x%gb", Map.of(), null, null)
                        .json()
                        .at("/error/code")
                        .asText())
                .isEqualTo("invalid_path");
    }

    @Test
    void requestsTooBigToParseGetTheirOwnCodes() {
        var raw = new RawHttp("127.0.0.1", api.port());
        var longUri = raw.send("GET", "/api/containers?x=" + "a".repeat(20_000), Map.of(), null, null);
        assertThat(longUri.status()).isEqualTo(414);
        assertThat(longUri.json().at("/error/code").asText()).isEqualTo("uri_too_long");
        var bigHeaders = raw.send("GET", "/api/containers", Map.of("X-Filler", "b".repeat(20_000)), null, null);
        assertThat(bigHeaders.status()).isEqualTo(431);
        assertThat(bigHeaders.json().at("/error/code").asText()).isEqualTo("headers_too_large");
    }

    /** A route that has no use for the body must still read it, or a client still sending may lose the answer. */
    @Test
    void anUnreadBodyNeverCostsTheAnswer() {
        String body = "{\"pad\":\"" + "x".repeat(62_000) + "\"}";
        for (int i = 0; i < 300; i++) {
            // The JDK's client keeps the connection alive and does not retry, as a user's script would.
            Response r = client.post("/api/ws-ticket", body);
            assertThat(r.status()).as(r.body()).isEqualTo(201);
        }
    }

    @Test
    void theCatalogListsWhatAProvisionFormNeedsAndNoImageReference() {
        Response r = client.get("/api/catalog");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("minDurationSeconds").asLong()).isEqualTo(1);
        assertThat(r.json().get("maxDurationSeconds").asLong()).isEqualTo(24 * 3600);
        var busybox = r.json().get("imageTypes").get(0);
        assertThat(busybox.get("imageType").asText()).isEqualTo("busybox");
        assertThat(busybox.get("description").asText()).contains("BusyBox");
        assertThat(busybox.get("defaultDurationSeconds").asLong()).isEqualTo(30 * 60);
        assertThat(busybox.get("terminal").asBoolean()).isTrue();
        assertThat(busybox.get("memoryMb").asLong()).isEqualTo(128);
        assertThat(busybox.has("sessionDefaults")).isTrue();
        assertThat(r.body()).doesNotContain("containerlease/busybox", "alpine:3.20");
    }

    /** A type whose image cannot be had is marked once a provision (or the check at start) finds out, and unmarked once it can. */
    @Test
    void theCatalogMarksATypeWhoseImageCannotBeHadUntilItCanAgain() {
        var alpine = ImageCatalog.builtIn().find("alpine").orElseThrow();
        assertThat(catalogEntry("alpine").get("available").asBoolean())
                .as("nothing known against it yet")
                .isTrue();
        Response failed = post("/api/provision", "{\"imageType\":\"alpine\",\"durationMinutes\":5}");
        assertThat(failed.status()).isGreaterThanOrEqualTo(400);
        var marked = catalogEntry("alpine");
        assertThat(marked.get("available").asBoolean()).isFalse();
        assertThat(marked.get("unavailableReason").asText())
                .contains("could not be pulled")
                .doesNotContain(alpine.image());
        assertThat(catalogEntry("busybox").get("available").asBoolean()).isTrue();

        world.runtime.withImage(alpine.image()); // an operator pulled it, or the registry is back
        assertThat(post("/api/provision", "{\"imageType\":\"alpine\",\"durationMinutes\":5}")
                        .status())
                .isEqualTo(201);
        assertThat(catalogEntry("alpine").get("available").asBoolean()).isTrue();
        assertThat(catalogEntry("alpine").has("unavailableReason")).isFalse();
    }

    private com.fasterxml.jackson.databind.JsonNode catalogEntry(String type) {
        for (var entry : client.get("/api/catalog").json().get("imageTypes")) {
            if (entry.get("imageType").asText().equals(type)) {
                return entry;
            }
        }
        throw new AssertionError("no " + type + " in the catalog");
    }

    @Test
    void provisionAnswers201WithTheLease() {
        Response r = post("/api/provision", "{\"imageType\":\"busybox\",\"durationMinutes\":5,\"env\":{\"A\":\"1\"}}");
        assertThat(r.status()).isEqualTo(201);
        assertThat(r.json().get("status").asText()).isEqualTo("running");
        assertThat(r.json().get("imageType").asText()).isEqualTo("busybox");
        Instant created = Instant.parse(r.json().get("createdAt").asText());
        assertThat(Instant.parse(r.json().get("expiryTime").asText())).isEqualTo(created.plus(Duration.ofMinutes(5)));
        assertThat(r.json().get("createdAt").asText()).endsWith("Z");
        assertThat(world.runtime.container(ManagedLabels.containerName(
                        new io.containerlease.lease.LeaseId(r.json().get("id").asText()))))
                .hasValueSatisfying(c -> assertThat(c.env()).containsEntry("A", "1"));
    }

    @Test
    void durationInSecondsAndExactlyOneDuration() {
        assertThat(post("/api/provision", "{\"imageType\":\"busybox\",\"durationSeconds\":30}")
                        .status())
                .isEqualTo(201);
        assertError(
                post("/api/provision", "{\"imageType\":\"busybox\",\"durationSeconds\":30,\"durationMinutes\":1}"),
                400,
                "invalid_duration");
        assertError(post("/api/provision", "{\"imageType\":\"busybox\"}"), 400, "invalid_duration");
        assertError(
                post("/api/provision", "{\"imageType\":\"busybox\",\"durationMinutes\":1441}"),
                400,
                "invalid_duration");
        // However far out of bounds, the answer names the same bounds in the same words.
        for (String tooLong : List.of(
                "\"durationMinutes\":1441",
                "\"durationMinutes\":527041",
                "\"durationSeconds\":99999999999999999999",
                "\"durationSeconds\":0",
                "\"durationMinutes\":-5")) {
            Response r = post("/api/provision", "{\"imageType\":\"busybox\"," + tooLong + "}");
            assertError(r, 400, "invalid_duration");
            assertThat(r.json().at("/error/message").asText())
                    .as(tooLong)
                    .isEqualTo("a lease's duration must be between 1 second and 1440 minutes");
        }
        assertError(
                post("/api/provision", "{\"imageType\":\"busybox\",\"durationMinutes\":1.5}"), 400, "invalid_field");
        assertError(
                post("/api/provision", "{\"imageType\":\"busybox\",\"durationMinutes\":1e400}"), 400, "invalid_field");
        assertError(
                post("/api/provision", "{\"imageType\":\"busybox\",\"durationMinutes\":\"5\"}"), 400, "invalid_field");
    }

    @Test
    void clientMistakesAre4xxWithTheErrorShapeAndCreateNothing() {
        assertError(
                post("/api/provision", "{\"imageType\":\"windows\",\"durationMinutes\":5}"), 400, "unknown_image_type");
        assertError(post("/api/provision", "{\"imageType\":\"busybox\",\"durationMinute\":5}"), 400, "unknown_field");
        assertError(post("/api/provision", "{\"imageType\":"), 400, "malformed_json");
        assertError(post("/api/provision", "[1,2]"), 400, "malformed_json");
        assertError(
                post("/api/provision", "{\"imageType\":\"busybox\",\"imageType\":\"alpine\",\"durationMinutes\":1}"),
                400,
                "malformed_json");
        // The parser's own words name its classes and settings: the client gets plain ones.
        for (String[] body : new String[][] {
            {"[".repeat(5000), "deeper than 32 levels"},
            {"{\"imageType\":\"busybox\"}{\"x\":1}", "more after its JSON value"},
            {"{\"imageType\":\"busybox\",\"imageType\":\"alpine\"}", "names the field 'imageType' twice"},
            {"{\"imageType\":", "ends before its JSON value does"},
            {"{\"durationMinutes\":" + "1".repeat(100) + "}", "a number longer than 64"},
            {"{imageType: 1}", "not valid JSON (line 1, column 2)"}
        }) {
            Response r = post("/api/provision", body[0]);
            assertError(r, 400, "malformed_json");
            assertThat(r.json().at("/error/message").asText()).contains(body[1]);
            ApiClient.assertNoInternals(r.json().at("/error/message").asText());
        }
        assertError(
                post("/api/provision", "{\"imageType\":\"busybox\",\"durationMinutes\":5,\"env\":{\"1BAD\":\"x\"}}"),
                400,
                "invalid_field");
        assertError(
                post("/api/provision", "{\"imageType\":\"busybox\",\"durationMinutes\":5,\"env\":{\"A\":1}}"),
                400,
                "invalid_field");
        assertError(
                send("POST", "/api/provision", "imageType=busybox", "application/x-www-form-urlencoded"),
                415,
                "unsupported_media_type");
        assertError(send("POST", "/api/provision", "{}", null), 415, "unsupported_media_type");
        String big = "{\"imageType\":\"busybox\",\"durationMinutes\":5,\"env\":{\"A\":\"" + "x".repeat(70_000) + "\"}}";
        assertError(post("/api/provision", big), 413, "payload_too_large");
        assertThat(world.runtime.all()).isEmpty();
        assertThat(world.store.countLive()).isZero();
    }

    @Test
    void tooManyEnvVarsAreRefused() {
        StringBuilder env = new StringBuilder();
        for (int i = 0; i < 65; i++) {
            env.append(i == 0 ? "" : ",").append("\"V").append(i).append("\":\"x\"");
        }
        assertError(
                post("/api/provision", "{\"imageType\":\"busybox\",\"durationMinutes\":5,\"env\":{" + env + "}}"),
                400,
                "invalid_field");
    }

    @Test
    void aMissingImageIs502AndLeavesNoLiveLease() {
        assertError(
                post("/api/provision", "{\"imageType\":\"alpine\",\"durationMinutes\":5}"), 502, "image_unavailable");
        assertThat(world.store.countLive()).isZero();
        assertThat(world.runtime.all()).isEmpty();
    }

    @Test
    void engineDownMeans503ForProvisioningWhileReadsKeepWorking() {
        String id = provision(5);
        world.runtime.unavailable = true;
        Response failed = post("/api/provision", "{\"imageType\":\"busybox\",\"durationMinutes\":5}");
        assertError(failed, 503, "docker_unavailable");
        assertThat(failed.headers().firstValue("Retry-After")).isPresent();
        assertThat(get("/api/containers/" + id).status()).isEqualTo(200);
        assertThat(get("/api/containers").status()).isEqualTo(200);
        Response health = get("/healthz");
        assertThat(health.status()).isEqualTo(503);
        assertThat(health.json().at("/checks/store").asText()).isEqualTo("ok");
        assertThat(health.json().at("/checks/docker").asText()).startsWith("failed");
        assertThat(health.json().at("/cluster").asText()).isEqualTo(world.store.instanceId());
        assertThat(health.json().at("/server").asText()).isEqualTo(world.store.serverId());
        world.runtime.unavailable = false;
        assertThat(get("/healthz").status()).isEqualTo(200);
        assertThat(post("/api/provision", "{\"imageType\":\"busybox\",\"durationMinutes\":5}")
                        .status())
                .isEqualTo(201);
    }

    @Test
    void getShowsEndedLeasesWithTheirReasonAnd404sUnknownOnes() {
        String id = provision(5);
        Response deleted = send("DELETE", "/api/containers/" + id, null, null);
        assertThat(deleted.status()).isEqualTo(200);
        assertThat(deleted.json().get("success").asBoolean()).isTrue();
        Response ended = get("/api/containers/" + id);
        assertThat(ended.json().get("status").asText()).isEqualTo("ended");
        assertThat(ended.json().get("endReason").asText()).isEqualTo("released");
        assertThat(ended.json().get("remainingSeconds").asLong()).isZero();
        assertThat(send("DELETE", "/api/containers/" + id, null, null).status()).isEqualTo(200);

        String unknown = "01kdvdna00q45fe1h7hk7nkrcv";
        assertError(get("/api/containers/" + unknown), 404, "lease_not_found");
        assertError(send("DELETE", "/api/containers/" + unknown, null, null), 404, "lease_not_found");
        assertError(get("/api/containers/..%2Fetc"), 400, "invalid_id");
    }

    @Test
    void extendReportsTheGrantAndTheCap() {
        String id = provision(5);
        Response r = post("/api/containers/" + id + "/extend", "{\"durationMinutes\":10}");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("clamped").asBoolean()).isFalse();
        Instant created = Instant.parse(r.json().get("createdAt").asText());
        assertThat(Instant.parse(r.json().get("expiryTime").asText())).isEqualTo(created.plus(Duration.ofMinutes(15)));
        assertThat(Instant.parse(r.json().get("maxExpiryTime").asText())).isEqualTo(created.plus(LeaseWorld.MAX_LIFE));

        Response clamped = post("/api/containers/" + id + "/extend", "{\"durationMinutes\":1440}");
        assertThat(clamped.json().get("clamped").asBoolean()).isTrue();
        assertThat(clamped.json().get("expiryTime").asText())
                .isEqualTo(clamped.json().get("maxExpiryTime").asText());

        send("DELETE", "/api/containers/" + id, null, null);
        assertError(post("/api/containers/" + id + "/extend", "{\"durationMinutes\":1}"), 409, "lease_not_running");
        assertError(post("/api/containers/" + id + "/extend", "{}"), 400, "invalid_duration");
    }

    @Test
    void listPagesThroughLiveLeasesAndAllAddsEndedOnes() {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 5; i++) {
            ids.add(provision(5));
        }
        String released = ids.iterator().next();
        send("DELETE", "/api/containers/" + released, null, null);

        Set<String> seen = new HashSet<>();
        String cursor = null;
        do {
            Response page = get("/api/containers?limit=2" + (cursor == null ? "" : "&cursor=" + cursor));
            assertThat(page.json().get("containers").size()).isLessThanOrEqualTo(2);
            page.json().get("containers").forEach(c -> {
                seen.add(c.get("id").asText());
                assertThat(c.get("remainingSeconds").asLong()).isPositive();
            });
            cursor = page.json().get("nextCursor").isNull()
                    ? null
                    : page.json().get("nextCursor").asText();
        } while (cursor != null);
        assertThat(seen).hasSize(4).doesNotContain(released);
        assertThat(get("/api/containers?all=true").json().get("containers")).hasSize(5);
        assertError(get("/api/containers?limit=0"), 400, "invalid_query");
        assertError(get("/api/containers?limit=abc"), 400, "invalid_query");
        assertError(get("/api/containers?all=yes"), 400, "invalid_query");
        assertError(get("/api/containers?cursor=zzz"), 400, "invalid_cursor");
    }

    @Test
    void pathsJettyRefusesBeforeRoutingStillGetTheErrorShape() {
        for (String method : List.of("GET", "PUT", "DELETE")) {
            Response r = send(method, "/api/containers/%aa", null, null);
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.json().at("/error/code").asText()).as(method).isEqualTo("bad_request");
        }
    }

    @Test
    void unknownRoutesAndMethodsGetTheErrorShape() {
        assertError(get("/api/nothing"), 404, "not_found");
        assertError(send("PUT", "/api/containers", "{}", "application/json"), 405, "method_not_allowed");
    }

    @Test
    void sessionRulesComeFromTheRequestAndShowWhatEndsTheLeaseNext() {
        Response r = post(
                "/api/provision",
                "{\"imageType\":\"busybox\",\"durationMinutes\":30,"
                        + "\"disconnectGraceSeconds\":45,\"idleTimeoutSeconds\":600}");
        assertThat(r.status()).isEqualTo(201);
        assertThat(r.json().get("disconnectGraceSeconds").asLong()).isEqualTo(45);
        assertThat(r.json().get("idleTimeoutSeconds").asLong()).isEqualTo(600);
        assertThat(r.json().get("connections").asInt()).isZero();
        assertThat(r.json().get("lastActivityAt").asText())
                .isEqualTo(r.json().get("createdAt").asText());
        assertThat(r.json().at("/nextEnd/reason").asText()).isEqualTo("idle");
        assertError(
                post("/api/provision", "{\"imageType\":\"busybox\",\"durationMinutes\":30,\"idleTimeoutSeconds\":0}"),
                400,
                "invalid_field");
        assertError(
                post(
                        "/api/provision",
                        "{\"imageType\":\"busybox\",\"durationMinutes\":30,\"disconnectGraceSeconds\":\"x\"}"),
                400,
                "invalid_field");
    }

    @Test
    void readingOrExtendingALeaseCountsAsActivityForItsIdleRule() {
        String id = post(
                        "/api/provision",
                        "{\"imageType\":\"busybox\",\"durationMinutes\":30,\"idleTimeoutSeconds\":60}")
                .json()
                .get("id")
                .asText();
        world.scheduler.advance(Duration.ofSeconds(50));
        get("/api/containers/" + id);
        world.scheduler.advance(Duration.ofSeconds(50));
        post("/api/containers/" + id + "/extend", "{\"durationMinutes\":1}");
        world.scheduler.advance(Duration.ofSeconds(50));
        assertThat(get("/api/containers/" + id).json().get("status").asText()).isEqualTo("running");
        world.scheduler.advance(Duration.ofSeconds(61));
        assertThat(get("/api/containers/" + id).json().get("endReason").asText())
                .isEqualTo("idle");
    }

    @Test
    void metricsExposeTheLeaseMeters() {
        provision(5);
        Response r = get("/metrics");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body())
                .contains(
                        "containerlease_leases_active 1.0",
                        "containerlease_provision_seconds",
                        "containerlease_expiry_lag_seconds",
                        "containerlease_reap_failures_total",
                        "containerlease_reap_retries_total");
    }

    private String provision(int minutes) {
        return client.provision("busybox", "durationMinutes", minutes);
    }

    private Response get(String path) {
        return client.get(path);
    }

    private Response post(String path, String body) {
        return client.post(path, body);
    }

    private Response send(String method, String path, String body, String contentType) {
        return client.send(method, path, body, contentType);
    }
}
