package io.containerlease.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.containerlease.auth.TokenRegistry;
import io.containerlease.config.ServiceConfig;
import io.containerlease.support.ApiClient;
import io.containerlease.support.FakeRuntime;
import io.containerlease.support.LeaseWorld;
import io.containerlease.support.RawHttp;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;

/**
 * Random requests of every shape against the real API, WebSocket upgrades included: whatever a
 * client sends, the answer is never a 5xx, never sets a session cookie, and no request but a
 * successful provision ever creates a container.
 */
class RequestFuzzProperties {
    private static final String ALICE = "alice-token-0123456789";
    private static final List<String> FIELDS = List.of(
            "imageType",
            "durationMinutes",
            "durationSeconds",
            "env",
            "secretEnv",
            "disconnectGraceSeconds",
            "idleTimeoutSeconds",
            "image",
            "privileged",
            "binds",
            "user",
            "network",
            "cmd");

    private LeaseWorld world;
    private ApiServer api;
    private RawHttp client;
    private String knownLease;

    record Request(String method, String path, Map<String, String> headers, String contentType, String body) {}

    @BeforeProperty
    void start() {
        world = new LeaseWorld();
        // Every catalog image is on this engine: a valid provision of any type succeeds (an image the engine
        // lacks is the engine's failure, a 502, not the client's; a fuzzer may well ask for one).
        var catalog = io.containerlease.config.ImageCatalog.builtIn();
        catalog.imageTypes()
                .forEach(type ->
                        world.runtime.withImage(catalog.find(type).orElseThrow().image()));
        TokenRegistry tokens =
                TokenRegistry.of(List.of(new TokenRegistry.Entry("alice", TokenRegistry.sha256(ALICE), false)));
        api = new ApiServer(
                ServiceConfig.fromEnvironment(Map.of("PORT", "0", "RATE_LIMIT_PER_MINUTE", "1000000")),
                world.services(Optional.of(tokens)));
        api.start();
        client = new RawHttp("127.0.0.1", api.port());
        knownLease = new ApiClient(api.baseUrl(), ALICE).provision("busybox", "durationMinutes", 60);
    }

    @AfterProperty
    void stop() {
        api.close();
        world.close();
    }

    @Property(tries = 10_000, shrinking = ShrinkingMode.BOUNDED)
    void noRequestGetsA5xxOrCreatesAContainerUnlessItSucceeds(@ForAll("requests") Request request) {
        Set<String> before = containerIds();
        var response =
                client.send(request.method(), request.path(), request.headers(), request.contentType(), request.body());
        assertThat(response.status())
                .as("%s %s %s", request.method(), request.path(), abbreviate(request.body()))
                .isLessThan(500);
        assertThat(response.headers())
                .as("%s %s", request.method(), request.path())
                .doesNotContainKey("set-cookie");
        Set<String> created = new HashSet<>(containerIds());
        created.removeAll(before);
        boolean provisioned = response.status() == 201 && request.path().startsWith("/api/provision");
        assertThat(created.size())
                .as("containers created by %s %s -> %d", request.method(), request.path(), response.status())
                .isEqualTo(provisioned ? 1 : 0);
        if (response.status() >= 400) {
            assertThat(response.json().at("/error/code").asText())
                    .as("%s %s: %s", request.method(), request.path(), response.body())
                    .isNotEmpty();
            ApiClient.assertNoInternals(response.json().at("/error/message").asText());
        }
    }

