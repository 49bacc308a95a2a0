package io.containerlease.program.channel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.TextNode;
import io.containerlease.config.ImageCatalog;
import io.containerlease.lease.Lease;
import io.containerlease.lease.LeaseId;
import io.containerlease.program.ProgramException;
import io.containerlease.support.FakeStreams;
import io.containerlease.support.LocalHelperStreams;
import io.containerlease.support.LoopbackBroadcast;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two servers of one store, joined by one broadcast: the holder is connected to the lease's program
 * (the real helper, run here as a local process, and a Unix socket the test plays), the other reaches
 * it only through the relay. What the program answers, and what the holder refuses, arrive as they are.
 */
@Timeout(30)
class ChannelRelayTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private final LoopbackBroadcast network = new LoopbackBroadcast();
    private final Lease lease = Lease.provisioning(
                    LeaseId.generate(Instant.now(), new Random(3)),
                    "echo",
                    Instant.now(),
                    Duration.ofMinutes(5),
                    Duration.ofMinutes(5))
            .runningIn("container");
    private final AtomicReference<String> holder = new AtomicReference<>("holder");
    private ServerSocketChannel server;
    private Channels atHolder;
    private Channels here;
    private ChannelRelay relayAtHolder;
    private ChannelRelay relayHere;
    private SocketChannel program;

    @BeforeEach
    void start() throws Exception {
        Path socket = dir.resolve("channel.sock");
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        atHolder = new Channels(ImageCatalog.builtIn(), new LocalHelperStreams(socket), Clock.systemUTC(), quiet());
        here = new Channels(ImageCatalog.builtIn(), new FakeStreams(), Clock.systemUTC(), quiet());
        relayAtHolder = new ChannelRelay(
                "holder", network.endpoint(), atHolder, id -> Optional.of(holder.get()), id -> Optional.of(lease));
        relayHere = new ChannelRelay(
                "here", network.endpoint(), here, id -> Optional.of(holder.get()), id -> Optional.of(lease));
        relayAtHolder.start();
        relayHere.start();
        atHolder.onRunning(lease);
        program = server.accept();
        await().atMost(WAIT).until(() -> atHolder.status(lease).connected());
    }

    @AfterEach
    void stop() throws Exception {
        relayHere.close();
        relayAtHolder.close();
        atHolder.close();
        here.close();
        program.close();
        server.close();
    }

    private static Channels.Observer quiet() {
        return new Channels.Observer() {
            @Override
            public void message(LeaseId id, ChannelFrame frame) {}

            @Override
            public void connection(LeaseId id, boolean connected) {}
        };
    }

    @Test
    void aRequestThroughAnotherServerIsAnsweredByTheProgramTheHolderIsConnectedTo() throws Exception {
        Thread.ofVirtual().start(() -> {
            try {
                var in = new BufferedReader(new InputStreamReader(
                        java.nio.channels.Channels.newInputStream(program), StandardCharsets.UTF_8));
                String request = in.readLine();
                String id = request.replaceAll(".*\"id\":\"([^\"]*)\".*", "$1");
                OutputStream out = java.nio.channels.Channels.newOutputStream(program);
                out.write(("{\"id\":\"" + id + "\",\"type\":\"reply\",\"payload\":{\"echo\":\"pong\"}}\n")
                        .getBytes(StandardCharsets.UTF_8));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });

        var reply = here.send(lease, "ping", TextNode.valueOf("ping"), Duration.ofSeconds(5), true);

        assertThat(reply).hasValueSatisfying(frame -> {
            assertThat(frame.type()).isEqualTo("reply");
            assertThat(frame.payload().get("echo").asText()).isEqualTo("pong");
        });
        ChannelStatus there = atHolder.status(lease);
        ChannelStatus seenHere = here.status(lease);
        assertThat(seenHere.connected()).isTrue();
        assertThat(seenHere.since()).isEqualTo(there.since());
        assertThat(seenHere.sent()).isEqualTo(there.sent()).isEqualTo(1);
        assertThat(seenHere.received()).isEqualTo(there.received()).isEqualTo(1);
        assertThat(seenHere.lastMessageAt()).isEqualTo(there.lastMessageAt()).isPresent();
    }

    @Test
    void theHoldersRefusalArrivesAsItIsWithItsKindAndDetails() throws Exception {
        // The program takes the request but never answers: the holder's own timeout, not the relay's.
        assertThatThrownBy(() -> here.send(lease, "ping", TextNode.valueOf("x"), Duration.ofMillis(200), true))
                .isInstanceOfSatisfying(ProgramException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ProgramException.Kind.TIMEOUT);
                    assertThat(e.code()).isEqualTo("channel_timeout");
                    assertThat(e.getMessage()).isEqualTo("the program did not reply within 200 ms");
                });

        // The program goes, its socket too (a listening socket would take the helper back at once).
        program.close();
        server.close();
        java.nio.file.Files.deleteIfExists(dir.resolve("channel.sock"));
        await().atMost(WAIT).until(() -> !atHolder.status(lease).connected());
        assertThatThrownBy(() -> here.forward(lease, new ChannelFrame("1", "note", TextNode.valueOf("x"))))
                .isInstanceOfSatisfying(ProgramException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ProgramException.Kind.NOT_CONNECTED);
                    assertThat(e.getMessage()).startsWith("the program is not listening on its channel");
                    assertThat(e.details()).containsKeys("downSince", "downForMs");
                });
    }

    @Test
    void withoutAnotherHolderNothingIsAskedAndTheRequestIsRefusedAtOnce() {
        holder.set("here"); // this server holds it, yet has no connection: no one to ask
        int before = network.sent.size();
        assertThatThrownBy(() -> here.status(lease))
                .isInstanceOfSatisfying(
                        ProgramException.class, e -> assertThat(e.code()).isEqualTo("channel_not_connected"));
        assertThat(network.sent).hasSize(before);
    }

    @Test
    void messagesNotAddressedToAServerOrNotOursAreIgnored() {
        int before = network.sent.size();
        network.inject("not json");
        network.inject("{\"kind\":\"call\",\"id\":\"1\",\"from\":\"x\",\"to\":\"someone-else\",\"op\":\"status\"}");
        network.inject("{\"kind\":\"answer\",\"id\":\"no-such-call\",\"to\":\"here\"}");
        network.inject(
                "{\"kind\":\"call\",\"id\":\"2\",\"from\":\"x\",\"to\":\"holder\",\"lease\":\"../..\",\"op\":\"status\"}");
        // Only the last one is a call to a server of ours: answered with a refusal, not a crash.
        await().atMost(WAIT).until(() -> network.sent.size() == before + 1);
        assertThat(network.sent.get(before)).contains("\"error\"").contains("channel_not_connected");
    }
}
