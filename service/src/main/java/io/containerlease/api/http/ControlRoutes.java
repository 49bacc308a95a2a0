package io.containerlease.api.http;

import io.containerlease.api.access.RequestGuard;
import io.containerlease.api.support.JsonBody;
import io.containerlease.containers.ContainerControl;
import io.containerlease.containers.ContainerStatus;
import io.containerlease.lease.LeaseId;
import io.containerlease.lease.LeaseService;
import io.containerlease.session.SessionView;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * {@code POST /api/containers/{id}/start|stop|restart|pause|unpause}: answers the lease, with its
 * container's state as the engine reports it once the action is done. Stop and restart take
 * {@code {timeoutSeconds}}: how long the program has to end on SIGTERM before it is killed.
 */
public final class ControlRoutes {
    private final ContainerControl control;
    private final LeaseService leases;
    private final SessionView sessions;
    private final LeaseRoutes leaseJson;

    public ControlRoutes(ContainerControl control, LeaseService leases, SessionView sessions, LeaseRoutes leaseJson) {
        this.control = control;
        this.leases = leases;
        this.sessions = sessions;
        this.leaseJson = leaseJson;
    }

    public void apply(Context ctx, ContainerControl.Action action) {
        ctx.attribute(LeaseRoutes.ACTION, action.wireName());
        LeaseId id = LeaseRoutes.pathId(ctx);
        ctx.attribute(LeaseRoutes.LEASE, id.value());
        Optional<Duration> timeout = stopTimeout(ctx, action);
        ContainerStatus status = control.apply(id, action, timeout, RequestGuard.caller(ctx));
        ctx.attribute(LeaseRoutes.SUMMARY, "container " + status.state().wireName());
        sessions.touch(id);
        ctx.json(leaseJson.json(leases.get(id, RequestGuard.caller(ctx))));
    }

    /** The body is optional; when sent, it is JSON with at most {@code timeoutSeconds} (for stop and restart). */
    private static Optional<Duration> stopTimeout(Context ctx, ContainerControl.Action action) {
        long length = ctx.req().getContentLengthLong();
        boolean hasBody = length > 0 || (length < 0 && ctx.contentType() != null); // an empty body is no body
        if (!hasBody) {
            return Optional.empty();
        }
        boolean stops = action == ContainerControl.Action.STOP || action == ContainerControl.Action.RESTART;
        JsonBody body = JsonBody.read(ctx).allowOnly(stops ? Set.of("timeoutSeconds") : Set.of());
        return body.wholeNumber("timeoutSeconds", 0, ContainerControl.MAX_STOP_TIMEOUT.toSeconds())
                .map(Duration::ofSeconds);
    }
}
