package io.containerlease.preview;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.containerlease.helper.HelperFrames;
import io.containerlease.support.FakeStreams;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The relay's side of the window, against a helper that breaks it: what the container can make the
 * server hold for one connection is bounded in bytes, and a stream that is not our protocol ends the relay.
 */
class TcpRelayTest {
    private final FakeStreams streams = new FakeStreams();

    private static byte[] forConnection(char type, int id, byte[] data) {
        byte[] payload = new byte[4 + data.length];
        payload[0] = (byte) (id >>> 24);
        payload[1] = (byte) (id >>> 16);
        payload[2] = (byte) (id >>> 8);
        payload[3] = (byte) id;
        System.arraycopy(data, 0, payload, 4, data.length);
        return HelperFrames.frame((byte) type, payload);
    }

    /** A relay with one connection open (its helper said hello and connected it). */
    private TcpRelay.Connection connected(TcpRelay relay, FakeStreams.FakeDuplex helper) throws Exception {
        var connection = CompletableFuture.supplyAsync(() -> {
            try {
                return relay.connect();
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        });
        helper.output.stdout(HelperFrames.frame(HelperFrames.HELLO_TYPE, HelperFrames.HELLO.getBytes()));
        await().atMost(Duration.ofSeconds(5)).until(() -> !helper.written.isEmpty()); // its 'O'
        helper.output.stdout(forConnection('C', 1, new byte[0]));
        return connection.get();
    }

    @Test
    void aHelperSendingPastItsWindowEndsTheRelayInsteadOfFillingTheServer() throws Exception {
        TcpRelay relay = TcpRelay.open(streams, "c", 8000);
        FakeStreams.FakeDuplex helper = streams.duplexes.getFirst();
        TcpRelay.Connection connection = connected(relay, helper);

        byte[] chunk = new byte[TcpRelay.CHUNK - 4];
        int sent = 0;
        // Nothing is read (so nothing acknowledged), yet the helper goes on: at most a window and a frame is held.
        while (relay.alive() && sent < 64) {
            helper.output.stdout(forConnection('R', 1, chunk));
            sent++;
        }
        assertThat(relay.alive()).as("ended past its window").isFalse();
        assertThat((long) sent * chunk.length).isLessThanOrEqualTo(TcpRelay.WINDOW + 2L * TcpRelay.CHUNK);
        assertThat(helper.closed).isTrue();
        // What arrived within the window is still readable, then the end.
        assertThat(connection.input().readAllBytes().length).isLessThanOrEqualTo(TcpRelay.WINDOW + TcpRelay.CHUNK);
    }

    @Test
    void aFrameOverTheProtocolsBoundEndsTheRelay() throws Exception {
        TcpRelay relay = TcpRelay.open(streams, "c", 8000);
        FakeStreams.FakeDuplex helper = streams.duplexes.getFirst();
        TcpRelay.Connection connection = connected(relay, helper);

        helper.output.stdout(forConnection('R', 1, new byte[HelperFrames.MAX_FROM_HELPER]));

        assertThat(relay.alive()).isFalse();
        assertThat(connection.input().read()).isEqualTo(-1);
    }
}
