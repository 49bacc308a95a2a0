package io.containerlease.api.access;

import io.containerlease.api.support.ApiException;
import io.containerlease.api.support.Json;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.util.Collections;
import java.util.Enumeration;
import java.util.Map;

/**
 * Every WebSocket upgrade (but Socket.IO's) passes {@link RequestGuard#upgrade} here, before Javalin begins it: Javalin
 * reads the query and the HTTP session as an upgrade starts, so a query it cannot decode was a 500,
 * and a refusal came with an empty body and a session cookie (10,000 refused tries held 14 MB of
 * sessions). A refused upgrade is answered here like any refused request, with its status and JSON
 * error body; an accepted one goes on with a request that has no session to give (WebSockets need
 * none), so no upgrade ever makes one.
 */
public final class UpgradeFilter implements Filter {
    private final RequestGuard guard;

    public UpgradeFilter(RequestGuard guard) {
        this.guard = guard;
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        HttpServletRequest req = (HttpServletRequest) request;
        HttpServletResponse res = (HttpServletResponse) response;
        // Socket.IO's servlet authenticates in its own handshake.
        if (!"websocket".equalsIgnoreCase(req.getHeader("Upgrade"))
                || req.getRequestURI().startsWith("/socket.io/")) {
            chain.doFilter(request, response);
            return;
        }
        try {
            if (!"GET".equals(req.getMethod())) {
                throw ApiException.badRequest("bad_request", "a WebSocket upgrade is a GET request");
            }
            guard.upgrade(req, res);
        } catch (ApiException e) {
            byte[] body =
                    Json.MAPPER.writeValueAsBytes(Map.of("error", Map.of("code", e.code(), "message", e.getMessage())));
            res.setStatus(e.status());
            res.setContentType("application/json");
            res.setContentLength(body.length);
            res.getOutputStream().write(body);
            return;
        }
        chain.doFilter(new WithoutSession(req), response);
    }

    /** The upgrade request, with no session to give: asked for one, it hands an empty one that is never stored. */
    private static final class WithoutSession extends HttpServletRequestWrapper {
        WithoutSession(HttpServletRequest request) {
            super(request);
        }

        @Override
        public HttpSession getSession() {
            return new EmptySession(getServletContext());
        }

        @Override
        public HttpSession getSession(boolean create) {
            return create ? getSession() : null;
        }
    }

    /** A session of nothing, kept nowhere: what Javalin reads its attributes from during an upgrade. */
    private record EmptySession(ServletContext context) implements HttpSession {
        @Override
        public long getCreationTime() {
            return 0;
        }

        @Override
        public String getId() {
            return "";
        }

        @Override
        public long getLastAccessedTime() {
            return 0;
        }

        @Override
        public ServletContext getServletContext() {
            return context;
        }

        @Override
        public void setMaxInactiveInterval(int interval) {
            // kept nowhere
        }

        @Override
        public int getMaxInactiveInterval() {
            return 0;
        }

        @Override
        public Object getAttribute(String name) {
            return null;
        }

        @Override
        public Enumeration<String> getAttributeNames() {
            return Collections.emptyEnumeration();
        }

        @Override
        public void setAttribute(String name, Object value) {
            throw new UnsupportedOperationException("a WebSocket upgrade has no HTTP session");
        }

        @Override
        public void removeAttribute(String name) {
            // nothing is there
        }

        @Override
        public void invalidate() {
            // nothing to end
        }

        @Override
        public boolean isNew() {
            return true;
        }
    }
}
