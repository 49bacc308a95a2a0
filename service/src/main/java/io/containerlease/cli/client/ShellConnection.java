package io.containerlease.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One connection to {@code /ws/terminal/{id}}: the shell's bytes go to the local terminal and are
 * counted (a reconnect asks for what follows the last byte received), control frames are kept for
 * the caller, and {@link #closed()} completes once, however the connection ends.
 */
final class ShellConnection extends SocketListener {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final LocalTerminal terminal;
    private final Consumer<String> note;
    private final CompletableFuture<String> session = new CompletableFuture<>();
    private final CompletableFuture<ServerEnd.Closed> closed = new CompletableFuture<>();
    private final ServerEnd end = new ServerEnd();
    private volatile long offset;
    /** Output before this offset is a replay of what the shell wrote earlier. */
    private long liveFrom;

    private WebSocket socket;

    /** @param offset the offset asked for, until the server says where its bytes start */
    ShellConnection(LocalTerminal terminal, long offset, Consumer<String> note) {
        this.terminal = terminal;
        this.offset = offset;
        this.note = note;
    }

    void opened(WebSocket socket) {
        this.socket = socket;
    }

    /** The session id, once the server has announced it (the connection is then live). */
    CompletableFuture<String> session() {
        return session;
    }

    CompletableFuture<ServerEnd.Closed> closed() {
        return closed;
    }

    /** How it ended; a connection from which the server fell silent is ended here (and made again by the caller). */
    ServerEnd.Closed awaitEnd() throws InterruptedException, ExecutionException {
        heartbeat.await(closed, this::abort, null); // a silent server: aborted, which ends it too
        return closed.join();
    }

    /** Bytes of output received so far, counted from the shell's first. */
    long offset() {
        return offset;
    }

    /** Sends what was typed; false when the connection cannot take it (it is ending). */
    synchronized boolean send(byte[] bytes) {
        return sent(() -> socket.sendBinary(ByteBuffer.wrap(bytes), true));
    }

    synchronized boolean resize(int cols, int rows) {
        String message;
        try {
            message = JSON.writeValueAsString(Map.of("type", "resize", "cols", cols, "rows", rows));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return sent(() -> socket.sendText(message, true));
    }

    /** One send at a time (the JDK's WebSocket refuses overlapping ones), each waited for. */
    private boolean sent(java.util.function.Supplier<CompletableFuture<WebSocket>> send) {
        if (socket == null || closed.isDone()) {
            return false;
        }
        try {
            send.get().get(10, TimeUnit.SECONDS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (Exception e) {
            socket.abort(); // a send that cannot finish means a dead connection: end it, so it is made again
            return false;
        }
    }

    void abort() {
        if (socket != null) {
            socket.abort();
        }
        finish(-1, "aborted");
    }

    @Override
    void binary(ByteBuffer data, boolean last) {
        byte[] bytes = new byte[data.remaining()];
        data.get(bytes);
        // A replay is drawn but not answered: the shell asked its questions then, and has had its answers.
        byte[] shown = offset < liveFrom ? withoutQueries(bytes) : bytes;
        terminal.write(shown, 0, shown.length);
        offset += bytes.length;
    }

    /** Terminal queries (cursor position, status, device attributes), which a terminal answers by typing. */
    private static final java.util.regex.Pattern QUERY = java.util.regex.Pattern.compile("\u001b\\[[?>]?[0-9;]*[nc]");

    static byte[] withoutQueries(byte[] bytes) {
        String text = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1); // byte for byte
        return QUERY.matcher(text).replaceAll("").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    @Override
    void text(String raw) {
        JsonNode frame = ServiceClient.parse(raw);
        if (frame.isNull()) {
            return;
        }
        switch (frame.path("type").asText()) {
            case "session" -> {
                offset = frame.path("offset").asLong(offset);
                liveFrom = frame.path("liveFrom").asLong(offset);
                session.complete(frame.path("sessionId").asText());
            }
            case "gap" -> note.accept("earlier output is no longer held by the service");
            default -> {
                end.take(frame);
                if (frame.path("type").asText().equals("error") && session.isDone()) {
                    note.accept(frame.path("message")
                            .asText()); // (before the session, an error is a refusal: the close says it)
                }
            }
        }
    }

    @Override
    void disconnected(int code, String reason) {
        finish(code, reason);
    }

    private void finish(int code, String reason) {
        closed.complete(end.closed(code, reason));
        session.completeExceptionally(new IllegalStateException("closed before the session began"));
    }
}
