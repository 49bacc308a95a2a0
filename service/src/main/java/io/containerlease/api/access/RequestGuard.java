package io.containerlease.api.access;

import io.containerlease.api.support.ApiException;
import io.containerlease.api.support.RequestPaths;
import io.containerlease.auth.Authenticator;
import io.containerlease.auth.Credential;
import io.containerlease.auth.WsTickets;
import io.containerlease.config.ServiceConfig;
import io.containerlease.lease.Caller;
import io.javalin.http.Context;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What every request passes before it reaches a route, in this order: its Host must be one of
 * ours (DNS rebinding), the client must be under its rate limit (before authentication, so guessing
 * tokens is limited too), then it must say who it is. WebSocket upgrades also need an allowed Origin
 * (cross-site WebSocket hijacking) and may authenticate with a single-use ticket instead of a header.
 */
public final class RequestGuard {
    public static final String CALLER = "containerlease.caller";
    /** The caller and the token it came with, for connections that outlive their request (revocation ends them). */
    public static final String CREDENTIAL = "containerlease.credential";

    public static final String CLIENT = "containerlease.client";

    private final ServiceConfig config;
    private final Optional<Authenticator> tokens;
    private final WsTickets tickets;
    private final RequestLimiter limiter;
    private final List<String> allowedHosts;

    public RequestGuard(
            ServiceConfig config, Optional<Authenticator> tokens, WsTickets tickets, RequestLimiter limiter) {
        this.config = config;
        this.tokens = tokens;
        this.tickets = tickets;
        this.limiter = limiter;
        this.allowedHosts = allowedHosts(config);
    }

    /** What the guard reads of a request, and where it leaves what it found: a Javalin context, or an upgrade before Javalin. */
    private interface Incoming {
        String header(String name);

        String queryParam(String name);

        String rawPath();

        String rawQuery();

        String remoteAddr();

        void attribute(String key, Object value);

        void responseHeader(String name, String value);
    }

    private static Incoming of(Context ctx) {
        return new Incoming() {
            public String header(String name) {
                return ctx.header(name);
            }

            public String queryParam(String name) {
                return ctx.queryParam(name);
            }

            public String rawPath() {
                return ctx.req().getRequestURI();
            }

            public String rawQuery() {
                return ctx.req().getQueryString();
            }

            public String remoteAddr() {
                return ctx.req().getRemoteAddr();
            }

            public void attribute(String key, Object value) {
                ctx.attribute(key, value);
            }

            public void responseHeader(String name, String value) {
                ctx.header(name, value);
            }
        };
    }

    private static Incoming of(HttpServletRequest req, HttpServletResponse res) {
        return new Incoming() {
            public String header(String name) {
                return req.getHeader(name);
            }

            public String queryParam(String name) {
                return req.getParameter(name);
            }

            public String rawPath() {
                return req.getRequestURI();
            }

            public String rawQuery() {
                return req.getQueryString();
            }

            public String remoteAddr() {
                return req.getRemoteAddr();
            }

            public void attribute(String key, Object value) {
                req.setAttribute(key, value);
            }

            public void responseHeader(String name, String value) {
                res.setHeader(name, value);
            }
        };
    }

    /** For plain HTTP requests. */
    public void http(Context ctx) {
        Incoming in = of(ctx);
        common(in);
        if (ctx.path().startsWith("/api/") && !RequestPaths.isApiDescription(ctx.path())) {
            identify(in, authenticate(in, false));
        }
    }

    /**
     * For WebSocket upgrades, before Javalin sees them ({@link UpgradeFilter}): a refusal here is
     * answered by the filter with the error body, and no upgrade (nor session) is begun.
     *
     * @throws ApiException for a refused upgrade
     */
    public void upgrade(HttpServletRequest req, HttpServletResponse res) {
        Incoming in = of(req, res);
        common(in);
        checkOrigin(in);
        identify(in, authenticate(in, true));
    }

    /** Javalin's own step before an upgrade: the filter has identified the caller already (a safety net should it not have run). */
    public void webSocket(Context ctx) {
        if (ctx.attribute(CREDENTIAL) == null) {
            throw new ApiException(
                    401, "unauthorized", "send Authorization: Bearer <token>, or ?ticket= from POST /api/ws-ticket");
        }
    }

    private static void identify(Incoming in, Credential credential) {
        in.attribute(CREDENTIAL, credential);
        in.attribute(CALLER, credential.caller());
    }

    public static Caller caller(Context ctx) {
        return ctx.attribute(CALLER);
    }

    public static Credential credential(Context ctx) {
        return ctx.attribute(CREDENTIAL);
    }

    /** Whether the token behind a long-lived connection still names its caller; always true without tokens. */
    public boolean stillValid(Credential credential) {
        return tokens.map(t -> t.stillValid(credential)).orElse(true);
    }

    public static String client(Context ctx) {
        return ctx.attribute(CLIENT);
    }

    private void common(Incoming in) {
        RequestPaths.requireDecodable(in.rawPath());
        RequestPaths.requireDecodableQuery(in.rawQuery());
        checkHost(in);
        String client = ClientAddress.resolve(in.remoteAddr(), in.header("X-Forwarded-For"), config.trustedProxies());
        in.attribute(CLIENT, client);
        OptionalLong wait = limiter.acquire(client);
        if (wait.isPresent()) {
            in.responseHeader("Retry-After", Long.toString(Math.max(1, wait.getAsLong())));
            throw new ApiException(
                    429,
                    "rate_limited",
                    "too many requests from " + client + "; the limit is " + config.rateLimitPerMinute()
                            + " a minute (RATE_LIMIT_PER_MINUTE)");
        }
    }

