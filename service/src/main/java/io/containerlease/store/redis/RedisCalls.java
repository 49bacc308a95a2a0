package io.containerlease.store.redis;

import io.containerlease.lease.StoreException;
import io.lettuce.core.RedisException;
import java.util.function.Supplier;

/** Every Redis failure (unreachable, timed out, refused) is the store failing. */
final class RedisCalls {
    private RedisCalls() {}

    static <T> T call(Supplier<T> action) {
        try {
            return action.get();
        } catch (RedisException e) {
            throw new StoreException("Redis failed: " + rootMessage(e), e);
        }
    }

    static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }
}
