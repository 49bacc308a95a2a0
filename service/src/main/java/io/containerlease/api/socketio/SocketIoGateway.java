package io.containerlease.api.socketio;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.containerlease.activity.ActivityRecorder;
import io.containerlease.api.access.LiveConnections;
import io.containerlease.api.access.RequestGuard;
import io.containerlease.api.events.EventRoutes;
import io.containerlease.api.support.ApiException;
import io.containerlease.api.support.ErrorResponses;
import io.containerlease.api.support.Json;
import io.containerlease.auth.Credential;
import io.containerlease.events.Event;
import io.containerlease.events.EventFilter;
import io.containerlease.events.EventHub;
import io.containerlease.events.EventSubscription;
import io.containerlease.lease.Caller;
import io.containerlease.lease.LeaseId;
import io.socket.engineio.server.EngineIoServer;
import io.socket.engineio.server.EngineIoServerOptions;
import io.socket.socketio.server.SocketIoServer;
import io.socket.socketio.server.SocketIoSocket;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.json.JSONObject;

/**
 * Socket.IO v4 at {@code /socket.io/}, for the clients the original front end used. A socket says who
 * it is in its handshake ({@code auth: {token}}, or {@code auth: {ticket}} / {@code ?ticket=} from
 * {@code POST /api/ws-ticket}); until then it gets nothing, and a wrong one is disconnected. Commands
 * go to the same service layer as the REST API, with the same rules, and are acknowledged with
 * {@code {success: true, data}} or {@code {success: false, error: {code, category, message}}}. The
 * caller's events arrive as {@code lease}, {@code container_status}, {@code activity_log},
 * {@code channel_message} and {@code code_update}. {@code update_container} takes the archive as a
 * binary attachment ({@code {id, archive: <Buffer>}}) or as {@code archiveBase64}.
 */
public final class SocketIoGateway implements AutoCloseable {
    private final RequestGuard guard;
    private final SocketIoCommands commands;
    private final EventHub events;
    private final ErrorResponses errors;
    private final ActivityRecorder activity;
    private final EngineIoServer engine;
    private final LiveConnections connections;
    private static final List<String> COMMANDS = List.of(
            "create_container",
            "start_container",
            "stop_container",
            "restart_container",
            "update_container",
            "delete_container",
            "send_message",
            "get_status",
            "list_containers");
    /** The seed system's short event names, each the same command as its long name. */
    private static final Map<String, String> ALIASES = Map.of(
            "create", "create_container",
            "start", "start_container",
            "stop", "stop_container",
            "restart", "restart_container",
            "update", "update_container",
            "delete", "delete_container",
            "status", "get_status",
            "list", "list_containers");

    public SocketIoGateway(
            RequestGuard guard,
            SocketIoCommands commands,
            EventHub events,
            ErrorResponses errors,
            ActivityRecorder activity,
            LiveConnections connections) {
        this.guard = guard;
        this.commands = commands;
        this.events = events;
        this.errors = errors;
        this.activity = activity;
        this.connections = connections;
        EngineIoServerOptions options = EngineIoServerOptions.newFromDefault();
        options.setCorsHandlingDisabled(true); // same origin only; the Origin is checked below
        options.setHandshakeInterceptor((query, headers) -> guard.hostAllowed(header(headers, "Host"))
                && guard.originAllowed(header(headers, "Origin"), header(headers, "Host")));
        this.engine = new EngineIoServer(options);
        new SocketIoServer(engine).namespace("/").on("connection", args -> connected((SocketIoSocket) args[0]));
    }

    /** @param idleTimeout a WebSocket with no frame for this long is closed */
    public SocketIoServlet servlet(java.time.Duration idleTimeout) {
        return new SocketIoServlet(engine, guard, idleTimeout);
    }

    private static String header(Map<String, List<String>> headers, String name) {
        for (var entry : headers.entrySet()) {
            if (entry.getKey().equalsIgnoreCase(name) && !entry.getValue().isEmpty()) {
                return entry.getValue().get(0);
            }
        }
        return null;
    }

