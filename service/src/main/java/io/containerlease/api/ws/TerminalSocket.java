package io.containerlease.api.ws;

import static net.logstash.logback.argument.StructuredArguments.kv;

import com.fasterxml.jackson.databind.JsonNode;
import io.containerlease.api.support.ApiException;
import io.containerlease.api.support.Json;
import io.containerlease.api.support.WsRefusal;
import io.containerlease.config.ImageCatalog;
import io.containerlease.containers.ContainerStates;
import io.containerlease.lease.ImageSpec;
import io.containerlease.lease.Lease;
import io.containerlease.lease.RuntimeUnavailableException;
import io.containerlease.session.LeaseEndedException;
import io.containerlease.session.SessionView;
import io.containerlease.session.TerminalSession;
import io.containerlease.session.TerminalSessions;
import io.containerlease.session.TooManySessionsException;
import io.javalin.websocket.WsBinaryMessageContext;
import io.javalin.websocket.WsContext;
import io.javalin.websocket.WsMessageContext;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code WS /ws/terminal/{id}}: a shell with a TTY. Binary frames carry raw bytes both ways; text
 * frames carry JSON control messages ({@code resize}, and {@code input} for text-only clients). The
 * server first sends {@code {type: "session", sessionId, offset}}; reconnecting with
 * {@code ?session=ID&offset=N} resumes the same shell after byte N.
 */
public final class TerminalSocket implements LeaseSocket.Endpoint {
    private static final Logger log = LoggerFactory.getLogger(TerminalSocket.class);
    public static final int MAX_DIMENSION = 1000;
    public static final int MAX_COMMAND_ARGS = 64;
    public static final int MAX_COMMAND_ARG = 4096;

    private final TerminalSessions terminals;
    private final SessionView sessions;
    private final ImageCatalog catalog;
    private final ContainerStates containers;

    public TerminalSocket(
            TerminalSessions terminals, SessionView sessions, ImageCatalog catalog, ContainerStates containers) {
        this.terminals = terminals;
        this.sessions = sessions;
        this.catalog = catalog;
        this.containers = containers;
    }

    /** A client attached to a shell; its messages are input and resizes. */
    private final class Connected implements LeaseSocket.Connection {
        private final Lease lease;
        private final TerminalSession session;
        private final TerminalSession.Client client;
        private final WsOutbox outbox;

        Connected(Lease lease, TerminalSession session, TerminalSession.Client client, WsOutbox outbox) {
            this.lease = lease;
            this.session = session;
            this.client = client;
            this.outbox = outbox;
        }

        Lease lease() {
            return lease;
        }

        TerminalSession session() {
            return session;
        }

        WsOutbox outbox() {
            return outbox;
        }

        @Override
        public void binary(WsBinaryMessageContext ctx) {
            input(this, ctx);
        }

        @Override
        public void text(WsMessageContext ctx) {
            control(this, ctx);
        }

        @Override
        public void close() {
            session.detach(client);
        }
    }

    @Override
    public Optional<LeaseSocket.Connection> open(WsContext ctx, Lease lease, WsOutbox outbox)
            throws LeaseSocket.Refusal {
        Request request = request(ctx, lease);
        TerminalSession session = request.resume() != null ? resumed(lease, request) : started(lease, request);
        TerminalSession.Client client = new TerminalSession.Client() {
            @Override
            public void output(byte[] bytes) {
                outbox.binary(bytes);
            }

            @Override
            public void exited(java.util.OptionalInt status) {
                sendExit(outbox, status);
            }
        };
        try {
            TerminalSession.Attachment attachment = session.attach(client, request.offset(), a -> {
                // Runs before any live byte can reach this client, so the order on the wire is exact.
                outbox.sendControl(ordered(
                        "type",
                        "session",
                        "sessionId",
                        session.id(),
                        "offset",
                        a.offset(),
                        "liveFrom",
                        a.offset() + a.replay().length));
                if (a.lostBytes()) {
                    outbox.sendControl(Map.of("type", "gap", "from", a.lostFrom(), "to", a.offset()));
                }
                if (a.replay().length > 0) {
                    outbox.binary(a.replay());
                }
            });
            if (attachment.exited()) {
                // It ended before this client came: all it said, then how it ended.
                sendExit(outbox, attachment.status());
                return Optional.empty();
            }
        } catch (TerminalSession.OffsetOutOfRangeException e) {
            throw new LeaseSocket.Refusal(WsRefusal.CLOSE_BAD_REQUEST, "invalid_offset", e.getMessage());
        } catch (TerminalSession.ExitedException e) {
            throw new LeaseSocket.Refusal(WsRefusal.CLOSE_NOT_FOUND, "session_not_found", e.getMessage());
        }
        return Optional.of(new Connected(lease, session, client, outbox));
    }

