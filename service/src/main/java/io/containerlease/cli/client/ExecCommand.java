package io.containerlease.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.OutputStream;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code exec}: one command without a terminal, as {@code docker exec} without {@code -t} runs it,
 * for scripts: its exact bytes on standard output and standard error, its exit status as the
 * client's. It reads no input ({@code shell ID -- CMD} runs a command in a terminal, which does).
 */
@Command(name = "exec", mixinStandardHelpOptions = true,
        description = {"Run a command in a lease's container without a terminal, as docker exec does: its exact output",
                "(stdout and stderr apart) and its exit status. It reads no input: 'shell ID -- CMD' takes input."},
        footer = {"", "Examples:", "  containerlease exec 01m8… -- ls -l /",
                "  containerlease exec 01m8… -- tar c /data > data.tar",
                "", "Exit status: the command's own; 1 when the lease ended or no status came, 3 when the connection broke",
                "(the command may still be running), 4 no such lease."})
public final class ExecCommand extends ClientCommand {
    private static final byte STDOUT = 1;
    private static final byte STDERR = 2;

    @Parameters(index = "0", paramLabel = "ID")
    String id;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "CMD", description = "The command and its arguments (after --).")
    List<String> command;

    /** Where the bytes go: the process's own streams, unbuffered by any character encoding. */
    private final OutputStream stdout = System.out;
    private final OutputStream stderr = System.err;

    private record Ended(int code, String reason, OptionalInt status, String endedReason, String errorCode, String errorMessage) {}

    @Override
    protected int run(ServiceClient client) {
        StringBuilder path = new StringBuilder("/ws/exec/" + encoded(id) + "?");
        command.forEach(arg -> path.append("command=").append(encoded(arg)).append('&'));
        path.setLength(path.length() - 1);
        Listener listener = new Listener();
        WebSocket socket = client.openSocket(path.toString(), listener, "the command");
        Ended ended;
        try {
            ended = listener.heartbeat.await(listener.ended, socket::abort,
                    new Ended(-1, "no word from the server", OptionalInt.empty(), null, null, null));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            socket.abort();
            return ClientFailure.REFUSED;
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
        flush();
        if (ended.status().isPresent()) {
            return ended.status().getAsInt();
        }
        if (ended.endedReason() != null) {
            err().println("the lease has ended (" + ended.endedReason() + ")");
            return ClientFailure.REFUSED;
        }
        if (ended.code() >= 4400 && ended.code() < 4600) {
            String code = ended.errorCode() != null ? ended.errorCode() : ended.reason();
            if (ended.code() == 4404) {
                throw new ClientFailure(ClientFailure.NOT_FOUND, code, "no lease " + id);
            }
            throw new ClientFailure(ClientFailure.REFUSED, code, ended.errorMessage() != null ? ended.errorMessage() : "the server refused the command");
        }
        if (ended.code() == 1000) {
            err().println("the command ended without an exit status");
            return ClientFailure.REFUSED;
        }
        throw new ClientFailure(ClientFailure.UNREACHABLE, null, "the connection broke (" + ended.reason() + "); the command may still be running");
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
        final CompletableFuture<Ended> ended = new CompletableFuture<>();
        /** The stream the current message goes to (its first byte; a long message may come in parts). */
        private OutputStream current;
        private OptionalInt status = OptionalInt.empty();
        private String endedReason;
        private String errorCode;
        private String errorMessage;

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
            JsonNode frame = ServiceClient.parse(raw);
            switch (frame.path("type").asText()) {
                case "exit" -> status = frame.path("code").isInt() ? OptionalInt.of(frame.path("code").asInt()) : OptionalInt.empty();
                case "ended" -> endedReason = frame.path("reason").asText("ended");
                case "error" -> {
                    errorCode = frame.path("code").asText();
                    errorMessage = frame.path("message").asText();
                }
                default -> { }
            }
        }

        @Override
        void disconnected(int code, String reason) {
            ended.complete(new Ended(code, reason, status, endedReason, errorCode, errorMessage));
        }
    }
}
