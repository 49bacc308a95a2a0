package io.containerlease.store.redis;

import static io.containerlease.store.redis.RedisCalls.call;

import io.containerlease.cluster.SharedRateLimit;
import io.lettuce.core.ScriptOutputType;
import java.util.OptionalLong;

/** {@link SharedRateLimit} as a token bucket per client in Redis, one Lua script per request. */
public final class RedisRateLimit implements SharedRateLimit {
    private final RedisScripts scripts;
    private final RedisScripts.Script rate;
    private final String prefix;

    RedisRateLimit(RedisScripts scripts, RedisScripts.Script rate, String prefix) {
        this.scripts = scripts;
        this.rate = rate;
        this.prefix = prefix;
    }

    @Override
    public OptionalLong take(String client, int perMinute) {
        Long wait = call(() ->
                scripts.run(rate, ScriptOutputType.INTEGER, prefix + "rate:" + client, Integer.toString(perMinute)));
        return wait == 0 ? OptionalLong.empty() : OptionalLong.of(wait);
    }
}
