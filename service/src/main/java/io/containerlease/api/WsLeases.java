package io.containerlease.api;

import io.containerlease.lease.Lease;
import io.containerlease.lease.LeaseId;
import io.containerlease.lease.LeaseNotFoundException;
import io.containerlease.lease.LeaseService;
import io.containerlease.lease.LeaseState;
import io.javalin.websocket.WsContext;
import java.util.Map;
import java.util.Optional;

/**
 * What every lease WebSocket endpoint (terminal, logs, exec, channel) does first: find the running
 * lease the path names, or tell the client why not ({@code {type: "error", code, message}}) and
 * close with a 44xx code mirroring HTTP.
 */
final class WsLeases {
    static final int CLOSE_BAD_REQUEST = 4400;
    static final int CLOSE_NOT_FOUND = 4404;
    static final int CLOSE_CONFLICT = 4409;
    static final int CLOSE_UNAVAILABLE = 4503;

    private WsLeases() {}

    static Optional<Lease> running(WsContext ctx, LeaseService leases) {
        io.containerlease.lease.Caller caller = ctx.attribute(RequestGuard.CALLER);
        if (caller == null) {
            refuse(ctx, 4401, "unauthorized", "not authenticated");
            return Optional.empty();
        }
        String raw = ctx.pathParam("id");
        if (!LeaseId.isValid(raw)) {
            refuse(ctx, CLOSE_BAD_REQUEST, "invalid_id", "not a lease id");
            return Optional.empty();
        }
        try {
            Lease lease = leases.get(new LeaseId(raw), caller);
            if (lease.state() != LeaseState.RUNNING) {
                refuse(
                        ctx,
                        CLOSE_CONFLICT,
                        "lease_not_running",
                        "lease " + raw + " is " + lease.state().wireName());
                return Optional.empty();
            }
            return Optional.of(lease);
        } catch (LeaseNotFoundException e) {
            refuse(ctx, CLOSE_NOT_FOUND, "lease_not_found", e.getMessage());
            return Optional.empty();
        }
    }

    /** Whether the lease's container can run a shell or a command now; if not, refuses the socket (4409) saying why. */
    static boolean acceptsShells(WsContext ctx, io.containerlease.workload.ContainerStates containers, Lease lease) {
        var container = containers.status(lease.id()).orElse(null);
        if (container == null || container.acceptsShells()) {
            return true;
        }
        refuse(
                ctx,
                CLOSE_CONFLICT,
                "container_not_running",
                "the container is " + container.state().wireName()
                        + (container.state() == io.containerlease.workload.ContainerStatus.State.PAUSED
                                ? "; unpause it to open a shell"
                                : "; start it to open a shell"));
        return false;
    }

    /** Sends an error frame and closes; used before the connection is set up. */
    static void refuse(WsContext ctx, int closeCode, String code, String message) {
        try {
            ctx.send(WsOutbox.JsonText.of(Map.of("type", "error", "code", code, "message", message)));
        } finally {
            ctx.closeSession(closeCode, code);
        }
    }

    /** Tells a client that arrived as its lease ended why, and closes normally, as an ending does to every connection. */
    static void ended(WsContext ctx, io.containerlease.lease.EndReason reason) {
        try {
            ctx.send(WsOutbox.JsonText.of(Map.of("type", "ended", "reason", reason.wireName())));
        } finally {
            ctx.closeSession(1000, "lease ended: " + reason.wireName());
        }
    }

    /** A whole-number query parameter within bounds, or the fallback when absent; see {@link QueryNumbers}. */
    static long number(WsContext ctx, String name, long fallback, long min, long max) {
        return QueryNumbers.parse(name, ctx.queryParam(name), fallback, min, max);
    }
}
