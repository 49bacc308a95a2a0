package io.containerlease.cli.client;

import java.io.IOException;
import java.io.OutputStream;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code exec}: one command without a terminal, as {@code docker exec} without {@code -t} runs it,
 * for scripts: its exact bytes on standard output and standard error, its exit status as the
 * client's. It reads no input ({@code shell ID -- CMD} runs a command in a terminal, which does).
 */
@Command(
        name = "exec",
        mixinStandardHelpOptions = true,
        description = {
            "Run a command in a lease's container without a terminal, as docker exec does: its exact output",
            "(stdout and stderr apart) and its exit status. It reads no input: 'shell ID -- CMD' takes input."
        },
        footer = {
            "",
            "Examples:",
            "  containerlease exec 01m8… -- ls -l /",
            "  containerlease exec 01m8… -- tar c /data > data.tar",
            "",
            "Exit status: the command's own; 1 when the lease ended or no status came, 3 when the connection broke",
            "(the command may still be running), 4 no such lease."
        })
public final class ExecCommand extends ClientCommand {
    /** The stream byte before a frame's bytes: 2 is stderr, 1 (anything else) stdout. */
    private static final byte STDERR = 2;

    @Parameters(index = "0", paramLabel = "ID")
    String id;

    @Parameters(
            index = "1..*",
            arity = "1..*",
            paramLabel = "CMD",
            description = "The command and its arguments (after --).")
    List<String> command;

    /** Where the bytes go: the process's own streams, unbuffered by any character encoding. */
    private final OutputStream stdout = System.out;

    private final OutputStream stderr = System.err;

    @Override
    protected int run(ServiceClient client) {
        StringBuilder path = new StringBuilder("/ws/exec/" + leaseSegment(id) + "?");
        command.forEach(arg -> path.append("command=").append(encoded(arg)).append('&'));
        path.setLength(path.length() - 1);
        Listener listener = new Listener();
        WebSocket socket = client.openSocket(path.toString(), listener, "the command");
        ServerEnd.Closed ended;
        try {
            ended = listener.heartbeat.await(
                    listener.ended, socket::abort, ServerEnd.Closed.broken("no word from the server"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            socket.abort();
            return ClientFailure.REFUSED;
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
        flush();
        if (ended.exitStatus().isPresent()) {
            return ended.exitStatus().getAsInt();
        }
        if (ended.endedReason() != null) {
            err().println("the lease has ended (" + ended.endedReason() + ")");
            return ClientFailure.REFUSED;
        }
        if (ended.refused()) {
            throw ended.refusal(id);
        }
        if (ended.code() == 1000) {
            err().println("the command ended without an exit status");
            return ClientFailure.REFUSED;
        }
        throw new ClientFailure(
                ClientFailure.UNREACHABLE,
                null,
                "the connection broke (" + ended.reason() + "); the command may still be running");
    }

    private void flush() {
        try {
            stdout.flush();
            stderr.flush();
        } catch (IOException ignored) {
            // the reader went away
        }
    }

    private final class Listener extends SocketListener {
        final CompletableFuture<ServerEnd.Closed> ended = new CompletableFuture<>();
        private final ServerEnd end = new ServerEnd();
        /** The stream the current message goes to (its first byte; a long message may come in parts). */
        private OutputStream current;

        @Override
        void binary(ByteBuffer data, boolean last) throws IOException {
            if (current == null && data.hasRemaining()) {
                current = data.get() == STDERR ? stderr : stdout;
            }
            try {
                byte[] bytes = new byte[data.remaining()];
                data.get(bytes);
                current.write(bytes);
                if (last) {
                    current.flush();
                }
            } finally {
                if (last) {
                    current = null;
                }
            }
        }

        @Override
        void text(String raw) {
            end.take(ServiceClient.parse(raw));
        }

        @Override
        void disconnected(int code, String reason) {
            ended.complete(end.closed(code, reason));
        }
    }
}
