package io.containerlease.api;

import static net.logstash.logback.argument.StructuredArguments.kv;

import com.fasterxml.jackson.databind.JsonNode;
import io.containerlease.config.ImageCatalog;
import io.containerlease.lease.ImageSpec;
import io.containerlease.lease.Lease;
import io.containerlease.lease.LeaseService;
import io.containerlease.lease.RuntimeUnavailableException;
import io.containerlease.session.LeaseConnections;
import io.containerlease.session.LeaseEndedException;
import io.containerlease.session.SessionView;
import io.containerlease.session.TerminalSession;
import io.containerlease.session.TerminalSessions;
import io.containerlease.session.TooManySessionsException;
import io.containerlease.workload.ContainerStates;
import io.javalin.websocket.WsBinaryMessageContext;
import io.javalin.websocket.WsConfig;
import io.javalin.websocket.WsContext;
import io.javalin.websocket.WsMessageContext;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code WS /ws/terminal/{id}}: a shell with a TTY. Binary frames carry raw bytes both ways; text
 * frames carry JSON control messages ({@code resize}, and {@code input} for text-only clients). The
 * server first sends {@code {type: "session", sessionId, offset}}; reconnecting with
 * {@code ?session=ID&offset=N} resumes the same shell after byte N.
 */
final class TerminalSocket {
    /** What its connections count as, in /healthz. */
    private static final String KIND = "terminal";

    private static final Logger log = LoggerFactory.getLogger(TerminalSocket.class);
    static final int MAX_DIMENSION = 1000;
    static final int MAX_COMMAND_ARGS = 64;
    static final int MAX_COMMAND_ARG = 4096;
    private static final String STATE = "containerlease.terminal";

    private final LeaseService leases;
    private final LeaseConnections connections;
    private final TerminalSessions terminals;
    private final SessionView sessions;
    private final ImageCatalog catalog;
    private final LiveConnections limits;
    private final ContainerStates containers;

    TerminalSocket(
            LeaseService leases,
            LeaseConnections connections,
            TerminalSessions terminals,
            SessionView sessions,
            ImageCatalog catalog,
            LiveConnections limits,
            ContainerStates containers) {
        this.limits = limits;
        this.containers = containers;
        this.leases = leases;
        this.connections = connections;
        this.terminals = terminals;
        this.sessions = sessions;
        this.catalog = catalog;
    }

    private record Connected(
            Lease lease,
            TerminalSession session,
            TerminalSession.Client client,
            WsOutbox outbox,
            LeaseConnections.Registration registration) {}

    void configure(WsConfig ws) {
        ws.onConnect(this::connect);
        ws.onBinaryMessage(this::input);
        ws.onMessage(this::control);
        // Jetty does not always follow a network error with a close: both end the connection, idempotently.
        ws.onClose(this::disconnect);
        ws.onError(this::disconnect);
    }

