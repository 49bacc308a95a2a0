package io.containerlease.api.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The sender of one WebSocket, against a hand-written peer that can stall or fail. */
@Timeout(30)
class WsOutboxTest {
    private static final Duration SEND_TIMEOUT = Duration.ofMillis(200);
    private static final Duration CLOSE_TIMEOUT = Duration.ofMillis(200);

    /** Records what is sent; each send completes, fails or never completes, as the test says. */
    static class FakePeer implements WsOutbox.Peer {
        enum Mode {
            OK,
            STALL,
            FAIL
        }

        volatile Mode sends = Mode.OK;
        volatile Mode closes = Mode.OK;
        final List<String> sent = new CopyOnWriteArrayList<>();
        volatile Integer closedWith;
        volatile boolean disconnected;

        private CompletableFuture<Void> outcome(Mode mode) {
            return switch (mode) {
                case OK -> CompletableFuture.completedFuture(null);
                case STALL -> new CompletableFuture<>();
                case FAIL -> CompletableFuture.failedFuture(new java.io.IOException("connection reset"));
            };
        }

        @Override
        public CompletableFuture<Void> sendText(String text) {
            sent.add(text);
            return outcome(sends);
        }

        @Override
        public CompletableFuture<Void> sendBinary(ByteBuffer data) {
            sent.add("<" + data.remaining() + " bytes>");
            return outcome(sends);
        }

        @Override
        public CompletableFuture<Void> close(int code, String reason) {
            closedWith = code;
            return outcome(closes);
        }

        @Override
        public void disconnect() {
            disconnected = true;
        }
    }

    private static WsOutbox outbox(FakePeer peer) {
        return new WsOutbox(peer, 100, 1 << 20, SEND_TIMEOUT, CLOSE_TIMEOUT);
    }

    @Test
    void framesSentFromTheCallersThreadAndByTheSenderKeepTheirOrder() throws Exception {
        // A peer whose flushes complete later, at varying times, as Jetty's do: some frames then find the
        // outbox idle and go out at once, others queue behind unflushed ones; the order must hold throughout.
        var flusher = java.util.concurrent.Executors.newScheduledThreadPool(2);
        List<String> received = new CopyOnWriteArrayList<>();
        var random = new java.util.Random(5);
        WsOutbox.Peer slowish = new FakePeer() {
            @Override
            public synchronized CompletableFuture<Void> sendText(String text) {
                received.add(text);
                CompletableFuture<Void> done = new CompletableFuture<>();
                flusher.schedule(
                        () -> done.complete(null), random.nextInt(200), java.util.concurrent.TimeUnit.MICROSECONDS);
                return done;
            }
        };
        WsOutbox outbox = new WsOutbox(slowish, 100_000, 1L << 30, Duration.ofSeconds(5), CLOSE_TIMEOUT);
        for (int i = 0; i < 5000; i++) {
            outbox.text(Integer.toString(i));
            if (i % 100 == 0) {
                Thread.sleep(1); // let it go idle now and then, so the direct path is taken too
            }
        }
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 5000);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError(
                    "sent " + received.size() + " of 5000; last "
                            + (received.isEmpty() ? "none" : received.get(received.size() - 1)),
                    e);
        }
        for (int i = 0; i < 5000; i++) {
            assertThat(received.get(i)).isEqualTo(Integer.toString(i));
        }
        outbox.stop();
        flusher.shutdownNow();
    }

    @Test
    void framesGoOutInOrderAndACloseComesLast() {
        FakePeer peer = new FakePeer();
        WsOutbox outbox = outbox(peer);
        outbox.sendControl(Map.of("type", "a"));
        outbox.binary(new byte[3]);
        outbox.close(1000, "bye");
        outbox.sendControl(Map.of("type", "after-close"));
        await().atMost(Duration.ofSeconds(5)).until(() -> peer.closedWith != null);
        assertThat(peer.sent).containsExactly("{\"type\":\"a\"}", "<3 bytes>");
        assertThat(peer.closedWith).isEqualTo(1000);
        assertThat(peer.disconnected).isFalse();
    }

    @Test
    void aPeerThatStopsReadingIsClosedAsTooSlowAndCutWhenEvenTheCloseStalls() {
        FakePeer peer = new FakePeer();
        peer.sends = FakePeer.Mode.STALL;
        peer.closes = FakePeer.Mode.STALL;
        WsOutbox outbox = outbox(peer);
        outbox.sendControl(Map.of("type", "stuck"));
        outbox.close(1000, "lease ended");
        await().atMost(Duration.ofSeconds(5)).until(() -> peer.disconnected);
        assertThat(peer.closedWith).isEqualTo(WsOutbox.CLOSE_TOO_SLOW);
    }

    @Test
    void aFailedSendClosesTheSocketInsteadOfSilencingIt() {
        FakePeer peer = new FakePeer();
        peer.sends = FakePeer.Mode.FAIL;
        WsOutbox outbox = outbox(peer);
        outbox.sendControl(Map.of("type", "first"));
        outbox.sendControl(Map.of("type", "second"));
        await().atMost(Duration.ofSeconds(5)).until(() -> peer.closedWith != null);
        assertThat(peer.closedWith).isEqualTo(WsOutbox.CLOSE_SERVER_ERROR);
        assertThat(peer.disconnected).isFalse();
        outbox.sendControl(Map.of("type", "later"));
        assertThat(peer.sent).doesNotContain("{\"type\":\"later\"}");
    }
}
