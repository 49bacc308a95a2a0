package io.containerlease;

import static io.containerlease.support.ApiClient.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import io.containerlease.lease.LeaseId;
import io.containerlease.lease.ManagedLabels;
import io.containerlease.support.ApiClient;
import io.containerlease.support.ServerProcess;
import io.containerlease.support.TestDocker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The server as a newcomer starts it: tokens on, no tokens file, a real engine. */
@Timeout(120)
class TokenAuthIT {
    @TempDir
    Path dataDir;

    @Test
    void theFirstStartCreatesAnAdminTokenPrintsItOnceAndSecretsStayInTheContainer() throws Exception {
        String secret = "tok3n-for-the-container-only";
        String id;
        try (ServerProcess server =
                ServerProcess.start(dataDir, Map.of("AUTH", "tokens")).awaitReady(Duration.ofSeconds(60))) {
            Path tokenFile = dataDir.resolve("admin-token");
            String token = Files.readString(tokenFile).trim();
            assertThat(Files.getPosixFilePermissions(tokenFile))
                    .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
            assertThat(server.output()).contains("Authorization: Bearer " + token, tokenFile.toString());

            assertError(new ApiClient(server.baseUrl()).get("/api/containers"), 401, "unauthorized");
            ApiClient admin = new ApiClient(server.baseUrl(), token);
            var created = admin.post(
                    "/api/provision",
                    "{\"imageType\":\"busybox\",\"durationMinutes\":5," + "\"secretEnv\":{\"API_KEY\":\"" + secret
                            + "\"}}");
            assertThat(created.status()).isEqualTo(201);
            id = created.json().get("id").asText();
            String[] env = TestDocker.client()
                    .inspectContainerCmd(ManagedLabels.containerName(new LeaseId(id)))
                    .exec()
                    .getConfig()
                    .getEnv();
            assertThat(Arrays.asList(env)).contains("API_KEY=" + secret);
            assertThat(created.body()
                            + admin.get("/api/containers/" + id).body()
                            + admin.get("/api/activity").body())
                    .doesNotContain(secret);
            assertThat(admin.delete("/api/containers/" + id).status()).isEqualTo(200);
            server.close();
            assertThat(server.output()).doesNotContain(secret);
        }
        try (ServerProcess again =
                ServerProcess.start(dataDir, Map.of("AUTH", "tokens")).awaitReady(Duration.ofSeconds(60))) {
            assertThat(again.output())
                    .as("the token is printed only on the first start")
                    .doesNotContain("Authorization: Bearer");
        } finally {
            TestDocker.removeIfPresent(ManagedLabels.containerName(new LeaseId(id)));
        }
    }

    @Test
    void aTokensFileNamesTheUsers() throws Exception {
        Path tokens = Files.writeString(dataDir.resolve("tokens.yaml"), """
                tokens:
                  - user: alice
                    token: alice-secret-token-123
                    role: user
                  - user: ops
                    tokenSha256: %s
                    role: admin
                """.formatted(java.util.HexFormat.of()
                .formatHex(io.containerlease.auth.TokenRegistry.sha256("ops-secret-token-456"))));
        Files.createDirectories(dataDir.resolve("d"));
        try (ServerProcess server = ServerProcess.start(
                        dataDir.resolve("d"), Map.of("AUTH", "tokens", "AUTH_TOKENS_FILE", tokens.toString()))
                .awaitReady(Duration.ofSeconds(60))) {
            assertThat(new ApiClient(server.baseUrl(), "alice-secret-token-123")
                            .get("/api/containers")
                            .status())
                    .isEqualTo(200);
            assertThat(new ApiClient(server.baseUrl(), "ops-secret-token-456")
                            .get("/api/containers")
                            .status())
                    .isEqualTo(200);
            assertError(
                    new ApiClient(server.baseUrl(), "ops-secret-token-457").get("/api/containers"),
                    401,
                    "invalid_token");
            assertThat(Files.exists(dataDir.resolve("d").resolve("admin-token")))
                    .isFalse();
            assertThat(Set.of(server.output())).noneMatch(o -> o.contains("alice-secret-token-123"));
        }
    }
}