    /** What the query asks for: a size, where to resume from, and a new shell's command. */
    private record Request(int cols, int rows, long offset, String resume, boolean sized, List<String> command) {}

    private Request request(WsContext ctx, Lease lease) throws LeaseSocket.Refusal {
        String resume = ctx.queryParam("session");
        try {
            return new Request(
                    (int) LeaseSocket.number(ctx, "cols", 80, 1, MAX_DIMENSION),
                    (int) LeaseSocket.number(ctx, "rows", 24, 1, MAX_DIMENSION),
                    LeaseSocket.number(ctx, "offset", 0, 0, Long.MAX_VALUE),
                    resume,
                    ctx.queryParam("cols") != null || ctx.queryParam("rows") != null,
                    command(ctx.queryParamMap().getOrDefault("command", List.of()), resume != null)
                            .orElseGet(() -> shell(lease)));
        } catch (ApiException e) {
            throw LeaseSocket.Refusal.badRequest(e);
        }
    }

    /** The shell the client was attached to before, resized to its window when it gives one. */
    private TerminalSession resumed(Lease lease, Request request) throws LeaseSocket.Refusal {
        TerminalSession session = terminals.find(lease.id(), request.resume()).orElse(null);
        if (session == null) {
            String named =
                    request.resume().substring(0, Math.min(40, request.resume().length()));
            throw new LeaseSocket.Refusal(
                    WsRefusal.CLOSE_NOT_FOUND,
                    "session_not_found",
                    "no terminal session " + named + " on this lease (it may have exited)");
        }
        if (request.sized()) {
            session.resize(request.cols(), request.rows());
        }
        return session;
    }

    private TerminalSession started(Lease lease, Request request) throws LeaseSocket.Refusal {
        LeaseSocket.requireShells(containers, lease);
        try {
            return terminals.open(
                    lease.id(),
                    request.command(),
                    request.cols(),
                    request.rows(),
                    lease.rules().disconnectGrace());
        } catch (TooManySessionsException tooMany) {
            throw new LeaseSocket.Refusal(WsRefusal.CLOSE_CONFLICT, "too_many_sessions", tooMany.getMessage());
        } catch (LeaseEndedException ended) {
            throw LeaseSocket.Refusal.leaseEnded(ended.reason());
        } catch (RuntimeUnavailableException e) {
            throw LeaseSocket.Refusal.engineUnavailable();
        } catch (RuntimeException e) {
            log.warn("cannot start a shell {} {}", kv("leaseId", lease.id().value()), kv("error", e.toString()));
            throw new LeaseSocket.Refusal(
                    WsRefusal.CLOSE_UNAVAILABLE,
                    "shell_unavailable",
                    "cannot start a shell in this container; it may be stopping, or its image has no "
                            + request.command().get(0));
        }
    }

    private void input(Connected c, WsBinaryMessageContext ctx) {
        var data = ctx.data();
        byte[] bytes = new byte[data.remaining()];
        data.get(bytes);
        send(c, bytes);
    }

