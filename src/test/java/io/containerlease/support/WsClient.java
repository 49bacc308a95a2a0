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
import java.util.function.Predicate;

/** A WebSocket client for tests: keeps every text frame (as JSON) and all binary bytes, in order. */
public final class WsClient implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    public final List<JsonNode> texts = new CopyOnWriteArrayList<>();
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final StringBuilder partialText = new StringBuilder();
    public final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final WebSocket socket;
    /** When false, the client stops asking for frames: a reader that fell behind. */
    private volatile boolean reading = true;

    private WsClient(String url, java.util.Map<String, String> headers) {
        var builder = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10));
        headers.forEach(builder::header);
        socket = builder.buildAsync(URI.create(url), new Listener()).join();
    }

    /** Connects to {@code ws://…} built from an {@code http://} base URL. */
    public static WsClient connect(String httpBase, String path) {
        return connect(httpBase, path, java.util.Map.of());
    }

    public static WsClient connect(String httpBase, String path, java.util.Map<String, String> headers) {
        return new WsClient(httpBase.replaceFirst("^http", "ws") + path, headers);
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
        socket.sendBinary(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), true).join();
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
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partialText.append(data);
            if (last) {
                try {
                    texts.add(JSON.readTree(partialText.toString()));
                } catch (Exception e) {
                    texts.add(JSON.getNodeFactory().textNode(partialText.toString()));
                }
                partialText.setLength(0);
            }
            if (reading) {
                ws.request(1);
            }
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            synchronized (WsClient.this) {
                byte[] chunk = new byte[data.remaining()];
                data.get(chunk);
                bytes.writeBytes(chunk);
            }
            if (reading) {
                ws.request(1);
            }
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