    private void connect(WsContext ctx) {
        Lease lease = WsLeases.running(ctx, leases).orElse(null);
        if (lease == null || !limits.admit(ctx, java.util.Optional.of(lease.id()), KIND)) {
            return;
        }
        int cols;
        int rows;
        long offset;
        List<String> command;
        String resume = ctx.queryParam("session");
        try {
            cols = (int) WsLeases.number(ctx, "cols", 80, 1, MAX_DIMENSION);
            rows = (int) WsLeases.number(ctx, "rows", 24, 1, MAX_DIMENSION);
            offset = WsLeases.number(ctx, "offset", 0, 0, Long.MAX_VALUE);
            command = command(ctx.queryParamMap().getOrDefault("command", List.of()), resume != null)
                    .orElseGet(() -> shell(lease));
        } catch (ApiException e) {
            WsLeases.refuse(ctx, WsLeases.CLOSE_BAD_REQUEST, e.code(), e.getMessage());
            return;
        }
        TerminalSession session;
        if (resume != null) {
            session = terminals.find(lease.id(), resume).orElse(null);
            if (session == null) {
                WsLeases.refuse(
                        ctx,
                        WsLeases.CLOSE_NOT_FOUND,
                        "session_not_found",
                        "no terminal session " + resume.substring(0, Math.min(40, resume.length()))
                                + " on this lease (it may have exited)");
                return;
            }
            if (ctx.queryParam("cols") != null || ctx.queryParam("rows") != null) {
                session.resize(cols, rows);
            }
        } else {
            if (!WsLeases.acceptsShells(ctx, containers, lease)) {
                return;
            }
            try {
                session = terminals.open(
                        lease.id(), command, cols, rows, lease.rules().disconnectGrace());
            } catch (TooManySessionsException tooMany) {
                WsLeases.refuse(ctx, WsLeases.CLOSE_CONFLICT, "too_many_sessions", tooMany.getMessage());
                return;
            } catch (LeaseEndedException ended) {
                WsLeases.ended(ctx, ended.reason());
                return;
            } catch (RuntimeUnavailableException e) {
                WsLeases.refuse(
                        ctx,
                        WsLeases.CLOSE_UNAVAILABLE,
                        "docker_unavailable",
                        "the Docker engine is not reachable; try again shortly");
                return;
            } catch (RuntimeException e) {
                log.warn("cannot start a shell {} {}", kv("leaseId", lease.id().value()), kv("error", e.toString()));
                WsLeases.refuse(
                        ctx,
                        WsLeases.CLOSE_UNAVAILABLE,
                        "shell_unavailable",
                        "cannot start a shell in this container; it may be stopping, or its image has no "
                                + command.get(0));
                return;
            }
        }
        WsOutbox outbox = new WsOutbox(ctx.session, 10_000, 2L * 1024 * 1024);
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
            TerminalSession.Attachment attachment = session.attach(client, offset, a -> {
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
                sendExit(
                        outbox,
                        attachment.status()); // it ended before this client came: all it said, then how it ended
                return;
            }
        } catch (TerminalSession.OffsetOutOfRangeException e) {
            outbox.stop();
            WsLeases.refuse(ctx, WsLeases.CLOSE_BAD_REQUEST, "invalid_offset", e.getMessage());
            return;
        } catch (TerminalSession.ExitedException e) {
            outbox.stop();
            WsLeases.refuse(ctx, WsLeases.CLOSE_NOT_FOUND, "session_not_found", e.getMessage());
            return;
        }
        var opened = connections.open(lease, outbox);
        if (opened.isEmpty()) {
            session.detach(client); // the lease ended meanwhile; the outbox is sending why, then closing
            return;
        }
        LeaseConnections.Registration registration = opened.get();
        ctx.attribute(STATE, new Connected(lease, session, client, outbox, registration));
        ctx.enableAutomaticPings(20, TimeUnit.SECONDS);
    }

    private void input(WsBinaryMessageContext ctx) {
        Connected c = ctx.attribute(STATE);
        if (c != null) {
            var data = ctx.data();
            byte[] bytes = new byte[data.remaining()];
            data.get(bytes);
            send(c, bytes);
        }
    }

    private void control(WsMessageContext ctx) {
        Connected c = ctx.attribute(STATE);
        if (c == null) {
            return;
        }
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

    private void disconnect(WsContext ctx) {
        limits.release(ctx);
        Connected c = ctx.attribute(STATE);
        if (c != null) {
            c.session().detach(c.client());
            c.registration().close();
            c.outbox().stop();
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
    static java.util.Optional<List<String>> command(List<String> args, boolean resuming) {
        if (args.isEmpty()) {
            return java.util.Optional.empty();
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
        return java.util.Optional.of(List.copyOf(args));
    }

    private List<String> shell(Lease lease) {
        return catalog.find(lease.imageType()).map(ImageSpec::shell).orElse(List.of("/bin/sh"));
    }
}