    @Provide
    Arbitrary<Request> requests() {
        Arbitrary<String> method = Arbitraries.of("GET", "POST", "POST", "POST", "PUT", "DELETE", "PATCH", "OPTIONS");
        Arbitrary<Map<String, String>> headers = Combinators.combine(
                        Arbitraries.of(
                                "Bearer " + ALICE,
                                "Bearer " + ALICE,
                                "Bearer nope",
                                "Basic abc",
                                "Bearer ",
                                "",
                                "Bearer " + "x".repeat(2000)),
                        Arbitraries.of("", "1.2.3.4", "evil, 10.0.0.1", "not-an-ip", "::1"),
                        Arbitraries.of(false, false, true))
                .as((auth, xff, upgrade) -> {
                    Map<String, String> h = new HashMap<>();
                    if (upgrade) {
                        h.putAll(Map.of(
                                "Connection",
                                "Upgrade",
                                "Upgrade",
                                "websocket",
                                "Sec-WebSocket-Version",
                                "13",
                                "Sec-WebSocket-Key",
                                "dGhlIHNhbXBsZSBub25jZQ=="));
                    }
                    if (!auth.isEmpty()) {
                        h.put("Authorization", auth);
                    }
                    if (!xff.isEmpty()) {
                        h.put("X-Forwarded-For", xff);
                    }
                    return h;
                });
        Arbitrary<String> contentType = Arbitraries.of(
                "application/json",
                "application/json",
                "application/json; charset=utf-8",
                "text/plain",
                "application/x-www-form-urlencoded",
                "application/problem+json",
                "");
        return Combinators.combine(method, paths(), headers, contentType, bodies())
                .as((m, p, h, ct, b) -> new Request(m, p, h, ct.isEmpty() ? null : ct, b));
    }

    private Arbitrary<String> paths() {
        Arbitrary<String> id = Arbitraries.oneOf(
                Arbitraries.just("KNOWN"),
                Arbitraries.strings()
                        .withChars("0123456789abcdefghjkmnpqrstvwxyz")
                        .ofLength(26),
                Arbitraries.strings()
                        .withChars("abcXYZ%2e.-_~09")
                        .ofMinLength(1)
                        .ofMaxLength(60),
                hostileSegment());
        Arbitrary<String> query = Combinators.combine(
                        Arbitraries.of(
                                "limit", "cursor", "all", "leaseId", "x", "a%gb", "%00", "command", "tail", "types",
                                "cols", "session", "offset", "after", "ticket", "follow", "batch"),
                        Arbitraries.oneOf(
                                Arbitraries.of(
                                        "0",
                                        "1",
                                        "500",
                                        "501",
                                        "-1",
                                        "true",
                                        "yes",
                                        "99999999999999999999",
                                        "",
                                        "%",
                                        "%zz",
                                        "%c3%28"),
                                Arbitraries.strings().withChars("abc0123%").ofMaxLength(30)))
                .as((k, v) -> k + "=" + v);
        Arbitrary<String> path = Arbitraries.oneOf(
                Arbitraries.just("/api/provision"),
                Arbitraries.just("/api/provision"),
                Arbitraries.just("/api/containers"),
                id.map(i -> "/api/containers/" + i),
                id.map(i -> "/api/containers/" + i + "/extend"),
                Arbitraries.just("/api/ws-ticket"),
                Arbitraries.just("/api/activity"),
                Arbitraries.of(
                        "/healthz",
                        "/metrics",
                        "/",
                        "/api",
                        "/api/",
                        "/api/containers/",
                        "/ws/logs/x",
                        "/api/containers/;x%gb",
                        "/api/containers/%2F..%2Fx",
                        "/api/containers/a%00b",
                        "/api;x/containers",
                        "/api/%2e%2e/healthz",
                        "//api//containers"),
                hostileSegment().map(s -> "/api/" + s),
                Combinators.combine(Arbitraries.of("terminal", "exec", "logs", "channel"), id)
                        .as((kind, i) -> "/ws/" + kind + "/" + i),
                Arbitraries.just("/ws/events"),
                Arbitraries.strings().withChars("abc/._-%;").ofMaxLength(40).map(s -> "/" + s));
        return Combinators.combine(path, query.list().ofMaxSize(3))
                .as((p, q) -> p.replace("KNOWN", knownLease == null ? "x" : knownLease)
                        + (q.isEmpty() ? "" : "?" + String.join("&", q)));
    }

