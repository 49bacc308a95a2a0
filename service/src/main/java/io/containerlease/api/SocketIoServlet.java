package io.containerlease.api;

import io.socket.engineio.server.EngineIoServer;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.eclipse.jetty.ee10.websocket.server.JettyWebSocketServlet;
import org.eclipse.jetty.ee10.websocket.server.JettyWebSocketServletFactory;

/**
 * {@code /socket.io/*} on the service's own Jetty, beside Javalin: Engine.IO's long-polling requests
 * go to its handler, WebSocket upgrades to a {@link SocketIoWebSocket}. Javalin's before-handlers do
 * not run here: the gateway checks Host, Origin and the caller itself, in the handshake.
 */
public final class SocketIoServlet extends JettyWebSocketServlet {
    /**
     * Socket.IO carries messages for a lease's program (up to a channel frame) and code archives as
     * binary attachments, so its frames may be larger than the other sockets'; archives beyond this
     * go through {@code PUT …/code}.
     */
    static final long MAX_MESSAGE_BYTES = 2L << 20;
    private final transient EngineIoServer engine;

    SocketIoServlet(EngineIoServer engine) {
        this.engine = engine;
    }

    @Override
    protected void configure(JettyWebSocketServletFactory factory) {
        factory.setIdleTimeout(ApiServer.WS_IDLE_TIMEOUT);
        factory.setMaxTextMessageSize(MAX_MESSAGE_BYTES);
        factory.setMaxBinaryMessageSize(MAX_MESSAGE_BYTES);
        factory.setCreator((request, response) -> new SocketIoWebSocket(engine, request.getParameterMap(), request.getHeaders()));
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws ServletException, IOException {
        if ("websocket".equalsIgnoreCase(request.getHeader("Upgrade"))) {
            super.service(request, response);
        } else {
            engine.handleRequest(request, response);
        }
    }
}
