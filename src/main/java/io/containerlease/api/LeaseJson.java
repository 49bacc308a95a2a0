package io.containerlease.api;

import io.containerlease.lease.Lease;
import io.containerlease.lease.LeasePolicy;
import io.containerlease.session.SessionStatus;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** How a lease looks on the wire. Times are ISO-8601 UTC; absent values are left out, not null. */
final class LeaseJson {
    private LeaseJson() {}

    static Map<String, Object> of(Lease lease, Instant now, SessionStatus session) {
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
            session.lastActivityAt().ifPresent(at -> out.put("lastActivityAt", at.toString()));
            session.nextEnd(lease).ifPresent(next ->
                    out.put("nextEnd", Map.of("reason", next.reason().wireName(), "at", next.at().toString())));
        }
        return out;
    }

    static Map<String, Object> extended(Lease lease, LeasePolicy.Extension granted, Instant now, SessionStatus session) {
        Map<String, Object> out = of(lease, now, session);
        out.put("expiryTime", granted.expiresAt().toString());
        out.put("maxExpiryTime", granted.maxExpiresAt().toString());
        out.put("clamped", granted.clamped());
        return out;
    }
}
