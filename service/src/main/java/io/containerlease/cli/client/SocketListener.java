package io.containerlease.cli.client;

import java.io.IOException;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletionStage;

/**
 * What every client socket does with what the server sends: notes that it heard from the server
 * (a frame or a ping, see {@link Heartbeat}), joins a text message's parts, and asks for the next frame.
 */
abstract class SocketListener implements WebSocket.Listener {
    final Heartbeat heartbeat = new Heartbeat();
    private final StringBuilder text = new StringBuilder();

    /** A whole text frame. */
    abstract void text(String frame);

    /** Part of a binary frame ({@code last}: its end). A failure to pass it on ends the connection. */
    void binary(ByteBuffer data, boolean last) throws IOException {}

    /** The connection ended: the close's code and reason, or -1 and what broke it. */
    abstract void disconnected(int code, String reason);

    @Override
    public CompletionStage<?> onPing(WebSocket ws, ByteBuffer message) {
        heartbeat.heard();
        return WebSocket.Listener.super.onPing(ws, message);
    }

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
        heartbeat.heard();
        text.append(data);
        if (last) {
            String frame = text.toString();
            text.setLength(0);
            text(frame);
        }
        ws.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
        heartbeat.heard();
        try {
            binary(data, last);
        } catch (IOException e) {
            ws.abort(); // nobody takes what the server sends any more
        }
        ws.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
        disconnected(statusCode, reason);
        return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
        disconnected(-1, String.valueOf(error.getMessage()));
    }
}
