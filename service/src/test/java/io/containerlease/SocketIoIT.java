package io.containerlease;

import static org.awaitility.Awaitility.await;

import io.containerlease.support.NodeScript;
import io.containerlease.support.ServerProcess;
import io.containerlease.support.TarGz;
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
 * against a real server and engine: polling and WebSocket, refusals (as connect_error), hostile payloads,
 * every command, events, a second user who sees nothing of the first's, and that user's revocation.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class SocketIoIT {

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
        try (ServerProcess server = ServerProcess.start(
                        dir.resolve("data"),
                        Map.of("AUTH", "tokens", "AUTH_TOKENS_FILE", tokens.toString(), "RATE_LIMIT_PER_MINUTE", "100"))
                .awaitReady(Duration.ofSeconds(60))) {
            instance = server.instanceId();
            Path archive = Files.write(
                    dir.resolve("app-v2.tar.gz"),
                    TarGz.archive().file("start.sh", """
                    cat > /tmp/h <<'H'
                    while IFS= read -r line; do
                      id=$(printf '%s' "$line" | sed -n 's/.*"id":"\\([^"]*\\)".*/\\1/p')
                      printf '{"id":"%s","type":"reply","payload":{"version":"v2"}}\\n' "$id"
                    done
                    H
                    exec socat UNIX-LISTEN:$CONTAINERLEASE_CHANNEL,fork,unlink-early EXEC:"sh /tmp/h"
                    """).bytes());
            NodeScript.run(
                    "e2e/socketio.e2e.mjs",
                    Map.of(
                            "BASE_URL",
                            server.baseUrl(),
                            "TOKEN",
                            "alice-socketio-token-1234",
                            "OTHER_TOKEN",
                            "bob-socketio-token-5678",
                            "RATE_LIMITED",
                            "100",
                            "APP_ARCHIVE",
                            archive.toString(),
                            "TOKENS_FILE",
                            tokens.toString()),
                    Duration.ofMinutes(2),
                    dir);
            String own = instance;
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> TestDocker.containersOf(own).isEmpty());
        } finally {
            if (instance != null) {
                TestDocker.removeAllOf(instance);
            }
        }
    }
}
