package io.containerlease;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.containerlease.support.NodeScript;
import io.containerlease.support.ServerProcess;
import io.containerlease.support.TestDocker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web console as a person uses it: Debian's Chromium, driven by playwright-core
 * ({@code web/e2e/console.e2e.mjs}), against two real servers on the real engine. One is a first
 * start (sign in through the address it prints); the other has a tokens file with two users, to show
 * that neither sees the other's leases. The run writes the README's screenshots into docs/screenshots
 * and its measurements into target/console-e2e.json.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class ConsoleBrowserIT {
    private static final Pattern SIGN_IN_URL = Pattern.compile("(http://\\S+/#token=\\S+)");
    private static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));

    @TempDir
    Path dir;

    @Test
    void aPersonProvisionsTypesReadsLogsExtendsAndReleasesInABrowser() throws Exception {
        assertThat(CHROMIUM)
                .as("Chromium is needed for the console's browser test (scripts/ensure-chromium.sh installs it)")
                .isExecutable();
        Path tokens = Files.writeString(dir.resolve("tokens.yaml"), """
                tokens:
                  - user: alice
                    token: alice-console-token-1234
                    role: user
                  - user: bob
                    token: bob-console-token-5678
                    role: user
                """);
        String instanceA = null;
        String instanceB = null;
        try (ServerProcess first = ServerProcess.start(dir.resolve("first"), Map.of("AUTH", "tokens"))
                        .awaitReady(Duration.ofSeconds(60));
                ServerProcess users = ServerProcess.start(
                                dir.resolve("users"), Map.of("AUTH", "tokens", "AUTH_TOKENS_FILE", tokens.toString()))
                        .awaitReady(Duration.ofSeconds(60))) {
            instanceA = first.instanceId();
            instanceB = users.instanceId();
            Matcher printed = SIGN_IN_URL.matcher(first.output());
            assertThat(printed.find())
                    .as("the first start prints a sign-in address:\n%s", first.output())
                    .isTrue();

            Path results = Path.of("target", "console-e2e.json").toAbsolutePath();
            NodeScript.run(
                    "e2e/console.e2e.mjs",
                    Map.of(
                            "SIGNIN_URL", printed.group(1),
                            "USERS_URL", users.baseUrl(),
                            "ALICE_TOKEN", "alice-console-token-1234",
                            "BOB_TOKEN", "bob-console-token-5678",
                            "CHROMIUM", CHROMIUM.toString(),
                            "WS_ECHO",
                                    io.containerlease.support.TestPrograms.wsEcho()
                                            .toString(),
                            "SCREENSHOT_DIR",
                                    NodeScript.WEB
                                            .resolveSibling("docs")
                                            .resolve("screenshots")
                                            .toString(),
                            "RESULTS_FILE", results.toString()),
                    Duration.ofMinutes(8),
                    dir);

            // Every lease the browser made was released or expired: the engine holds none of their containers.
            String a = instanceA;
            String b = instanceB;
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                assertThat(TestDocker.containersOf(a)).isEmpty();
                assertThat(TestDocker.containersOf(b)).isEmpty();
            });
        } finally {
            if (instanceA != null) {
                TestDocker.removeAllOf(instanceA);
            }
            if (instanceB != null) {
                TestDocker.removeAllOf(instanceB);
            }
        }
    }
}
