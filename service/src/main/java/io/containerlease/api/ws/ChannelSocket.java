package io.containerlease.api.ws;

import io.containerlease.api.http.ChannelRoutes;
import io.containerlease.api.support.Json;
import io.containerlease.api.support.WsRefusal;
import io.containerlease.lease.Lease;
import io.containerlease.program.ProgramException;
import io.containerlease.program.channel.ChannelFrame;
import io.containerlease.program.channel.Channels;
import io.containerlease.session.SessionView;
import io.javalin.websocket.WsContext;
import io.javalin.websocket.WsMessageContext;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * {@code WS /ws/channel/{id}}: the lease's channel, both ways. Each text frame the client sends,
 * {@code {id?, type?, payload}}, goes to the program as it is; the client receives
 * {@code {type: "frame", frame: {id, type, payload}}} for each frame the program sends that answers
 * no REST request (so replies to the ids it chose come here), and {@code {type: "status", connected}}
 * first and whenever the program connects or goes away.
 */
public final class ChannelSocket implements LeaseSocket.Endpoint {
    private static final int QUEUED_FRAMES = 256;

    public static final LeaseSocket.Bounds BOUNDS = new LeaseSocket.Bounds(QUEUED_FRAMES, 4L * ChannelFrame.MAX_BYTES);

    private final Channels channels;
    private final SessionView sessions;

    public ChannelSocket(Channels channels, SessionView sessions) {
        this.channels = channels;
        this.sessions = sessions;
    }

    @Override
    public Optional<LeaseSocket.Connection> open(WsContext ctx, Lease lease, WsOutbox outbox)
            throws LeaseSocket.Refusal {
        if (!channels.hasChannel(lease)) {
            throw new LeaseSocket.Refusal(
                    WsRefusal.CLOSE_CONFLICT,
                    "channel_not_enabled",
                    "image type '" + lease.imageType() + "' has no message channel");
        }
        // A frame may carry a whole channel frame, larger than the other sockets allow.
        ctx.session.setMaxTextMessageSize(ChannelRoutes.MAX_BODY_BYTES);
        Runnable stopReading = channels.read(lease, new Channels.Reader() {
            @Override
            public void frame(ChannelFrame frame) {
                outbox.text(Json.text(Map.of("type", "frame", "frame", ChannelRoutes.frameJson(frame))));
            }

            @Override
            public void connection(boolean connected) {
                outbox.sendControl(status(connected));
            }
        });
        outbox.sendControl(status(channels.status(lease).connected()));
        return Optional.of(new LeaseSocket.Connection() {
            @Override
            public void text(WsMessageContext ctx) {
                message(lease, outbox, ctx.message());
            }

            @Override
            public void close() {
                stopReading.run();
            }
        });
    }

    private static Map<String, Object> status(boolean connected) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("type", "status");
        out.put("connected", connected);
        return out;
    }

    /** A frame from the client goes to the program as it is; a malformed one, or one the program cannot take, is answered. */
    private void message(Lease lease, WsOutbox outbox, String text) {
        ChannelFrame frame;
        try {
            byte[] bytes = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            frame = ChannelFrame.parse(bytes, bytes.length);
        } catch (IllegalArgumentException e) {
            outbox.sendControl(
                    error(null, "malformed_frame", "each frame must be a JSON object {id?, type?, payload}"));
            return;
        }
        try {
            channels.forward(lease, frame);
            sessions.touch(lease.id());
        } catch (ProgramException e) {
            outbox.sendControl(error(frame.id(), e.code(), e.getMessage()));
        }
    }

    private static Map<String, Object> error(String id, String code, String message) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("type", "error");
        if (id != null) {
            out.put("id", id);
        }
        out.put("code", code);
        out.put("message", message);
        return out;
    }
}
