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
    private final transient EngineIoServer engine;

    SocketIoServlet(EngineIoServer engine) {
        this.engine = engine;
    }

    @Override
    protected void configure(JettyWebSocketServletFactory factory) {
        factory.setIdleTimeout(ApiServer.WS_IDLE_TIMEOUT);
        factory.setMaxTextMessageSize(ApiServer.WS_MAX_MESSAGE_BYTES);
        factory.setMaxBinaryMessageSize(ApiServer.WS_MAX_MESSAGE_BYTES);
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
