package io.containerlease.cli.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** A socket the server has fallen silent on is ended by the client, not waited on forever. */
class HeartbeatTest {
    private final AtomicLong now = new AtomicLong();
    private final Heartbeat heartbeat = new Heartbeat(now::get);

    @Test
    void silenceIsAMinuteWithoutAFrameOrAPing() {
        now.addAndGet(Heartbeat.DEAD_AFTER.toNanos());
        assertThat(heartbeat.silent()).isFalse();
        heartbeat.heard();
        now.addAndGet(Heartbeat.DEAD_AFTER.toNanos() + 1);
        assertThat(heartbeat.silent()).isTrue();
    }

    @Test
    void waitingEndsTheConnectionOnceTheServerIsSilent() throws Exception {
        now.addAndGet(Heartbeat.DEAD_AFTER.plus(Duration.ofSeconds(1)).toNanos());
        AtomicBoolean aborted = new AtomicBoolean();
        assertThat(heartbeat.await(new CompletableFuture<String>(), () -> aborted.set(true), "silent"))
                .isEqualTo("silent");
        assertThat(aborted).isTrue();
        assertThat(new Heartbeat(now::get).await(CompletableFuture.completedFuture("closed"), () -> {}, "silent"))
                .isEqualTo("closed");
    }
}
