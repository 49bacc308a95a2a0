package io.containerlease.store.redis;

import static io.containerlease.store.redis.RedisCalls.call;

import io.containerlease.lease.LeaseId;
import io.containerlease.lease.LeaseStore.SessionMarks;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Instant;
import java.util.Optional;

/**
 * A lease's session marks (last activity, a pending grace end), kept beside its fields in its hash.
 * Coarse by design: a mark written as the lease ends lands on an ended lease's hash (harmless); one
 * for a lease whose hash is gone is not written.
 */
final class RedisSessionMarks {
    private final RedisCommands<String, String> redis;
    private final String prefix;

    RedisSessionMarks(RedisCommands<String, String> redis, String prefix) {
        this.redis = redis;
        this.prefix = prefix;
    }

    void markActivity(LeaseId id, Instant at) {
        String key = prefix + "lease:" + id.value();
        call(() -> {
            if ("running".equals(redis.hget(key, "state"))) {
                String before = redis.hget(key, "lastActivity");
                if (before == null || Long.parseLong(before) < at.toEpochMilli()) {
                    redis.hset(key, "lastActivity", Long.toString(at.toEpochMilli()));
                }
            }
            return null;
        });
    }

    void markGraceEnd(LeaseId id, Optional<Instant> endsAt) {
        String key = prefix + "lease:" + id.value();
        call(() -> {
            if ("running".equals(redis.hget(key, "state"))) {
                if (endsAt.isPresent()) {
                    redis.hset(key, "graceEndsAt", Long.toString(endsAt.get().toEpochMilli()));
                } else {
                    redis.hdel(key, "graceEndsAt");
                }
            }
            return null;
        });
    }

    SessionMarks sessionMarks(LeaseId id) {
        String key = prefix + "lease:" + id.value();
        return call(() -> {
            String activity = redis.hget(key, "lastActivity");
            String grace = redis.hget(key, "graceEndsAt");
            return new SessionMarks(
                    Optional.ofNullable(activity).map(v -> Instant.ofEpochMilli(Long.parseLong(v))),
                    Optional.ofNullable(grace).map(v -> Instant.ofEpochMilli(Long.parseLong(v))));
        });
    }
}
