package io.containerlease.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.containerlease.auth.ReloadingTokens;
import io.containerlease.auth.TokenRegistry;
import io.containerlease.config.ServiceConfig;
import io.containerlease.support.ApiClient;
import io.containerlease.support.LeaseWorld;
import io.containerlease.support.WsClient;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Revoking a token ends, within two seconds, every connection it opened, and the tickets it was given; others stay. */
@Timeout(60)
class RevocationTest {
    private static final String ALICE = "alice-token-0123456789";
    private static final String BOB = "bob-token-0123456789";

    @TempDir
    Path dir;

    private LeaseWorld world;
    private ReloadingTokens tokens;
    private ApiServer api;

    @BeforeEach
    void start() throws Exception {
        Path file = users("alice", ALICE, "bob", BOB);
        world = new LeaseWorld();
        tokens = new ReloadingTokens(file, TokenRegistry::load, registry -> {});
        api = new ApiServer(
                ServiceConfig.fromEnvironment(Map.of("PORT", "0")), world.servicesWith(Optional.of(tokens)));
        api.start();
    }

    private Path users(String... userAndToken) throws Exception {
        StringBuilder yaml = new StringBuilder("tokens:\n");
        for (int i = 0; i < userAndToken.length; i += 2) {
            yaml.append("  - {user: ")
                    .append(userAndToken[i])
                    .append(", token: ")
                    .append(userAndToken[i + 1])
                    .append(", role: user}\n");
        }
        Path tmp = Files.writeString(dir.resolve("tokens.tmp"), yaml);
        return Files.move(
                tmp,
                dir.resolve("tokens.yaml"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    @AfterEach
    void stop() {
        api.close();
        tokens.close();
        world.close();
    }

    private static Map<String, String> bearer(String token) {
        return Map.of("Authorization", "Bearer " + token);
    }

    @Test
    void everyConnectionOfARevokedUserClosesWith4401AndItsTicketsAreRefused() throws Exception {
        ApiClient alice = new ApiClient(api.baseUrl(), ALICE);
        String lease = alice.provision("busybox", "durationMinutes", 5);
        List<WsClient> sockets = List.of(
                WsClient.connect(api.baseUrl(), "/ws/terminal/" + lease, bearer(ALICE)),
                WsClient.connect(api.baseUrl(), "/ws/logs/" + lease, bearer(ALICE)),
                WsClient.connect(api.baseUrl(), "/ws/events", bearer(ALICE)));
        sockets.get(2).awaitType("subscribed", Duration.ofSeconds(5));
        WsClient bobs = WsClient.connect(api.baseUrl(), "/ws/events", bearer(BOB));
        bobs.awaitType("subscribed", Duration.ofSeconds(5));
        List<String> sse = new CopyOnWriteArrayList<>();
        var stream = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(api.baseUrl() + "/api/events"))
                                .header("Accept", "text/event-stream")
                                .header("Authorization", "Bearer " + ALICE)
                                .build(),
                        HttpResponse.BodyHandlers.ofInputStream());
        Thread reader = Thread.ofVirtual().start(() -> {
            try (var in = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    sse.add(line);
                }
                sse.add("<end>");
            } catch (Exception e) {
                sse.add("<end>");
            }
        });
        String ticket = alice.post("/api/ws-ticket", null).json().get("ticket").asText();
        await().atMost(Duration.ofSeconds(5))
                .until(() -> new ApiClient(api.baseUrl())
                                .get("/healthz")
                                .json()
                                .at("/capacity/connections")
                                .asInt()
                        == 5);

        long revokedAt = System.nanoTime();
        users("bob", BOB);
        for (WsClient socket : sockets) {
            assertThat(socket.awaitClose(Duration.ofSeconds(3))).isEqualTo(4401);
            JsonNode error = socket.awaitType("error", Duration.ofSeconds(1));
            assertThat(error.get("code").asText()).isEqualTo("token_revoked");
        }
        reader.join(Duration.ofSeconds(3));
        assertThat(sse).contains("<end>").anyMatch(line -> line.contains("token_revoked"));
        assertThat(Duration.ofNanos(System.nanoTime() - revokedAt)).isLessThan(Duration.ofSeconds(3));
        ApiClient.assertError(new ApiClient(api.baseUrl()).get("/api/containers"), 401, "unauthorized");
        assertThat(WsClient.upgradeStatus(api.baseUrl(), "/ws/events?ticket=" + ticket, Map.of()))
                .as("a ticket issued before the revocation")
                .isEqualTo(401);
        assertThat(bobs.closed).as("bob was not revoked").isNotDone();
        bobs.close();
    }
}
