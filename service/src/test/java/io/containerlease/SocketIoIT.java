package io.containerlease;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.containerlease.support.ServerProcess;
import io.containerlease.support.TestDocker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Socket.IO gateway with the real npm {@code socket.io-client} from Node ({@code web/e2e/socketio.e2e.mjs}),
 * against a real server and engine: polling and WebSocket, refusals, every command, events, and a
 * second user who sees nothing of the first's.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class SocketIoIT {
    private static final Path WEB = Path.of("..", "web").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    @Test
    void theOriginalFrontEndsClientDrivesLeasesOverSocketIo() throws Exception {
        Path tokens = Files.writeString(dir.resolve("tokens.yaml"), """
                tokens:
                  - user: alice
                    token: alice-socketio-token-1234
                    role: user
                  - user: bob
                    token: bob-socketio-token-5678
                    role: user
                """);
        String instance = null;
        try (ServerProcess server = ServerProcess.start(dir.resolve("data"), Map.of("AUTH", "tokens",
                "AUTH_TOKENS_FILE", tokens.toString(), "RATE_LIMIT_PER_MINUTE", "100")).awaitReady(Duration.ofSeconds(60))) {
            instance = server.instanceId();
            ProcessBuilder node = new ProcessBuilder("node", "e2e/socketio.e2e.mjs").directory(WEB.toFile())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("socketio.log").toFile());
            node.environment().putAll(Map.of("BASE_URL", server.baseUrl(), "TOKEN", "alice-socketio-token-1234",
                    "OTHER_TOKEN", "bob-socketio-token-5678", "RATE_LIMITED", "100"));
            Process run = node.start();
            boolean finished = run.waitFor(2, TimeUnit.MINUTES);
            String log = Files.readString(dir.resolve("socketio.log"));
            System.out.println(log);
            if (!finished) {
                run.destroyForcibly();
            }
            assertThat(finished && run.exitValue() == 0).as("the Socket.IO client test failed:\n%s\nserver:\n%s", log, server.output())
                    .isTrue();
            String own = instance;
            await().atMost(Duration.ofSeconds(20)).until(() -> TestDocker.containersOf(own).isEmpty());
        } finally {
            if (instance != null) {
                TestDocker.removeAllOf(instance);
            }
        }
    }
}
