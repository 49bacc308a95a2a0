package io.containerlease.api.socketio;

import io.containerlease.api.support.Json;
import io.socket.engineio.server.EngineIoServer;
import io.socket.engineio.server.EngineIoWebSocket;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;

/**
 * One Engine.IO WebSocket on Jetty 12's WebSocket API: what the Socket.IO library reads and writes,
 * carried by a Jetty session. Public: Jetty instantiates endpoints reflectively.
 */
public final class SocketIoWebSocket extends EngineIoWebSocket implements Session.Listener.AutoDemanding {
    private final EngineIoServer engine;
    private final Map<String, String> query = new LinkedHashMap<>();
    private final Map<String, List<String>> headers;
    private volatile Session session;

    public SocketIoWebSocket(
            EngineIoServer engine, Map<String, List<String>> parameters, Map<String, List<String>> headers) {
        this.engine = engine;
        parameters.forEach((name, values) -> query.put(name, values.isEmpty() ? "" : values.get(0)));
        this.headers = Map.copyOf(headers);
    }

    @Override
    public void onWebSocketOpen(Session opened) {
        session = opened;
        engine.handleWebSocket(this);
    }

    /** A message nested deeper than any command needs is refused before Socket.IO's parser recurses into it. */
    @Override
    public void onWebSocketText(String message) {
        if (Json.nestsTooDeep(message)) {
            session.close(1008, "a message nested deeper than " + Json.MAX_DEPTH + " levels", Callback.NOOP);
            return;
        }
        emit("message", message);
    }

    @Override
    public void onWebSocketBinary(ByteBuffer payload, Callback callback) {
        byte[] bytes = new byte[payload.remaining()];
        payload.get(bytes);
        emit("message", (Object) bytes);
        callback.succeed();
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason) {
        emit("close");
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        emit("error", "write error", String.valueOf(cause.getMessage()));
    }

    @Override
    public Map<String, String> getQuery() {
        return query;
    }

    @Override
    public Map<String, List<String>> getConnectionHeaders() {
        return headers;
    }

    @Override
    public void write(String message) {
        session.sendText(message, Callback.NOOP);
    }

    @Override
    public void write(byte[] message) {
        session.sendBinary(ByteBuffer.wrap(message), Callback.NOOP);
    }

    @Override
    public void close() {
        Session s = session;
        if (s != null) {
            s.close();
        }
    }
}
