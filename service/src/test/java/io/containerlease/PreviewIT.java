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
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Previews on the real engine: a lease's web app (BusyBox's httpd, no network in its container)
 * opened by its link, on an origin of its own; a cookie for that origin alone; nothing for someone
 * without it, for another lease's cookie, or for another user; one relay for many requests; large
 * bodies byte for byte; the program never sees our cookie; and the end of the lease ends it.
 */
@Timeout(180)
class PreviewIT {
    private static final String ALICE = "alice-preview-token-0123456789";
    private static final String BOB = "bob-preview-token-0123456789";
    private static final String CATALOG = """
            images:
              web:
                image: containerlease/busybox:latest
                command: ["sh", "-c", "mkdir -p /tmp/www && echo '<h1>Hello from a lease</h1>' > /tmp/www/index.html && exec httpd -f -p 8000 -h /tmp/www"]
                pullPolicy: never
                ports: [{port: 8000, name: web}]
              ws:
                image: containerlease/busybox:latest
                command: ["sh", "-c", "until [ -x /tmp/bin/ws-echo ]; do sleep 0.2; done; exec /tmp/bin/ws-echo 8000"]
                pullPolicy: never
              echo:
                image: containerlease/busybox:latest
                command: ["socat", "TCP-LISTEN:9000,fork,reuseaddr", "EXEC:cat"]
                pullPolicy: never
            """;

    @TempDir
    Path dir;

    private ContainerLeaseServer server;
    private Path tokens;
    private ApiClient alice;
    private ApiClient bob;

    @BeforeEach
    void start() throws IOException {
        Path catalog = Files.writeString(dir.resolve("catalog.yaml"), CATALOG);
        tokens = Files.writeString(dir.resolve("tokens.yaml"), """
                tokens:
                  - {user: alice, token: %s, role: user}
                  - {user: bob, token: %s, role: user}
                """.formatted(ALICE, BOB));
        Map<String, String> env = new HashMap<>(Map.of(
                "PORT", "0",
                "AUTH", "tokens",
                "AUTH_TOKENS_FILE", tokens.toString(),
                "DATA_DIR", dir.resolve("data").toString(),
                "IMAGE_CATALOG", catalog.toString()));
        server = ContainerLeaseServer.start(ServiceConfig.fromEnvironment(RunLabels.with(env)));
        alice = new ApiClient(server.baseUrl(), ALICE);
        bob = new ApiClient(server.baseUrl(), BOB);
    }

    @AfterEach
    void stop() {
        String instance = server.instanceId();
        server.close();
        TestDocker.removeAllOf(instance);
    }

