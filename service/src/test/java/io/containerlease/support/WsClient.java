package io.containerlease.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A WebSocket client for the tests and the bench: keeps every text frame (as JSON) and all binary
 * bytes, in order; or, for measuring, hands text frames to a consumer as they come and reads as fast
 * as it can; or reads one frame and then nothing, the slowest client there is.
 */
public final class WsClient implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    public final List<JsonNode> texts = new CopyOnWriteArrayList<>();
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final StringBuilder partialText = new StringBuilder();
    public final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final WebSocket socket;
    /** When false, the client stops asking for frames: a reader that fell behind. */
    private volatile boolean reading = true;
    /** Where text frames go instead of {@link #texts}; null keeps them. */
    private final Consumer<String> textSink;
    /** Frames asked for at the start. */
    private final long initialDemand;
    /** Asks for one more frame after each (and can stop reading); streaming and stalled readers asked once, at the start. */
    private final boolean frameByFrame;

    private WsClient(
            String url,
            java.util.Map<String, String> headers,
            Consumer<String> textSink,
            long initialDemand,
            boolean frameByFrame) {
        this.textSink = textSink;
        this.initialDemand = initialDemand;
        this.frameByFrame = frameByFrame;
        var builder = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10));
        headers.forEach(builder::header);
        socket = builder.buildAsync(URI.create(url), new Listener()).join();
    }

    /** A reader that never holds frames back and keeps no text: each text frame goes to {@code onText}. */
    public static WsClient streaming(String wsUrl, Consumer<String> onText) {
        return new WsClient(wsUrl, java.util.Map.of(), onText, Long.MAX_VALUE, false);
    }

    /** A reader that takes one frame and then stops reading. */
    public static WsClient stalled(String wsUrl) {
        return new WsClient(wsUrl, java.util.Map.of(), text -> {}, 1, false);
    }

    /** Connects to {@code ws://…} built from an {@code http://} base URL. */
    public static WsClient connect(String httpBase, String path) {
        return connect(httpBase, path, java.util.Map.of());
    }

    public static WsClient connect(String httpBase, String path, java.util.Map<String, String> headers) {
        return new WsClient(httpBase.replaceFirst("^http", "ws") + path, headers, null, 1, true);
    }

    /** The HTTP status of an upgrade the server refused, or 101 when it accepted (the socket is then closed). */
    public static int upgradeStatus(String httpBase, String path, java.util.Map<String, String> headers) {
        try (WsClient ws = connect(httpBase, path, headers)) {
            return 101;
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof java.net.http.WebSocketHandshakeException h) {
                return h.getResponse().statusCode();
            }
            throw e;
        }
    }

    public void sendBytes(String text) {
        socket.sendBinary(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), true)
                .join();
    }

    public void sendBytes(byte[] data) {
        socket.sendBinary(ByteBuffer.wrap(data), true).join();
    }

    /** Waits until at least {@code length} binary bytes have arrived. */
    public synchronized void awaitBytes(int length, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (bytes.size() < length) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("only " + bytes.size() + " of " + length + " bytes within " + timeout);
            }
            try {
                wait(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }

    private volatile CompletableFuture<Void> pong;

    /** Sends a ping and waits for its pong (the server answers without any application code). */
    public void ping(Duration timeout) {
        pong = new CompletableFuture<>();
        socket.sendPing(ByteBuffer.wrap(new byte[] {1})).join();
        try {
            pong.get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new AssertionError("no pong within " + timeout, e);
        }
    }

    public void sendText(String text) {
        socket.sendText(text, true).join();
    }

    public void stopReading() {
        reading = false;
    }

    public void resumeReading() {
        reading = true;
        socket.request(1);
    }

    public synchronized String output() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    public synchronized int outputLength() {
        return bytes.size();
    }

    /** Waits for the first text frame that matches, and returns it. */
    public JsonNode await(Predicate<JsonNode> match, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            for (JsonNode t : texts) {
                if (match.test(t)) {
                    return t;
                }
            }
            sleep();
        }
        throw new AssertionError("no matching frame within " + timeout + "; got " + texts);
    }

    public JsonNode awaitType(String type, Duration timeout) {
        return await(t -> type.equals(t.path("type").asText()), timeout);
    }

    /** Waits until the binary output contains {@code text}. */
    public String awaitOutput(String text, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (output().contains(text)) {
                return output();
            }
            sleep();
        }
        throw new AssertionError("output never contained " + text + "; got: " + output());
    }

    public int awaitClose(Duration timeout) {
        try {
            return closed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new AssertionError("not closed within " + timeout + "; frames: " + texts, e);
        }
    }

    /** Drops the connection without a close handshake, like a network failure. */
    public void abort() {
        socket.abort();
    }

    @Override
    public void close() {
        if (!socket.isOutputClosed()) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").exceptionally(e -> null);
        }
        socket.abort();
    }

    private static void sleep() {
        try {
            Thread.sleep(10);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private final class Listener implements WebSocket.Listener {
        @Override
        public void onOpen(WebSocket ws) {
            ws.request(initialDemand);
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partialText.append(data);
            if (last) {
                if (textSink != null) {
                    textSink.accept(partialText.toString());
                } else {
                    try {
                        texts.add(JSON.readTree(partialText.toString()));
                    } catch (Exception e) {
                        texts.add(JSON.getNodeFactory().textNode(partialText.toString()));
                    }
                }
                partialText.setLength(0);
            }
            askForMore(ws);
            return null;
        }

        private void askForMore(WebSocket ws) {
            if (frameByFrame && reading) {
                ws.request(1);
            }
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            synchronized (WsClient.this) {
                byte[] chunk = new byte[data.remaining()];
                data.get(chunk);
                bytes.writeBytes(chunk);
                WsClient.this.notifyAll();
            }
            askForMore(ws);
            return null;
        }

        @Override
        public CompletionStage<?> onPong(WebSocket ws, ByteBuffer message) {
            CompletableFuture<Void> waiting = pong;
            if (waiting != null) {
                waiting.complete(null);
            }
            askForMore(ws);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            closed.complete(-1);
        }
    }
}