    private Credential authenticate(Incoming ctx, boolean allowTicket) {
        if (config.auth() == ServiceConfig.AuthMode.OFF) {
            return Credential.ANONYMOUS;
        }
        String header = ctx.header("Authorization");
        if (header != null) {
            if (!header.regionMatches(true, 0, "Bearer ", 0, 7) || header.length() > 7 + 1024) {
                throw new ApiException(401, "unauthorized", "the Authorization header must be 'Bearer <token>'");
            }
            return tokens.orElseThrow()
                    .credential(header.substring(7).trim())
                    .orElseThrow(() -> new ApiException(401, "invalid_token", "the token is not valid"));
        }
        if (allowTicket && ctx.queryParam("ticket") != null) {
            return redeem(ctx.queryParam("ticket"))
                    .orElseThrow(() -> new ApiException(
                            401,
                            "invalid_ticket",
                            "the ticket is unknown, used, expired or its token was revoked; "
                                    + "get a new one from POST /api/ws-ticket"));
        }
        throw new ApiException(
                401,
                "unauthorized",
                allowTicket
                        ? "send Authorization: Bearer <token>, or ?ticket= from POST /api/ws-ticket"
                        : "send Authorization: Bearer <token>");
    }

    /** Whether a request addressed to this Host header is for us (DNS rebinding). */
    public boolean hostAllowed(String hostHeader) {
        if (allowedHosts.contains("*")) {
            return true;
        }
        String host = hostName(hostHeader);
        return host != null && allowedHosts.contains(host);
    }

    /** Whether a browser page from this origin may open a socket here: our own origin, or one of ALLOWED_ORIGINS. */
    public boolean originAllowed(String origin, String hostHeader) {
        return origin == null
                || sameOrigin(origin, hostHeader)
                || config.allowedOrigins().contains("*")
                || config.allowedOrigins().contains(origin);
    }

    /**
     * The rate limit for a client the HTTP layer cannot see (a Socket.IO command, counted by its
     * user): the same RATE_LIMIT_PER_MINUTE as every HTTP client.
     *
     * @throws ApiException 429 {@code rate_limited} past it
     */
    public void limit(String client) {
        if (limiter.acquire(client).isPresent()) {
            throw new ApiException(
                    429,
                    "rate_limited",
                    "too many requests from " + client + "; the limit is " + config.rateLimitPerMinute()
                            + " a minute (RATE_LIMIT_PER_MINUTE)");
        }
    }

    /** A caller from a bearer token or a single-use ticket (for clients that cannot send headers). */
    public Optional<Credential> authenticate(String token, String ticket) {
        if (config.auth() == ServiceConfig.AuthMode.OFF) {
            return Optional.of(Credential.ANONYMOUS);
        }
        if (token != null && !token.isBlank() && token.length() <= 1024) {
            return tokens.orElseThrow().credential(token.trim());
        }
        if (ticket != null && !ticket.isBlank()) {
            return redeem(ticket);
        }
        return Optional.empty();
    }

    /** A ticket's credential, if the token it was issued to is still valid now (a revoked user's tickets die with it). */
    private Optional<Credential> redeem(String ticket) {
        return tickets.redeem(ticket).filter(this::stillValid);
    }

    private void checkHost(Incoming ctx) {
        if (!hostAllowed(ctx.header("Host"))) {
            throw new ApiException(
                    403,
                    "host_not_allowed",
                    "requests must be addressed to one of " + allowedHosts
                            + "; add this host name to ALLOWED_HOSTS if it is yours");
        }
    }

    private void checkOrigin(Incoming ctx) {
        String origin = ctx.header("Origin");
        // No Origin: not a browser; it authenticates like any API client. The service's own origin is
        // always allowed; ALLOWED_ORIGINS only adds to it.
        if (!originAllowed(origin, ctx.header("Host"))) {
            throw new ApiException(
                    403,
                    "origin_not_allowed",
                    "WebSocket connections from origin " + origin
                            + " are not allowed (only this service's own origin and ALLOWED_ORIGINS are); add it to ALLOWED_ORIGINS");
        }
    }

    private static boolean sameOrigin(String origin, String host) {
        try {
            URI uri = URI.create(origin);
            String authority = uri.getAuthority();
            return authority != null && host != null && authority.equalsIgnoreCase(host);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The Host header without its port, lower-cased; IPv6 stays in brackets. */
    public static String hostName(String header) {
        if (header == null || header.isBlank()) {
            return null;
        }
        String h = header.trim().toLowerCase(Locale.ROOT);
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            return end < 0 ? null : h.substring(0, end + 1);
        }
        int colon = h.indexOf(':');
        return colon < 0 ? h : h.substring(0, colon);
    }

    private static List<String> allowedHosts(ServiceConfig config) {
        if (!config.allowedHosts().isEmpty()) {
            return config.allowedHosts().stream()
                    .map(h -> h.toLowerCase(Locale.ROOT))
                    .toList();
        }
        List<String> hosts = new ArrayList<>(List.of("localhost", "127.0.0.1", "[::1]"));
        String own = config.host().toLowerCase(Locale.ROOT);
        if (!own.equals("0.0.0.0") && !own.equals("::") && !own.equals("[::]")) {
            hosts.add(own.contains(":") && !own.startsWith("[") ? "[" + own + "]" : own);
        }
        return hosts.stream().distinct().toList();
    }
}