    private String provision(ApiClient user, String type) {
        ApiClient.Response created =
                user.post("/api/provision", "{\"imageType\":\"" + type + "\",\"durationMinutes\":5}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return created.json().get("id").asText();
    }

    private JsonNode link(ApiClient user, String id, int port) {
        ApiClient.Response link = user.post("/api/containers/" + id + "/previews", "{\"port\":" + port + "}");
        assertThat(link.status()).as(link.body()).isEqualTo(201);
        return link.json();
    }

    /** One request to the preview server as a browser sends it to {@code url}'s host; the whole answer. */
    private Answer get(String url, String cookie) throws IOException {
        URI uri = URI.create(url);
        String request = "GET " + uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery())
                + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort() + "\r\n"
                + (cookie == null ? "" : "Cookie: " + cookie + "\r\n")
                + "Connection: close\r\n\r\n";
        try (Socket socket = new Socket("127.0.0.1", server.previewPort())) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            return Answer.of(socket.getInputStream().readAllBytes());
        }
    }

    record Answer(int status, String head, byte[] body) {
        static Answer of(byte[] bytes) {
            String text = new String(bytes, StandardCharsets.ISO_8859_1);
            int end = text.indexOf("\r\n\r\n");
            String head = end < 0 ? text : text.substring(0, end);
            byte[] body = end < 0 ? new byte[0] : java.util.Arrays.copyOfRange(bytes, end + 4, bytes.length);
            int status = head.startsWith("HTTP/1.") ? Integer.parseInt(head.substring(9, 12)) : -1;
            return new Answer(status, head, body);
        }

        String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }

        String cookie() {
            var match = Pattern.compile("(?im)^Set-Cookie: ([^;\r\n]+)(.*)$").matcher(head);
            return match.find() ? match.group(1) : null;
        }
    }

    @Test
    void aLinkOpensTheAppOnItsOwnOriginAndItsCookieOpensNothingElse() throws Exception {
        String id = provision(alice, "web");
        JsonNode link = link(alice, id, 8000);
        String origin = link.get("origin").asText();
        assertThat(origin).isEqualTo("http://8000-" + id + ".localhost:" + server.previewPort());
        assertThat(origin).isNotEqualTo(server.baseUrl());

        // Without the link's cookie: nothing of the app.
        Answer stranger = get(origin + "/", null);
        assertThat(stranger.status()).isEqualTo(401);
        assertThat(stranger.bodyText()).doesNotContain("Hello from a lease");

        Answer signedIn = get(link.get("url").asText(), null);
        assertThat(signedIn.status()).isEqualTo(302);
        assertThat(signedIn.head()).containsPattern("(?im)^Location: /\r?$");
        assertThat(signedIn.head())
                .containsPattern("(?im)^Set-Cookie: containerlease_preview=[^;]+; Path=/; HttpOnly; SameSite=Lax")
                .doesNotContainPattern("(?i)Domain=");
        String cookie = signedIn.cookie();

        await().atMost(Duration.ofSeconds(20))
                .until(() -> get(origin + "/", cookie).status() == 200);
        Answer page = get(origin + "/", cookie);
        assertThat(page.bodyText()).contains("Hello from a lease");

        // The same cookie on another lease's origin (alice's own), or on another port: nothing.
        String other = provision(alice, "web");
        String otherOrigin = "http://8000-" + other + ".localhost:" + server.previewPort();
        assertThat(get(otherOrigin + "/", cookie).status()).isEqualTo(401);
        assertThat(get("http://8001-" + id + ".localhost:" + server.previewPort() + "/", cookie)
                        .status())
                .isEqualTo(401);
        // A link that was tampered with: refused.
        String forged = link.get("url").asText().replaceFirst("token=.", "token=A");
        assertThat(get(forged, null).status()).isEqualTo(401);
        // Another user can neither ask for a link to alice's lease nor use their own cookie on it.
        ApiClient.assertError(
                bob.post("/api/containers/" + id + "/previews", "{\"port\":8000}"), 404, "lease_not_found");
        String bobs = provision(bob, "web");
        String bobCookie = get(link(bob, bobs, 8000).get("url").asText(), null).cookie();
        assertThat(get(origin + "/", bobCookie).status()).isEqualTo(401);
        // A head without an end, over 16 KiB: refused, not held.
        try (Socket socket = new Socket("127.0.0.1", server.previewPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream()
                    .write(("GET / HTTP/1.1\r\nX-Long: " + "a".repeat(20_000)).getBytes(StandardCharsets.ISO_8859_1));
            assertThat(Answer.of(socket.getInputStream().readAllBytes()).status())
                    .isEqualTo(400);
        }
        // A host that is not a preview's: nothing.
        assertThat(get("http://evil.example:" + server.previewPort() + "/", cookie)
                        .status())
                .isEqualTo(404);
    }

    /** A revoked token takes its previews with it: the cookie a link set stops opening anything. */
    @Test
    void revokingTheTokenALinkWasAskedWithWithdrawsItsPreview() throws Exception {
        String id = provision(alice, "web");
        JsonNode link = link(alice, id, 8000);
        String origin = link.get("origin").asText();
        String cookie = get(link.get("url").asText(), null).cookie();
        await().atMost(Duration.ofSeconds(20))
                .until(() -> get(origin + "/", cookie).status() == 200);

        Files.writeString(tokens, """
                tokens:
                  - {user: alice, token: alice-a-new-token-0123456789, role: user}
                  - {user: bob, token: %s, role: user}
                """.formatted(BOB));
        await().atMost(Duration.ofSeconds(15))
                .until(() -> get(origin + "/", cookie).status() == 401);
        assertThat(get(origin + "/", cookie).bodyText()).contains("withdrawn").doesNotContain("Hello from a lease");
    }

    @Test
    void manyRequestsShareOneRelayAndALargeBodyComesByteForByte() throws Exception {
        String id = provision(alice, "web");
        JsonNode link = link(alice, id, 8000);
        String origin = link.get("origin").asText();
        String cookie = get(link.get("url").asText(), null).cookie();
        byte[] big = new byte[5 << 20];
        new java.util.Random(8).nextBytes(big);
        var put = java.net.http.HttpClient.newHttpClient()
                .send(
                        java.net.http.HttpRequest.newBuilder(URI.create(
                                        server.baseUrl() + "/api/containers/" + id + "/files?path=/tmp/www/big.bin"))
                                .header("Authorization", "Bearer " + ALICE)
                                .PUT(java.net.http.HttpRequest.BodyPublishers.ofByteArray(big))
                                .build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(put.statusCode()).as(put.body()).isEqualTo(201);

        await().atMost(Duration.ofSeconds(20))
                .until(() -> get(origin + "/", cookie).status() == 200);
        for (int i = 0; i < 50; i++) {
            assertThat(get(origin + "/", cookie).status()).isEqualTo(200);
        }
        Answer download = get(origin + "/big.bin", cookie);
        assertThat(download.status()).isEqualTo(200);
        assertThat(download.body().length).isEqualTo(big.length);
        assertThat(java.util.Arrays.equals(download.body(), big))
                .as("the bytes")
                .isTrue();
        String relays = TestDocker.exec(
                ManagedLabels.containerName(new LeaseId(id)),
                "ps | grep -c '[r]elay-tcp 8000'",
                Duration.ofSeconds(10));
        assertThat(relays.trim()).as("one relay carried 52 connections").isEqualTo("1");
        // Every connection that ended is let go of (none held after its end, so the cap is never reached).
        await().atMost(Duration.ofSeconds(10))
                .until(() -> alice.get("/metrics").body().contains("containerlease_preview_connections 0.0"));
        assertThat(alice.get("/metrics").body()).contains("containerlease_preview_relays 1.0");

        // Nothing listens on 8001: a clear page, not a hang.
        String closed = get(link(alice, id, 8001).get("url").asText(), null).cookie();
        Answer nothing = get("http://8001-" + id + ".localhost:" + server.previewPort() + "/", closed);
        assertThat(nothing.status()).isEqualTo(502);
        assertThat(nothing.bodyText()).contains("Nothing answers on port 8001");

        // The lease's end ends its preview.
        assertThat(alice.delete("/api/containers/" + id).status()).isEqualTo(200);
        assertThat(get(origin + "/", cookie).status()).isIn(404, 410);
    }

    @Test
    void theProgramGetsTheRequestAsSentButNeverOurCookie() throws Exception {
        String id = provision(alice, "echo");
        JsonNode link = link(alice, id, 9000);
        String cookie = get(link.get("url").asText(), null).cookie();
        String host = URI.create(link.get("origin").asText()).getHost();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            try (Socket socket = new Socket("127.0.0.1", server.previewPort())) {
                socket.setSoTimeout(3000);
                String request = "GET /echo HTTP/1.1\r\nHost: " + host + "\r\nCookie: theirs=1; " + cookie
                        + "; other=2\r\nX-Test: yes\r\n\r\n";
                socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
                String echoed = readFor(socket.getInputStream(), request.length() - cookie.length() - 2);
                return echoed.contains("GET /echo HTTP/1.1")
                        && echoed.contains("Cookie: theirs=1; other=2")
                        && echoed.contains("X-Test: yes")
                        && !echoed.contains("containerlease_preview");
            }
        });
    }

    /** A WebSocket inside the lease (our ws-echo), through the preview: the upgrade and messages both ways. */
    @Test
    void aWebSocketInsideEchoesThroughThePreview() throws Exception {
        String id = provision(alice, "ws");
        // The program goes in as a tar, so it keeps its mode (an upload of a file alone would be 0644).
        var tar = new ByteArrayOutputStream();
        byte[] program = Files.readAllBytes(io.containerlease.support.TestPrograms.wsEcho());
        try (var out = new org.apache.commons.compress.archivers.tar.TarArchiveOutputStream(tar)) {
            var entry = new org.apache.commons.compress.archivers.tar.TarArchiveEntry("ws-echo");
            entry.setSize(program.length);
            entry.setMode(0755);
            out.putArchiveEntry(entry);
            out.write(program);
            out.closeArchiveEntry();
        }
        var put = java.net.http.HttpClient.newHttpClient()
                .send(
                        java.net.http.HttpRequest.newBuilder(URI.create(server.baseUrl() + "/api/containers/" + id
                                        + "/files?path=/tmp/bin&extract=true"))
                                .header("Authorization", "Bearer " + ALICE)
                                .header("Content-Type", "application/x-tar")
                                .PUT(java.net.http.HttpRequest.BodyPublishers.ofByteArray(tar.toByteArray()))
                                .build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
        JsonNode link = link(alice, id, 8000);
        String cookie = get(link.get("url").asText(), null).cookie();
        String host = URI.create(link.get("origin").asText()).getHost() + ":" + server.previewPort();
        await().atMost(Duration.ofSeconds(20))
                .until(() -> get(link.get("origin").asText() + "/", cookie)
                        .bodyText()
                        .contains("WebSocket echo"));

        try (Socket socket = new Socket("127.0.0.1", server.previewPort())) {
            socket.setSoTimeout(10_000);
            var out = socket.getOutputStream();
            out.write(("GET /ws HTTP/1.1\r\nHost: " + host + "\r\nCookie: " + cookie
                            + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = socket.getInputStream();
            String head = readHead(in);
            assertThat(head).startsWith("HTTP/1.1 101").contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
            for (String message : java.util.List.of("hello through the preview", "x".repeat(70_000))) {
                out.write(maskedText(message));
                assertThat(readText(in)).isEqualTo(message);
            }
        }
    }

    private static String readHead(InputStream in) throws IOException {
        var head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.write(b);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    /** A client's text frame: masked, as a browser sends it. */
    private static byte[] maskedText(String text) {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        byte[] mask = {7, 42, -3, 99};
        var frame = new ByteArrayOutputStream();
        frame.write(0x81);
        if (payload.length < 126) {
            frame.write(0x80 | payload.length);
        } else if (payload.length < 65536) {
            frame.write(0x80 | 126);
            frame.write(payload.length >> 8);
            frame.write(payload.length);
        } else {
            frame.write(0x80 | 127);
            for (int i = 7; i >= 0; i--) {
                frame.write((int) ((long) payload.length >> (8 * i)));
            }
        }
        frame.writeBytes(mask);
        for (int i = 0; i < payload.length; i++) {
            frame.write(payload[i] ^ mask[i % 4]);
        }
        return frame.toByteArray();
    }

    /** A server's text frame (unmasked). */
    private static String readText(InputStream in) throws IOException {
        byte[] head = in.readNBytes(2);
        assertThat(head[0] & 0x0f).as("a text frame").isEqualTo(1);
        long length = head[1] & 0x7f;
        if (length == 126) {
            byte[] ext = in.readNBytes(2);
            length = (ext[0] & 0xff) << 8 | (ext[1] & 0xff);
        } else if (length == 127) {
            length = 0;
            for (byte b : in.readNBytes(8)) {
                length = length << 8 | (b & 0xff);
            }
        }
        return new String(in.readNBytes((int) length), StandardCharsets.UTF_8);
    }

    private static String readFor(InputStream in, int bytes) throws IOException {
        var out = new ByteArrayOutputStream();
        byte[] buffer = new byte[4096];
        try {
            while (out.size() < bytes) {
                int n = in.read(buffer);
                if (n < 0) {
                    break;
                }
                out.write(buffer, 0, n);
            }
        } catch (java.net.SocketTimeoutException e) {
            // what came is what there is
        }
        return out.toString(StandardCharsets.ISO_8859_1);
    }
}
