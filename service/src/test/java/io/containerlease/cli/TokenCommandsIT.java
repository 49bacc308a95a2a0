package io.containerlease.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.containerlease.support.ClientProcess;
import io.containerlease.support.ClientProcess.Run;
import io.containerlease.support.ServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * An administrator manages users with {@code containerlease token}, as processes with the server's
 * environment, while the server runs: what they do takes effect without a restart.
 */
@Timeout(180)
class TokenCommandsIT {
    private static final Duration TAKES_EFFECT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private Run cli(Map<String, String> env, String... args) throws Exception {
        return ClientProcess.run(dir.resolve("config"), env, "", args);
    }

    @Test
    void usersAreCreatedListedAndRevokedWhileTheServerRuns() throws Exception {
        Path tokens = dir.resolve("tokens.yaml");
        Map<String, String> admin =
                Map.of("DATA_DIR", dir.resolve("data").toString(), "AUTH_TOKENS_FILE", tokens.toString());
        Run ops = cli(admin, "token", "create", "ops", "--role", "admin");
        assertThat(ops.exit()).as(ops.err()).isZero();
        String opsToken = ops.out().trim();
        assertThat(opsToken).hasSize(43);
        assertThat(ops.err()).contains("shown this once");
        assertThat(Files.readString(tokens)).doesNotContain(opsToken);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tokens)))
                .isEqualTo("rw-------");

        try (ServerProcess server = ServerProcess.start(
                        dir.resolve("data"), Map.of("AUTH", "tokens", "AUTH_TOKENS_FILE", tokens.toString()))
                .awaitReady(Duration.ofSeconds(60))) {
            Map<String, String> asOps =
                    Map.of("CONTAINERLEASE_URL", server.baseUrl(), "CONTAINERLEASE_TOKEN", opsToken);
            assertThat(cli(asOps, "ls").exit()).isZero();

            Run alice = cli(admin, "token", "create", "alice");
            assertThat(alice.exit()).as(alice.err()).isZero();
            Map<String, String> asAlice = Map.of(
                    "CONTAINERLEASE_URL",
                    server.baseUrl(),
                    "CONTAINERLEASE_TOKEN",
                    alice.out().trim());
            awaitExit(() -> exit(asAlice, "ls"), 0, "alice's new token works without a restart");

            Run list = cli(admin, "token", "ls");
            assertThat(list.out())
                    .containsPattern("ops\\s+admin\\s+1")
                    .containsPattern("alice\\s+user\\s+1")
                    .doesNotContain(opsToken);

            Run revoked = cli(admin, "token", "revoke", "alice");
            assertThat(revoked.exit()).as(revoked.err()).isZero();
            awaitExit(() -> exit(asAlice, "ls"), 1, "a revoked token is refused without a restart");
            assertThat(cli(admin, "token", "revoke", "alice").exit())
                    .as("no such user any more")
                    .isEqualTo(4);

            // Two admins at once: each edit is made on the other's result, none is lost.
            var racing = new java.util.ArrayList<Process>();
            for (int i = 1; i <= 4; i++) {
                racing.add(ClientProcess.builder(dir.resolve("config"), admin, "token", "create", "racer" + i)
                        .start());
            }
            for (Process p : racing) {
                assertThat(p.waitFor()).isZero();
            }
            assertThat(cli(admin, "token", "ls").out()).contains("racer1", "racer2", "racer3", "racer4", "ops");

            Run rotateWithFile = cli(admin, "token", "rotate-admin");
            assertThat(rotateWithFile.exit()).isEqualTo(2);
            assertThat(rotateWithFile.err()).contains("token create USER --role admin --replace");
            assertThat(cli(admin, "token", "create", "Not A Name").exit()).isEqualTo(1);
            assertThat(cli(admin, "token", "create", "bob", "--role", "root").exit())
                    .isEqualTo(2);
        }
    }

    @Test
    void theAdminTokenIsRotatedAndTheAdminsOwnClientFollows() throws Exception {
        Path data = dir.resolve("data");
        try (ServerProcess server =
                ServerProcess.start(data, Map.of("AUTH", "tokens")).awaitReady(Duration.ofSeconds(60))) {
            String old = Files.readString(data.resolve("admin-token")).trim();
            Run login = ClientProcess.run(
                    dir.resolve("config"), Map.of(), old + "\n", "login", server.baseUrl(), "--token-stdin");
            assertThat(login.exit()).as(login.err()).isZero();

            Map<String, String> host = Map.of("DATA_DIR", data.toString());
            Run rotated = cli(host, "token", "rotate-admin");
            assertThat(rotated.exit()).as(rotated.err()).isZero();
            String token = rotated.out().trim();
            assertThat(token)
                    .isNotEqualTo(old)
                    .isEqualTo(Files.readString(data.resolve("admin-token")).trim());
            assertThat(rotated.err()).contains("now uses it");

            Map<String, String> withOld =
                    new HashMap<>(Map.of("CONTAINERLEASE_URL", server.baseUrl(), "CONTAINERLEASE_TOKEN", old));
            awaitExit(() -> exit(withOld, "ls"), 1, "the old admin token is refused without a restart");
            assertThat(cli(Map.of(), "ls").exit())
                    .as("the saved login was moved to the new token")
                    .isZero();

            Run withFileUnset = cli(host, "token", "create", "alice");
            assertThat(withFileUnset.exit()).isEqualTo(1);
            assertThat(withFileUnset.err()).contains("AUTH_TOKENS_FILE is not set");
        }
    }

    private int exit(Map<String, String> env, String... args) {
        try {
            return cli(env, args).exit();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void awaitExit(IntSupplier run, int expected, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TAKES_EFFECT.toNanos();
        int last = -1;
        while (System.nanoTime() < deadline) {
            last = run.getAsInt();
            if (last == expected) {
                return;
            }
            Thread.sleep(300);
        }
        throw new AssertionError(
                what + ": exit " + last + ", not " + expected + ", after " + TAKES_EFFECT.toSeconds() + " s");
    }
}
