package io.containerlease.api.support;

import io.javalin.websocket.WsContext;
import java.util.Map;

/**
 * A WebSocket turned away, or told its lease ended, before it was set up: the client gets
 * {@code {type: "error", code, message}} (or {@code {type: "ended", reason}}) and a close code; the
 * 44xx codes mirror HTTP's.
 */
public final class WsRefusal {
    public static final int CLOSE_BAD_REQUEST = 4400;
    public static final int CLOSE_NOT_FOUND = 4404;
    public static final int CLOSE_CONFLICT = 4409;
    public static final int CLOSE_UNAVAILABLE = 4503;

    private WsRefusal() {}

    /** Sends an error frame and closes; used before the connection is set up. */
    public static void refuse(WsContext ctx, int closeCode, String code, String message) {
        try {
            ctx.send(Json.text(Map.of("type", "error", "code", code, "message", message)));
        } finally {
            ctx.closeSession(closeCode, code);
        }
    }

    /** Tells a client that arrived as its lease ended why, and closes normally, as an ending does to every connection. */
    public static void ended(WsContext ctx, io.containerlease.lease.EndReason reason) {
        try {
            ctx.send(Json.text(Map.of("type", "ended", "reason", reason.wireName())));
        } finally {
            ctx.closeSession(1000, "lease ended: " + reason.wireName());
        }
    }
}
