package io.containerlease.store.redis;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The Lua scripts the Redis store runs, each atomic on the server: loaded once, then called by
 * digest; a server that forgot them (a restart, SCRIPT FLUSH) is given them again.
 */
final class RedisScripts {
    /** One script: its source (from {@code /redis/NAME.lua}) and its SHA-1 digest. */
    record Script(String name, String source, String digest) {}

    private final RedisCommands<String, String> redis;

    RedisScripts(RedisCommands<String, String> redis) {
        this.redis = redis;
    }

    Script load(String name) {
        try (InputStream in = RedisScripts.class.getResourceAsStream("/redis/" + name + ".lua")) {
            if (in == null) {
                throw new IllegalStateException("missing script /redis/" + name + ".lua");
            }
            String source = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return new Script(name, source, redis.scriptLoad(source));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    <T> T run(Script script, ScriptOutputType type, String... args) {
        try {
            return redis.evalsha(script.digest(), type, new String[0], args);
        } catch (RedisNoScriptException e) {
            redis.scriptLoad(script.source());
            return redis.evalsha(script.digest(), type, new String[0], args);
        }
    }
}
