package io.containerlease.api;

import io.containerlease.lease.Lease;
import io.containerlease.lease.LeaseService;
import io.containerlease.program.ProgramException;
import io.containerlease.program.channel.ChannelFrame;
import io.containerlease.program.channel.Channels;
import io.containerlease.session.LeaseConnections;
import io.containerlease.session.SessionView;
import io.javalin.websocket.WsConfig;
import io.javalin.websocket.WsContext;
import io.javalin.websocket.WsMessageContext;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code WS /ws/channel/{id}}: the lease's channel, both ways. Each text frame the client sends,
 * {@code {id?, type?, payload}}, goes to the program as it is; the client receives
 * {@code {type: "frame", frame: {id, type, payload}}} for each frame the program sends that answers
 * no REST request (so replies to the ids it chose come here), and {@code {type: "status", connected}}
 * first and whenever the program connects or goes away.
 */
final class ChannelSocket {
    /** What its connections count as, in /healthz. */
    private static final String KIND = "channel";

    private static final String STATE = "containerlease.channel";
    private static final int QUEUED_FRAMES = 256;

    private final LeaseService leases;
    private final LeaseConnections connections;
    private final Channels channels;
    private final SessionView sessions;
    private final LiveConnections limits;

    ChannelSocket(
            LeaseService leases,
            LeaseConnections connections,
            Channels channels,
            SessionView sessions,
            LiveConnections limits) {
        this.leases = leases;
        this.connections = connections;
        this.channels = channels;
        this.sessions = sessions;
        this.limits = limits;
    }

    private record Connected(
            Lease lease, WsOutbox outbox, LeaseConnections.Registration registration, Runnable stopReading) {}

    void configure(WsConfig ws) {
        ws.onConnect(this::connect);
        ws.onMessage(this::message);
        ws.onClose(this::disconnect);
        ws.onError(this::disconnect);
    }

    private void connect(WsContext ctx) {
        Lease lease = WsLeases.running(ctx, leases).orElse(null);
        if (lease == null || !limits.admit(ctx, java.util.Optional.of(lease.id()), KIND)) {
            return;
        }
        if (!channels.hasChannel(lease)) {
            WsLeases.refuse(
                    ctx,
                    WsLeases.CLOSE_CONFLICT,
                    "channel_not_enabled",
                    "image type '" + lease.imageType() + "' has no message channel");
            return;
        }
        // A frame may carry a whole channel frame, larger than the other sockets allow.
        ctx.session.setMaxTextMessageSize(ChannelRoutes.MAX_BODY_BYTES);
        WsOutbox outbox = new WsOutbox(ctx.session, QUEUED_FRAMES, 4L * ChannelFrame.MAX_BYTES);
        var opened = connections.open(lease, outbox);
        if (opened.isEmpty()) {
            return;
        }
        Runnable stopReading = channels.read(lease, new Channels.Reader() {
            @Override
            public void frame(ChannelFrame frame) {
                outbox.text(WsOutbox.JsonText.of(Map.of("type", "frame", "frame", ChannelRoutes.frameJson(frame))));
            }

            @Override
            public void connection(boolean connected) {
                outbox.sendControl(status(connected));
            }
        });
        ctx.attribute(STATE, new Connected(lease, outbox, opened.get(), stopReading));
        outbox.sendControl(status(channels.status(lease).connected()));
        ctx.enableAutomaticPings(20, TimeUnit.SECONDS);
    }

    private static Map<String, Object> status(boolean connected) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("type", "status");
        out.put("connected", connected);
        return out;
    }

    private void message(WsMessageContext ctx) {
        Connected c = ctx.attribute(STATE);
        if (c == null) {
            return;
        }
        ChannelFrame frame;
        try {
            byte[] bytes = ctx.message().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            frame = ChannelFrame.parse(bytes, bytes.length);
        } catch (IllegalArgumentException e) {
            c.outbox()
                    .sendControl(
                            error(null, "malformed_frame", "each frame must be a JSON object {id?, type?, payload}"));
            return;
        }
        try {
            channels.forward(c.lease(), frame);
            sessions.touch(c.lease().id());
        } catch (ProgramException e) {
            c.outbox().sendControl(error(frame.id(), e.code(), e.getMessage()));
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

    private void disconnect(WsContext ctx) {
        limits.release(ctx);
        Connected c = ctx.attribute(STATE);
        if (c != null) {
            c.stopReading().run();
            c.registration().close();
            c.outbox().stop();
        }
    }
}
