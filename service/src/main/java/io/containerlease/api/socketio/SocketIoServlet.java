package io.containerlease.api.socketio;

import io.containerlease.api.access.RequestGuard;
import io.containerlease.api.support.Json;
import io.socket.engineio.server.EngineIoServer;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.eclipse.jetty.ee10.websocket.server.JettyWebSocketServlet;
import org.eclipse.jetty.ee10.websocket.server.JettyWebSocketServletFactory;

/**
 * {@code /socket.io/*} on the service's own Jetty, beside Javalin: Engine.IO's long-polling requests
 * go to its handler, WebSocket upgrades to a {@link SocketIoWebSocket}. Javalin's before-handlers do
 * not run here: Host and Origin are checked here (a refusal is a 403 with the API's error body), the
 * caller by the gateway, in the handshake. A long-polling body is read here first, bounded, and
 * refused when it nests deeper than any command needs, before Socket.IO's parser recurses into it.
 */
public final class SocketIoServlet extends JettyWebSocketServlet {
    /**
     * Socket.IO carries messages for a lease's program (up to a channel frame) and code archives as
     * binary attachments, so its frames may be larger than the other sockets'; archives beyond this
     * go through {@code PUT …/code}.
     */
    public static final long MAX_MESSAGE_BYTES = 2L << 20;

    private final transient EngineIoServer engine;
    private final transient RequestGuard guard;
    private final Duration idleTimeout;

    public SocketIoServlet(EngineIoServer engine, RequestGuard guard, Duration idleTimeout) {
        this.engine = engine;
        this.guard = guard;
        this.idleTimeout = idleTimeout;
    }

    @Override
    protected void configure(JettyWebSocketServletFactory factory) {
        factory.setIdleTimeout(idleTimeout);
        factory.setMaxTextMessageSize(MAX_MESSAGE_BYTES);
        factory.setMaxBinaryMessageSize(MAX_MESSAGE_BYTES);
        factory.setCreator(
                (request, response) -> new SocketIoWebSocket(engine, request.getParameterMap(), request.getHeaders()));
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response)
            throws ServletException, IOException {
        String host = request.getHeader("Host");
        if (!guard.hostAllowed(host)) {
            refuse(
                    response,
                    403,
                    "host_not_allowed",
                    "requests must be addressed to one of this service's host names (ALLOWED_HOSTS)");
        } else if (!guard.originAllowed(request.getHeader("Origin"), host)) {
            refuse(
                    response,
                    403,
                    "origin_not_allowed",
                    "Socket.IO connections from this origin are not allowed "
                            + "(only this service's own origin and ALLOWED_ORIGINS are)");
        } else if ("websocket".equalsIgnoreCase(request.getHeader("Upgrade"))) {
            super.service(request, response);
        } else if ("POST".equals(request.getMethod())) {
            byte[] body;
            try (InputStream in = request.getInputStream()) {
                body = in.readNBytes((int) MAX_MESSAGE_BYTES + 1);
            }
            if (body.length > MAX_MESSAGE_BYTES) {
                refuse(
                        response,
                        413,
                        "payload_too_large",
                        "a long-polling body may be at most " + MAX_MESSAGE_BYTES / 1024 + " KiB");
            } else if (Json.nestsTooDeep(new String(body, StandardCharsets.UTF_8))) {
                refuse(
                        response,
                        400,
                        "too_deep",
                        "a message may nest arrays and objects at most " + Json.MAX_DEPTH + " levels deep");
            } else {
                engine.handleRequest(new ReadBody(request, body), response);
            }
        } else {
            engine.handleRequest(request, response);
        }
    }

    private static void refuse(HttpServletResponse response, int status, String code, String message)
            throws IOException {
        byte[] body = Json.MAPPER.writeValueAsBytes(Map.of("error", Map.of("code", code, "message", message)));
        response.setStatus(status);
        response.setContentType("application/json");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }

    /** A request whose body was read already: Engine.IO reads it again from here. */
    private static final class ReadBody extends HttpServletRequestWrapper {
        private final byte[] body;

        ReadBody(HttpServletRequest request, byte[] body) {
            super(request);
            this.body = body;
        }

        @Override
        public int getContentLength() {
            return body.length;
        }

        @Override
        public long getContentLengthLong() {
            return body.length;
        }

        @Override
        public ServletInputStream getInputStream() {
            var in = new ByteArrayInputStream(body);
            return new ServletInputStream() {
                @Override
                public boolean isFinished() {
                    return in.available() == 0;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    try {
                        listener.onDataAvailable();
                        listener.onAllDataRead();
                    } catch (IOException e) {
                        listener.onError(e);
                    }
                }

                @Override
                public int read() {
                    return in.read();
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    return in.read(b, off, len);
                }
            };
        }

        @Override
        public BufferedReader getReader() {
            return new BufferedReader(new InputStreamReader(getInputStream(), StandardCharsets.UTF_8));
        }
    }
}