    private void connected(SocketIoSocket socket) {
        Optional<Credential> credential = authenticate(socket);
        if (credential.isEmpty()) {
            // The library has acknowledged the connection already; the client turns this into connect_error.
            refuseConnection(
                    socket,
                    "not authenticated: send auth: {token} (or {ticket} from POST /api/ws-ticket) in the handshake");
            return;
        }
        LiveConnections.Permit permit;
        try {
            permit = connections.take(credential.get(), Optional.empty(), "socket.io", reason -> {
                send(socket, "error", Map.of("code", "token_revoked", "message", reason));
                socket.disconnect(true);
            });
        } catch (LiveConnections.TooMany e) {
            refuseConnection(socket, "too many connections: " + e.getMessage());
            return;
        }
        Caller caller = credential.get().caller();
        EventSubscription subscription = events.subscribe(
                new EventFilter(caller, Optional.empty(), Optional.empty(), Set.of()),
                -1,
                EventRoutes.QUEUE,
                new EventSubscription.Sink() {
                    @Override
                    public void event(Event event) {
                        forward(socket, event);
                    }

                    @Override
                    public void gap(long from, long to) {
                        // live events only: a Socket.IO client does not resume
                    }

                    @Override
                    public void dropped(long count) {
                        send(socket, "dropped", Map.of("count", count));
                    }
                });
        socket.on("disconnect", args -> {
            subscription.close();
            permit.release();
        });
        for (String command : COMMANDS) {
            socket.on(command, args -> command(caller, permit, command, args));
        }
        ALIASES.forEach((alias, command) -> socket.on(alias, args -> command(caller, permit, command, args)));
        socket.registerAllEventListener((event, args) -> {
            if (!COMMANDS.contains(event) && !ALIASES.containsKey(event)) {
                unknownEvent(socket, caller, event, args);
            }
        });
    }

    /**
     * An event no command answers to gets an answer all the same, so a client's typo is not silence:
     * the acknowledgement when it asked for one, else an {@code error} event naming it (cut to 64
     * characters). Each counts against the user's request allowance, as a command does: past it an
     * acknowledgement says {@code rate_limited} and an event gets nothing, so a flood of unanswerable
     * events is not a flood of answers queued here.
     */
    private void unknownEvent(SocketIoSocket socket, Caller caller, String event, Object[] args) {
        SocketIoSocket.ReceivedByLocalAcknowledgementCallback ack = args.length > 0
                        && args[args.length - 1] instanceof SocketIoSocket.ReceivedByLocalAcknowledgementCallback a
                ? a
                : null;
        String shown = event.length() > 64 ? event.substring(0, 64) + "…" : event;
        Map<String, Object> error;
        try {
            guard.limit("user " + caller.user() + " over Socket.IO");
            error = Map.of(
                    "code",
                    "unknown_event",
                    "message",
                    "no command '" + shown + "'; known: " + String.join(", ", COMMANDS) + " (or "
                            + String.join(", ", new java.util.TreeSet<>(ALIASES.keySet())) + ")");
        } catch (ApiException overLimit) {
            if (ack == null) {
                return;
            }
            error = Map.of("code", overLimit.code(), "message", overLimit.getMessage());
        }
        if (ack != null) {
            ack.sendAcknowledgement(toJson(Map.of("success", false, "error", error)));
        } else {
            Map<String, Object> payload = new LinkedHashMap<>(error);
            payload.put("event", shown);
            send(socket, "error", payload);
        }
    }

    /**
     * Ends a connection the gateway will not serve with a Socket.IO CONNECT_ERROR packet, which a
     * client reports as {@code connect_error} with this message, then disconnects it.
     */
    private static void refuseConnection(SocketIoSocket socket, String message) {
        var packet = new io.socket.socketio.server.parser.Packet<Object>(
                io.socket.socketio.server.parser.Parser.CONNECT_ERROR, new JSONObject(Map.of("message", message)));
        packet.nsp = socket.getNamespace().getName();
        socket.getClient().sendPacket(packet);
        socket.disconnect(true);
    }

