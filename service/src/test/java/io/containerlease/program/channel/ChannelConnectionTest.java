package io.containerlease.program.channel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.TextNode;
import io.containerlease.program.ProgramException;
import io.containerlease.support.LocalHelperStreams;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service's end of a channel, through the real helper (run here as a local process), against a
 * Unix socket played by the test: what a misbehaving program cannot do.
 */
class ChannelConnectionTest {
    @TempDir
    Path dir;

    @Test
    void malformedAndOversizeFramesAreDroppedAndTheRestGoesOn() throws Exception {
        Path socket = dir.resolve("channel.sock");
        List<ChannelFrame> unprompted = new CopyOnWriteArrayList<>();
        List<Boolean> changes = new CopyOnWriteArrayList<>();
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            var streams = new LocalHelperStreams(socket);
            var connection =
                    new ChannelConnection(streams, "lease-container", Clock.systemUTC(), unprompted::add, changes::add);
            connection.start();
            try (SocketChannel program = server.accept()) {
                await().until(() -> connection.status().connected());
                OutputStream out = Channels.newOutputStream(program);
                out.write("not json\n".getBytes(StandardCharsets.UTF_8));
                await().until(() -> connection.status().lastError().orElse("").contains("not JSON"));
                out.write(("{\"type\":\"big\",\"payload\":\"" + "x".repeat(ChannelFrame.MAX_BYTES) + "\"}\n")
                        .getBytes(StandardCharsets.UTF_8));
                out.write("{\"type\":\"hello\",\"payload\":1}\n".getBytes(StandardCharsets.UTF_8));
                await().until(() -> unprompted.size() == 1);
                assertThat(unprompted.get(0).type()).isEqualTo("hello");
                assertThat(connection.status().lastError())
                        .hasValueSatisfying(e -> assertThat(e).contains("over 1048576 bytes"));

                // A request is answered by the frame with its id, whatever came in between.
                Thread.ofVirtual().start(() -> {
                    try {
                        var in = new BufferedReader(
                                new InputStreamReader(Channels.newInputStream(program), StandardCharsets.UTF_8));
                        String request = in.readLine();
                        String id = request.replaceAll(".*\"id\":\"([^\"]*)\".*", "$1");
                        out.write(("{\"id\":\"other\",\"type\":\"noise\"}\n{\"id\":\"" + id
                                        + "\",\"type\":\"reply\",\"payload\":\"pong\"}\n")
                                .getBytes(StandardCharsets.UTF_8));
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                var reply = connection.request("request", TextNode.valueOf("ping"), Duration.ofSeconds(5), true);
                assertThat(reply)
                        .hasValueSatisfying(
                                frame -> assertThat(frame.payload().asText()).isEqualTo("pong"));
                assertThat(connection.status().sent()).isEqualTo(1);
                await().until(() -> unprompted.size() == 2); // the noise, unprompted
            }
            // The program went away (its socket too): requests are refused at once, and the change was heard.
            server.close();
            java.nio.file.Files.deleteIfExists(socket);
            await().until(() -> !connection.status().connected());
            assertThat(changes).startsWith(true, false).endsWith(false);
            assertThatThrownBy(() -> connection.request("request", TextNode.valueOf("x"), Duration.ofSeconds(1), true))
                    .isInstanceOfSatisfying(
                            ProgramException.class, e -> assertThat(e.code()).isEqualTo("channel_not_connected"));
            connection.close();
            // Closing the stream ends the helper's input, which ends the helper.
            await().until(() -> streams.started.stream().noneMatch(Process::isAlive));
        }
    }
}
