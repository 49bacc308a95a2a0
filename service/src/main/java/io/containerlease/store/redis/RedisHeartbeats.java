package io.containerlease.store.redis;

import static io.containerlease.store.redis.RedisCalls.call;

import io.containerlease.cluster.Heartbeats;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@link Heartbeats} in Redis: a key per server that expires unless renewed
 * ({@code instance:<id>}), the set of servers ever seen ({@code instances}) and the engine each ran
 * on ({@code instance-engines}), kept after its key lapses.
 */
public final class RedisHeartbeats implements Heartbeats {
    private final RedisScripts scripts;
    private final RedisScripts.Script beat;
    private final RedisCommands<String, String> redis;
    private final String prefix;

    RedisHeartbeats(
            RedisScripts scripts, RedisScripts.Script beat, RedisCommands<String, String> redis, String prefix) {
        this.scripts = scripts;
        this.beat = beat;
        this.redis = redis;
        this.prefix = prefix;
    }

    @Override
    public boolean beat(String instance, String engineId, Duration ttl) {
        Long alive = call(() ->
                scripts.run(beat, ScriptOutputType.INTEGER, prefix, instance, engineId, Long.toString(ttl.toMillis())));
        return alive == 1;
    }

    @Override
    public List<String> dead(String engineId) {
        Map<String, String> engines = call(() -> redis.hgetall(prefix + "instance-engines"));
        List<String> dead = new ArrayList<>();
        for (var entry : engines.entrySet()) {
            if (entry.getValue().equals(engineId)
                    && call(() -> redis.exists(prefix + "instance:" + entry.getKey())) == 0) {
                dead.add(entry.getKey());
            }
        }
        return dead;
    }

    @Override
    public java.util.Set<String> alive(String self) {
        java.util.Set<String> alive = new java.util.HashSet<>();
        for (String id : call(() -> redis.smembers(prefix + "instances"))) {
            if (!id.equals(self) && call(() -> redis.exists(prefix + "instance:" + id)) == 1) {
                alive.add(id);
            }
        }
        return alive;
    }

    /** Only while its heartbeat is still missing: a server that came back is never forgotten. */
    @Override
    public void forget(String instance) {
        call(() -> redis.eval(FORGET, ScriptOutputType.INTEGER, new String[0], prefix, instance));
    }

    private static final String FORGET = """
            if redis.call('EXISTS', ARGV[1] .. 'instance:' .. ARGV[2]) == 1 then return 0 end
            redis.call('SREM', ARGV[1] .. 'instances', ARGV[2])
            redis.call('HDEL', ARGV[1] .. 'instance-engines', ARGV[2])
            return 1
            """;
}
