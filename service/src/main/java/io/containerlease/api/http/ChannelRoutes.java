package io.containerlease.api.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.containerlease.api.access.RequestGuard;
import io.containerlease.api.support.ApiException;
import io.containerlease.api.support.JsonBody;
import io.containerlease.lease.Lease;
import io.containerlease.lease.LeaseService;
import io.containerlease.program.channel.ChannelFrame;
import io.containerlease.program.channel.ChannelStatus;
import io.containerlease.program.channel.Channels;
import io.containerlease.session.SessionView;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code POST /api/containers/{id}/messages} sends a message to the lease's program over its channel
 * (and waits for the reply unless {@code reply: false}); {@code GET /api/containers/{id}/channel}
 * says how the channel is doing.
 */
public final class ChannelRoutes {
    /** A message's body: its payload may take up a whole frame, plus room for the other fields. */
    public static final int MAX_BODY_BYTES = JsonBody.MAX_LARGE_BYTES;

    private static final int MAX_TYPE_LENGTH = 64;

    private final LeaseService leases;
    private final Channels channels;
    private final SessionView sessions;

    public ChannelRoutes(LeaseService leases, Channels channels, SessionView sessions) {
        this.leases = leases;
        this.channels = channels;
        this.sessions = sessions;
    }

    public void send(Context ctx) {
        Lease lease = leases.get(LeaseRoutes.pathId(ctx), RequestGuard.caller(ctx));
        Message message = Message.of(JsonBody.read(ctx, MAX_BODY_BYTES));
        ctx.json(send(lease, message));
    }

    /** One message as the REST API and Socket.IO accept it. */
    public record Message(String type, JsonNode payload, Duration timeout, boolean reply) {
        public static Message of(JsonBody body) {
            body.allowOnly(Set.of("payload", "type", "timeoutMs", "reply"));
            JsonNode payload = body.node("payload")
                    .orElseThrow(
                            () -> ApiException.badRequest("missing_field", "'payload' is required (any JSON value)"));
            String type = body.string("type", MAX_TYPE_LENGTH).orElse("request");
            long timeoutMs = body.wholeNumber("timeoutMs", 1, Channels.MAX_TIMEOUT.toMillis())
                    .orElse(Channels.DEFAULT_TIMEOUT.toMillis());
            return new Message(
                    type,
                    payload,
                    Duration.ofMillis(timeoutMs),
                    body.bool("reply").orElse(true));
        }
    }

    /** {@code {sent: true, reply?: {id, type, payload}}} */
    public Map<String, Object> send(Lease lease, Message message) {
        Optional<ChannelFrame> reply =
                channels.send(lease, message.type(), message.payload(), message.timeout(), message.reply());
        sessions.touch(lease.id());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("sent", true);
        reply.ifPresent(frame -> out.put("reply", frameJson(frame)));
        return out;
    }

    public void status(Context ctx) {
        Lease lease = leases.get(LeaseRoutes.pathId(ctx), RequestGuard.caller(ctx));
        ctx.json(statusJson(channels.status(lease)));
    }

    public static Map<String, Object> statusJson(ChannelStatus status) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("connected", status.connected());
        out.put("since", status.since().toString());
        out.put("lastMessageAt", status.lastMessageAt().map(Object::toString).orElse(null));
        out.put("sent", status.sent());
        out.put("received", status.received());
        out.put("pending", status.pending());
        out.put("lastError", status.lastError().orElse(null));
        return out;
    }

    public static Map<String, Object> frameJson(ChannelFrame frame) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", frame.id());
        out.put("type", frame.type());
        out.put("payload", frame.payload());
        return out;
    }
}