    /**
     * A path segment no decoder should trust: invalid or truncated escapes, escapes that are not UTF-8,
     * {@code ;} parameters, encoded slashes and dots, and NUL, raw or escaped.
     */
    private static Arbitrary<String> hostileSegment() {
        Arbitrary<String> piece = Arbitraries.oneOf(
                Arbitraries.of(
                        "%",
                        "%g",
                        "%gb",
                        "%zz",
                        "%4",
                        "%c3%28",
                        "%ff",
                        "%e2%82",
                        "%2F",
                        "%2f",
                        "%5C",
                        "%2e%2e",
                        "..",
                        "%00",
                        "\u0000",
                        ";",
                        ";x",
                        ";x=%gb",
                        ";jsessionid=1",
                        "%3B",
                        "%25",
                        "+",
                        "%20",
                        "~",
                        "*"),
                Arbitraries.strings().withChars("abcz019-_.").ofMinLength(1).ofMaxLength(8));
        return piece.list().ofMinSize(1).ofMaxSize(5).map(parts -> String.join("", parts));
    }

    private Arbitrary<String> bodies() {
        return Arbitraries.oneOf(
                Arbitraries.just(null),
                Arbitraries.just(""),
                provisionLike(),
                provisionLike(),
                json(0),
                Arbitraries.strings().ofMaxLength(200),
                Arbitraries.integers().between(1, 6000).map(n -> "[".repeat(n)),
                Arbitraries.integers().between(1, 200).map(n -> "{\"a\":".repeat(n) + "1" + "}".repeat(n)),
                Arbitraries.just("{\"imageType\":\"busybox\",\"durationMinutes\":1" + "0".repeat(500) + "}"),
                Arbitraries.integers().between(65_000, 70_000).map(n -> "{\"imageType\":\"" + "x".repeat(n) + "\"}"));
    }

    /** Bodies close to a valid provision, with every field possibly wrong. */
    private Arbitrary<String> provisionLike() {
        Arbitrary<String> value = Arbitraries.oneOf(
                Arbitraries.of(
                        "\"busybox\"",
                        "\"alpine\"",
                        "\"nope\"",
                        "1",
                        "0",
                        "-1",
                        "1.5",
                        "5.0",
                        "1e400",
                        "-1e400",
                        "123456789012345678901234567890",
                        "true",
                        "null",
                        "[]",
                        "{}",
                        "\"5\"",
                        "{\"A\":\"x\"}",
                        "{\"A\":\"abcdefgh\"}",
                        "{\"1BAD\":\"x\"}",
                        "{\"A\":1}",
                        "{\"PATH\":\"\\u0000\"}"),
                Arbitraries.integers().between(-5, 3000).map(String::valueOf));
        Arbitrary<String> field =
                Combinators.combine(Arbitraries.of(FIELDS), value).as((k, v) -> "\"" + k + "\":" + v);
        return field.list().ofMaxSize(6).map(fields -> "{" + fields.stream().collect(Collectors.joining(",")) + "}");
    }

    private Arbitrary<String> json(int depth) {
        Arbitrary<String> scalar = Arbitraries.oneOf(
                Arbitraries.strings()
                        .ofMaxLength(20)
                        .map(s -> "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\""),
                Arbitraries.bigIntegers()
                        .between(java.math.BigInteger.TEN.pow(40).negate(), java.math.BigInteger.TEN.pow(40))
                        .map(String::valueOf),
                Arbitraries.doubles().map(String::valueOf).filter(s -> !s.contains("Infinity") && !s.contains("NaN")),
                Arbitraries.of("true", "false", "null"));
        if (depth > 3) {
            return scalar;
        }
        // Built eagerly: jqwik's lazyOf memoizes by lambda and would ignore the depth bound.
        Arbitrary<String> inner = json(depth + 1);
        return Arbitraries.oneOf(
                scalar,
                inner.list().ofMaxSize(4).map(items -> "[" + String.join(",", items) + "]"),
                Combinators.combine(Arbitraries.of(FIELDS), inner)
                        .as((k, v) -> "\"" + k + "\":" + v)
                        .list()
                        .ofMaxSize(4)
                        .map(items -> "{" + String.join(",", items) + "}"));
    }

    private Set<String> containerIds() {
        return world.runtime.all().stream().map(FakeRuntime.Container::id).collect(Collectors.toSet());
    }

    private static String abbreviate(String body) {
        return body == null ? "(no body)" : body.length() > 120 ? body.substring(0, 120) + "…" : body;
    }
}