    private void control(Connected c, WsMessageContext ctx) {
        JsonNode message;
        try {
            message = Json.MAPPER.readTree(ctx.message());
        } catch (Exception e) {
            c.outbox()
                    .sendControl(Map.of(
                            "type", "error", "code", "malformed_json", "message", "control messages are JSON objects"));
            return;
        }
        String type = message.path("type").asText("");
        switch (type) {
            case "resize" -> {
                JsonNode cols = message.path("cols");
                JsonNode rows = message.path("rows");
                if (!cols.canConvertToInt()
                        || !rows.canConvertToInt()
                        || !cols.isIntegralNumber()
                        || !rows.isIntegralNumber()
                        || cols.asInt() < 1
                        || rows.asInt() < 1
                        || cols.asInt() > MAX_DIMENSION
                        || rows.asInt() > MAX_DIMENSION) {
                    c.outbox()
                            .sendControl(Map.of(
                                    "type",
                                    "error",
                                    "code",
                                    "invalid_resize",
                                    "message",
                                    "cols and rows must be whole numbers between 1 and " + MAX_DIMENSION));
                    return;
                }
                c.session().resize(cols.asInt(), rows.asInt());
            }
            case "input" -> {
                if (!message.path("data").isTextual()) {
                    c.outbox()
                            .sendControl(Map.of(
                                    "type", "error", "code", "invalid_input", "message", "'data' must be a string"));
                    return;
                }
                send(c, message.path("data").asText().getBytes(StandardCharsets.UTF_8));
            }
            default ->
                c.outbox()
                        .sendControl(Map.of(
                                "type",
                                "error",
                                "code",
                                "unknown_message",
                                "message",
                                "control messages are {type: resize, cols, rows} or {type: input, data}"));
        }
    }

    /** Input counts as activity; a client that floods a shell that cannot keep up is closed, so it cannot fill memory. */
    private void send(Connected c, byte[] bytes) {
        sessions.touch(c.lease().id());
        if (!c.session().input(bytes)) {
            c.outbox()
                    .sendControl(Map.of(
                            "type",
                            "error",
                            "code",
                            "input_overflow",
                            "message",
                            "terminal input arrives faster than the shell reads it; reconnect to resume"));
            c.outbox().close(WsOutbox.CLOSE_TOO_SLOW, "terminal input overflow");
        }
    }

    /** {@code {type: "exit", code?}}, then a normal close: the shell is gone. */
    private static void sendExit(WsOutbox outbox, java.util.OptionalInt status) {
        outbox.sendControl(
                status.isPresent() ? ordered("type", "exit", "code", status.getAsInt()) : Map.of("type", "exit"));
        outbox.close(1000, "shell exited");
    }

    /** A message whose keys read in the order given, as the README shows them. */
    private static Map<String, Object> ordered(Object... keysAndValues) {
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            out.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return out;
    }

    /**
     * {@code ?command=ls&command=-l}: one command with a TTY instead of the catalog's shell, as
     * {@code docker exec -it} runs one (a shell could run it anyway). Empty when none is asked for.
     */
    public static Optional<List<String>> command(List<String> args, boolean resuming) {
        if (args.isEmpty()) {
            return Optional.empty();
        }
        if (resuming) {
            throw ApiException.badRequest(
                    "invalid_query", "'command' starts a new session; leave out 'session' (or 'command')");
        }
        if (args.size() > MAX_COMMAND_ARGS) {
            throw ApiException.badRequest(
                    "invalid_query", "'command' has more than " + MAX_COMMAND_ARGS + " arguments");
        }
        if (args.get(0).isBlank()) {
            throw ApiException.badRequest("invalid_query", "the first 'command' is the program to run; it is empty");
        }
        for (String arg : args) {
            if (arg.length() > MAX_COMMAND_ARG || arg.indexOf('\0') >= 0) {
                throw ApiException.badRequest(
                        "invalid_query",
                        "each 'command' argument is at most " + MAX_COMMAND_ARG + " characters, without NUL");
            }
        }
        return Optional.of(List.copyOf(args));
    }

    private List<String> shell(Lease lease) {
        return catalog.find(lease.imageType()).map(ImageSpec::shell).orElse(List.of("/bin/sh"));
    }
}