    private Optional<Credential> authenticate(SocketIoSocket socket) {
        String token = null;
        String ticket = socket.getInitialQuery().get("ticket");
        if (socket.getConnectData() instanceof JSONObject auth) {
            token = auth.optString("token", null);
            ticket = auth.optString("ticket", ticket);
        }
        try {
            return guard.authenticate(token, ticket);
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private void command(Caller caller, LiveConnections.Permit permit, String command, Object[] args) {
        SocketIoSocket.ReceivedByLocalAcknowledgementCallback ack = args.length > 0
                        && args[args.length - 1] instanceof SocketIoSocket.ReceivedByLocalAcknowledgementCallback a
                ? a
                : null;
        Map<String, Object> answer;
        String action = null;
        String leaseId = null;
        try {
            if (permit.ended()) {
                // A command that arrives as the socket is being ended for a revoked token is not run.
                throw new ApiException(401, "token_revoked", "the token of this connection was revoked");
            }
            // A binary attachment arrives as byte[] inside the object; it is taken out before the rest becomes JSON.
            byte[] attachment =
                    args.length > 0 && args[0] instanceof JSONObject json && json.opt("archive") instanceof byte[] bytes
                            ? bytes
                            : null;
            if (attachment != null) {
                ((JSONObject) args[0]).remove("archive");
            }
            ObjectNode data = args.length > 0 && args[0] instanceof JSONObject json
                    ? (ObjectNode) Json.LARGE.readTree(json.toString())
                    : Json.MAPPER.createObjectNode();
            if (attachment != null) {
                data.put("archive", attachment);
            }
            leaseId = data.path("id").isTextual() ? data.path("id").asText() : null;
            action = switch (command) {
                case "create_container" -> "provision";
                case "delete_container" -> "release";
                case "start_container", "stop_container", "restart_container" ->
                    command.substring(0, command.indexOf('_'));
                case "update_container" -> "code_update";
                default -> null;
            };
            Object result = commands.run(caller, command, data);
            answer = Map.of("success", true, "data", result);
            if (leaseId == null && result instanceof Map<?, ?> lease && lease.get("id") instanceof String created) {
                leaseId = created; // a new lease: its entry names it, as the REST API's does
            }
            if (action != null) {
                boolean rolledBack = result instanceof Map<?, ?> outcome && "rolled_back".equals(outcome.get("status"));
                activity.request(caller, action, leaseId, null, 200, rolledBack, "over Socket.IO");
            }
        } catch (Exception e) {
            ErrorResponses.Failure failure = errors.describe(e, "Socket.IO " + command);
            answer = Map.of("success", false, "error", failure.body().get("error"));
            if (action != null) {
                activity.request(
                        caller,
                        action,
                        LeaseId.isValid(leaseId) ? leaseId : null,
                        null,
                        failure.status(),
                        failure.message());
            }
        }
        if (ack != null) {
            ack.sendAcknowledgement(toJson(answer));
        }
    }

    /** An event as the original front end's Socket.IO events: lease, container_status, activity_log. */
    private void forward(SocketIoSocket socket, Event event) {
        Map<String, Object> payload = new LinkedHashMap<>(event.data());
        if (event.leaseId() != null) {
            payload.put("leaseId", event.leaseId());
        }
        payload.put("at", event.at().toString());
        switch (event.type()) {
            case "activity" -> {
                payload.put("user", event.user());
                send(socket, "activity_log", payload);
            }
            case "container.state", "container.health" -> send(socket, "container_status", payload);
            case "channel.message" -> send(socket, "channel_message", payload);
            case "code.updating", "code.active", "code.rolled_back" -> {
                payload.put("type", event.type().substring("code.".length()));
                send(socket, "code_update", payload);
            }
            default -> {
                if (event.type().startsWith("lease.")) {
                    payload.put("type", event.type().substring("lease.".length()));
                    send(socket, "lease", payload);
                }
            }
        }
    }

    /** The library is not made for sends from several threads at once. */
    private static void send(SocketIoSocket socket, String name, Map<String, Object> payload) {
        synchronized (socket) {
            socket.send(name, toJson(payload));
        }
    }

    private static JSONObject toJson(Map<String, Object> value) {
        try {
            return new JSONObject(Json.MAPPER.writeValueAsString(value));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        engine.shutdown();
    }
}
