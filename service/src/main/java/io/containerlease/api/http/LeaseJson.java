package io.containerlease.api.http;

import io.containerlease.containers.ContainerStatus;
import io.containerlease.lease.Lease;
import io.containerlease.lease.LeasePolicy;
import io.containerlease.session.SessionStatus;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** How a lease looks on the wire. Times are ISO-8601 UTC; absent values are left out, not null. */
public final class LeaseJson {
    private LeaseJson() {}

    /** {@code containerDeadline}: when a live lease's container ends itself should no server be alive (ContainerDeadlines). */
    public static Map<String, Object> of(
            Lease lease,
            Instant now,
            SessionStatus session,
            Optional<ContainerStatus> container,
            Instant containerDeadline) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", lease.id().value());
        out.put("imageType", lease.imageType());
        out.put("status", lease.state().wireName());
        out.put("createdAt", lease.createdAt().toString());
        out.put("expiryTime", lease.expiresAt().toString());
        out.put("maxExpiryTime", lease.maxExpiresAt().toString());
        out.put("remainingSeconds", lease.isLive() ? lease.remaining(now).toSeconds() : 0);
        if (lease.endReason() != null) {
            out.put("endReason", lease.endReason().wireName());
        }
        if (lease.endedAt() != null) {
            out.put("endedAt", lease.endedAt().toString());
        }
        if (lease.detail() != null) {
            out.put("detail", lease.detail());
        }
        lease.rules().disconnectGrace().ifPresent(d -> out.put("disconnectGraceSeconds", d.toSeconds()));
        lease.rules().idleTimeout().ifPresent(d -> out.put("idleTimeoutSeconds", d.toSeconds()));
        if (lease.isLive()) {
            out.put("connections", session.connections());
            session.lastActivityAt().ifPresent(at -> out.put("lastActivityAt", millis(at)));
            session.nextEnd(lease).ifPresent(next -> {
                Map<String, Object> nextEnd = new LinkedHashMap<>();
                nextEnd.put("reason", next.reason().wireName());
                nextEnd.put("at", millis(next.at()));
                out.put("nextEnd", nextEnd);
            });
            container.ifPresent(c -> out.put("container", container(c)));
            out.put("containerDeadline", containerDeadline.toString());
        }
        return out;
    }

    /** {@code {state, exitCode?, oomKilled, startedAt?, finishedAt?, restartCount, health?}} */
    public static Map<String, Object> container(ContainerStatus c) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("state", c.state().wireName());
        c.exitCode().ifPresent(code -> out.put("exitCode", code));
        out.put("oomKilled", c.oomKilled());
        c.startedAt().ifPresent(at -> out.put("startedAt", millis(at)));
        c.finishedAt().ifPresent(at -> out.put("finishedAt", millis(at)));
        out.put("restartCount", c.restartCount());
        c.health().ifPresent(h -> out.put("health", h.wireName()));
        return out;
    }

    /** Times the store did not round (live session times) are shown like the rest, to the millisecond. */
    private static String millis(Instant at) {
        return at.truncatedTo(ChronoUnit.MILLIS).toString();
    }

    public static Map<String, Object> extended(
            Lease lease,
            LeasePolicy.Extension granted,
            Instant now,
            SessionStatus session,
            Optional<ContainerStatus> container,
            Instant containerDeadline) {
        Map<String, Object> out = of(lease, now, session, container, containerDeadline);
        out.put("expiryTime", granted.expiresAt().toString());
        out.put("maxExpiryTime", granted.maxExpiresAt().toString());
        out.put("clamped", granted.clamped());
        return out;
    }
}
