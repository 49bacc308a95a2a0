package io.containerlease.store.redis;

import static io.containerlease.store.redis.RedisCalls.call;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.containerlease.lease.LeaseId;
import io.containerlease.program.code.CodeVersions;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * {@link CodeVersions} in the shared store, so that every server sees the same versions of a lease
 * and one update at a time runs across all of them: per lease, the list ({@code code:<lease>:versions},
 * JSON), each kept archive ({@code code:<lease>:<n>}, base64) and the claim of the update running
 * ({@code code:<lease>:claim}, which lapses after {@link #CLAIM_TTL} should its server die
 * mid-update); the leases with versions are the set {@code code:leases}.
 */
public final class RedisCodeVersions extends CodeVersions {
    /** Longer than any update takes (install, health check, and putting the previous version back). */
    static final Duration CLAIM_TTL = Duration.ofMinutes(10);

    private static final ObjectMapper JSON = new ObjectMapper();

    private final RedisCommands<String, String> redis;
    private final RedisScripts scripts;
    private final RedisScripts.Script unclaim;
    private final String prefix;
    /** The token of each claim this server holds. */
    private final Map<LeaseId, String> claims = new ConcurrentHashMap<>();

    RedisCodeVersions(
            RedisCommands<String, String> redis, RedisScripts scripts, RedisScripts.Script unclaim, String prefix) {
        this.redis = redis;
        this.scripts = scripts;
        this.unclaim = unclaim;
        this.prefix = prefix + "code:";
    }

    @Override
    public boolean claim(LeaseId id) {
        String token = UUID.randomUUID().toString();
        String ok = call(
                () -> redis.set(key(id, "claim"), token, SetArgs.Builder.nx().px(CLAIM_TTL.toMillis())));
        if (!"OK".equals(ok)) {
            return false;
        }
        claims.put(id, token);
        return true;
    }

    @Override
    public void unclaim(LeaseId id) {
        String token = claims.remove(id);
        if (token != null) {
            call(() -> scripts.run(unclaim, ScriptOutputType.INTEGER, key(id, "claim"), token));
        }
    }

    @Override
    public List<Version> list(LeaseId id) {
        String json = call(() -> redis.get(key(id, "versions")));
        if (json == null) {
            return List.of();
        }
        try {
            return JSON.readValue(json, new TypeReference<List<Version>>() {});
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the code versions of lease " + id + " are not readable", e);
        }
    }

    @Override
    protected void keepArchive(LeaseId id, int number, byte[] tarGz) {
        call(() -> redis.sadd(prefix + "leases", id.value()));
        call(() ->
                redis.set(key(id, Integer.toString(number)), Base64.getEncoder().encodeToString(tarGz)));
    }

    @Override
    protected void dropArchives(LeaseId id, List<Integer> numbers) {
        call(() -> redis.del(
                numbers.stream().map(n -> key(id, Integer.toString(n))).toArray(String[]::new)));
    }

    @Override
    public Optional<byte[]> archive(LeaseId id, int number) {
        return Optional.ofNullable(call(() -> redis.get(key(id, Integer.toString(number)))))
                .map(Base64.getDecoder()::decode);
    }

    @Override
    public Set<LeaseId> present() {
        return call(() -> redis.smembers(prefix + "leases")).stream()
                .filter(LeaseId::isValid)
                .map(LeaseId::new)
                .collect(Collectors.toSet());
    }

    @Override
    public void remove(LeaseId id) {
        List<String> keys = new ArrayList<>(List.of(key(id, "versions"), key(id, "claim")));
        list(id).forEach(v -> keys.add(key(id, Integer.toString(v.version()))));
        call(() -> redis.del(keys.toArray(String[]::new)));
        call(() -> redis.srem(prefix + "leases", id.value()));
        claims.remove(id);
    }

    @Override
    protected void save(LeaseId id, List<Version> all) {
        try {
            String json = JSON.writeValueAsString(all);
            call(() -> redis.set(key(id, "versions"), json));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a version list always serialises", e);
        }
    }

    private String key(LeaseId id, String part) {
        return prefix + id.value() + ":" + part;
    }
}
