package io.containerlease.store.redis;

import io.containerlease.lease.EndReason;
import io.containerlease.lease.Lease;
import io.containerlease.lease.LeaseId;
import io.containerlease.lease.LeaseState;
import io.containerlease.lease.SessionRules;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** A lease as the fields of its Redis hash (times in epoch milliseconds), and back. */
final class RedisLeaseHash {
    private RedisLeaseHash() {}

    static Map<String, String> fields(Lease lease) {
        Map<String, String> f = new HashMap<>();
        f.put("id", lease.id().value());
        f.put("imageType", lease.imageType());
        f.put("state", lease.state().wireName());
        f.put("createdAt", millis(lease.createdAt()));
        f.put("expiresAt", millis(lease.expiresAt()));
        f.put("maxExpiresAt", millis(lease.maxExpiresAt()));
        f.put("owner", lease.owner());
        if (lease.containerId() != null) {
            f.put("containerId", lease.containerId());
        }
        if (lease.endReason() != null) {
            f.put("endReason", lease.endReason().wireName());
        }
        if (lease.endedAt() != null) {
            f.put("endedAt", millis(lease.endedAt()));
        }
        if (lease.detail() != null) {
            f.put("detail", lease.detail());
        }
        lease.rules().disconnectGrace().ifPresent(d -> f.put("graceMs", Long.toString(d.toMillis())));
        lease.rules().idleTimeout().ifPresent(d -> f.put("idleMs", Long.toString(d.toMillis())));
        return f;
    }

    static Lease toLease(Map<String, String> f) {
        return new Lease(
                new LeaseId(f.get("id")),
                f.get("imageType"),
                LeaseState.fromWireName(f.get("state")),
                instant(f.get("createdAt")),
                instant(f.get("expiresAt")),
                instant(f.get("maxExpiresAt")),
                f.get("containerId"),
                f.containsKey("endReason") ? EndReason.fromWireName(f.get("endReason")) : null,
                f.containsKey("endedAt") ? instant(f.get("endedAt")) : null,
                f.get("detail"),
                new SessionRules(duration(f.get("graceMs")), duration(f.get("idleMs"))),
                f.get("owner"));
    }

    static String millis(Instant at) {
        return Long.toString(at.toEpochMilli());
    }

    private static Instant instant(String millis) {
        return Instant.ofEpochMilli(Long.parseLong(millis));
    }

    private static Optional<Duration> duration(String millis) {
        return Optional.ofNullable(millis).map(m -> Duration.ofMillis(Long.parseLong(m)));
    }
}
