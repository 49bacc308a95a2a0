package io.containerlease.bench;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/** A bare WebSocket client for measuring: counts binary bytes and hands text frames to a consumer. */
final class WsProbe implements AutoCloseable {
    private final WebSocket socket;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    WsProbe(String url, Consumer<String> onText) {
        this(url, onText, true);
    }

    /** A reader that takes one frame and then stops reading: the slowest client there is. */
    static WsProbe stalled(String url) {
        return new WsProbe(url, text -> {}, false);
    }

    private WsProbe(String url, Consumer<String> onText, boolean reading) {
        socket = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
                .buildAsync(URI.create(url), new WebSocket.Listener() {
                    private final StringBuilder text = new StringBuilder();

                    @Override
                    public void onOpen(WebSocket ws) {
                        // Unbounded demand: a measuring reader must never be the one holding frames back.
                        ws.request(reading ? Long.MAX_VALUE : 1);
                    }

                    @Override
                    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                        text.append(data);
                        if (last) {
                            onText.accept(text.toString());
                            text.setLength(0);
                        }
                        return null;
                    }

                    @Override
                    public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
                        synchronized (bytes) {
                            byte[] chunk = new byte[data.remaining()];
                            data.get(chunk);
                            bytes.writeBytes(chunk);
                            bytes.notifyAll();
                        }
                        return null;
                    }
                }).join();
    }

    void send(byte[] data) {
        socket.sendBinary(ByteBuffer.wrap(data), true).join();
    }

    /** Waits until at least {@code length} bytes have arrived. */
    void awaitBytes(int length, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (bytes) {
            while (bytes.size() < length) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IllegalStateException("only " + bytes.size() + " of " + length + " bytes within " + timeout);
                }
                bytes.wait(Math.max(1, left / 1_000_000));
            }
        }
    }

    int received() {
        synchronized (bytes) {
            return bytes.size();
        }
    }

    @Override
    public void close() {
        socket.abort();
    }
}
