package io.containerlease.store.redis;

import static io.containerlease.store.redis.RedisCalls.call;
import static io.containerlease.store.redis.RedisCalls.rootMessage;

import io.containerlease.activity.ActivityLog;
import io.containerlease.lease.EndReason;
import io.containerlease.lease.Lease;
import io.containerlease.lease.LeaseId;
import io.containerlease.lease.LeaseState;
import io.containerlease.lease.Quota;
import io.containerlease.lease.StoreException;
import io.containerlease.store.DurableStore;
import io.containerlease.store.SharedStore;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * {@link io.containerlease.lease.LeaseStore} on Redis (one primary; {@code appendonly yes} makes an
 * acknowledged write survive a restart). Each lease is a hash; sorted sets ordered by id index all
 * leases, the live ones, and each owner's, for paging and quota counts; every conditional
 * transition and the quota-checked insert is one Lua script, so it is atomic on the server.
 * Lettuce's one connection is shared by every thread; while Redis is unreachable every call fails
 * at once with {@link StoreException} (commands are refused, not queued).
 *
 * <p>Several servers may share one store. Each lease is held by one of them (the one that made it,
 * until it dies and another takes it over, raising the lease's fence): the changes a server makes
 * on its own account (a lease expiring, provisioning finishing, a lease found lost) require that it
 * holds the lease, so a server that was only paused cannot act on leases it lost; the changes a
 * user asks for (release, extend) may come through any server.
 */
public final class RedisLeaseStore implements DurableStore, SharedStore {
    static final String PREFIX = "containerlease:";
    private static final int FETCH_BATCH = 500;

    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final RedisCommands<String, String> redis;
    private final RedisScripts scripts;
    private final RedisScripts.Script insert;
    private final RedisScripts.Script transition;
    private final RedisScripts.Script fetch;
    private final RedisScripts.Script purge;
    private final RedisScripts.Script takeover;
    private final RedisActivityLog activity;
    private final RedisSessionMarks marks;
    private final String instanceId;
    /** This server, as the holder of the leases it makes. */
    private final String self;

    private RedisLeaseStore(RedisClient client, StatefulRedisConnection<String, String> connection, String self) {
        this.self = self;
        this.client = client;
        this.connection = connection;
        this.redis = connection.sync();
        this.scripts = new RedisScripts(redis);
        this.insert = scripts.load("insert");
        this.transition = scripts.load("transition");
        this.fetch = scripts.load("fetch");
        this.purge = scripts.load("purge");
        this.takeover = scripts.load("takeover");
        this.activity = new RedisActivityLog(redis, PREFIX + "activity");
        this.marks = new RedisSessionMarks(redis, PREFIX);
        // The first instance to start on this Redis names the store; every later one reads the same id.
        redis.set(PREFIX + "meta:instance-id", UUID.randomUUID().toString(), SetArgs.Builder.nx());
        this.instanceId = redis.get(PREFIX + "meta:instance-id");
    }

    /**
     * Connects to {@code redis://[password@]host:port[/db]} (or {@code rediss://} for TLS) as the
     * server {@code self}.
     *
     * @throws StoreException when Redis cannot be reached or refuses the connection
     */
    public static RedisLeaseStore open(String url, String self) {
        RedisURI uri = RedisURI.create(url);
        uri.setTimeout(Duration.ofSeconds(5));
        // Lettuce waits up to 30 s between reconnects by default: after an outage of a few seconds the
        // store would stay unavailable for as long again. Retry at least once a second instead.
        ClientResources resources = ClientResources.builder()
                .reconnectDelay(
                        Delay.exponential(Duration.ofMillis(10), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS))
                .build();
        RedisClient client = RedisClient.create(resources, uri);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .build());
        try {
            return new RedisLeaseStore(client, client.connect(), self);
        } catch (RedisException e) {
            client.shutdown();
            resources.shutdown();
            throw new StoreException(
                    "cannot reach Redis at " + uri.getHost() + ":" + uri.getPort() + ": " + rootMessage(e), e);
        }
    }

    /** Messages to every server on this store, on {@code topic} (a pub/sub channel of the store's own). */
    @Override
    public RedisBroadcast broadcast(String topic) {
        return call(() -> new RedisBroadcast(client, connection, PREFIX + topic));
    }

    /** The request allowance per client that all the servers on this store share. */
    @Override
    public RedisRateLimit rateLimit() {
        return new RedisRateLimit(scripts, scripts.load("rate"), PREFIX);
    }

    /** Every lease's code versions, kept here for all the servers on this store. */
    @Override
    public RedisCodeVersions codeVersions() {
        return new RedisCodeVersions(redis, scripts, scripts.load("unclaim"), PREFIX);
    }

    /** The heartbeats of the servers on this store, over the same connection. */
    @Override
    public RedisHeartbeats heartbeats() {
        return new RedisHeartbeats(scripts, scripts.load("beat"), redis, PREFIX);
    }

    @Override
    public String instanceId() {
        return instanceId;
    }

    @Override
    public String serverId() {
        return self;
    }

    @Override
    public Optional<SharedStore> shared() {
        return Optional.of(this);
    }

    @Override
    public ActivityLog activityLog() {
        return activity;
    }

    @Override
    public Quota.Outcome insert(Lease lease, Quota quota) {
        List<String> args = new ArrayList<>(List.of(
                PREFIX,
                limit(quota.perOwner()),
                limit(quota.total()),
                lease.id().value(),
                lease.owner(),
                self));
        RedisLeaseHash.fields(lease).forEach((field, value) -> {
            args.add(field);
            args.add(value);
        });
        String outcome = call(() -> scripts.run(insert, ScriptOutputType.STATUS, args.toArray(String[]::new)));
        return Quota.Outcome.valueOf(outcome);
    }

    private static String limit(int quota) {
        return quota == Integer.MAX_VALUE ? "-1" : Integer.toString(quota);
    }

    @Override
    public Optional<Lease> find(LeaseId id) {
        return fetch(List.of(id.value())).stream().findFirst();
    }

    @Override
    public List<Lease> listLive() {
        return fetch(call(() -> redis.zrangebylex(PREFIX + "live", Range.unbounded())));
    }

    @Override
    public List<Lease> page(Optional<String> owner, boolean includeEnded, Optional<LeaseId> after, int limit) {
        String index = PREFIX
                + owner.map(o -> (includeEnded ? "owner:" : "live:owner:") + o)
                        .orElse(includeEnded ? "leases" : "live");
        Range<String> range = after.map(
                        a -> Range.from(Range.Boundary.excluding(a.value()), Range.Boundary.<String>unbounded()))
                .orElse(Range.unbounded());
        return fetch(call(() -> redis.zrangebylex(index, range, Limit.create(0, limit))));
    }

    @Override
    public long countLive() {
        return call(() -> redis.zcard(PREFIX + "live"));
    }

    @Override
    public Set<LeaseId> held() {
        return call(() -> redis.zrange(PREFIX + "held:" + self, 0, -1)).stream()
                .map(LeaseId::new)
                .collect(Collectors.toCollection(java.util.HashSet::new));
    }

    @Override
    public Optional<String> holder(LeaseId id) {
        return Optional.ofNullable(call(() -> redis.hget(PREFIX + "lease:" + id.value(), "holder")));
    }

    @Override
    public List<LeaseId> takeOver(String deadInstance) {
        List<Object> ids = call(() -> scripts.run(takeover, ScriptOutputType.MULTI, PREFIX, deadInstance, self));
        return ids.stream().map(id -> new LeaseId((String) id)).toList();
    }

    @Override
    public boolean markRunning(LeaseId id, String containerId) {
        return change(
                id,
                Set.of(LeaseState.PROVISIONING),
                Condition.NONE,
                Set.of(),
                true,
                Map.of("state", "running", "containerId", containerId));
    }

    @Override
    public boolean beginEnd(LeaseId id, Set<LeaseState> from, EndReason reason, String detail) {
        if (from.isEmpty() || from.contains(LeaseState.ENDED) || from.contains(LeaseState.ENDING)) {
            throw new IllegalArgumentException("beginEnd moves only provisioning or running leases, not " + from);
        }
        Map<String, String> set = new HashMap<>(Map.of("state", "ending", "endReason", reason.wireName()));
        if (detail != null) {
            set.put("detail", detail);
        }
        return change(id, from, Condition.NONE, Set.of(), false, set);
    }

    @Override
    public boolean beginEndIfExpired(LeaseId id, Instant now) {
        return change(
                id,
                Set.of(LeaseState.RUNNING),
                new Condition(Optional.of(now), Optional.empty(), Optional.empty(), Optional.empty()),
                Set.of(),
                true,
                Map.of("state", "ending", "endReason", EndReason.EXPIRED.wireName()));
    }

    @Override
    public boolean endNow(LeaseId id, LeaseState from, EndReason reason, String detail, Instant at) {
        if (from.isTerminal()) {
            throw new IllegalArgumentException("an ended lease cannot end again");
        }
        Map<String, String> set = new HashMap<>(
                Map.of("state", "ended", "endReason", reason.wireName(), "endedAt", RedisLeaseHash.millis(at)));
        if (detail != null) {
            set.put("detail", detail);
        }
        return change(id, Set.of(from), Condition.NONE, Set.of("endReason", "detail"), true, set);
    }

    @Override
    public boolean markEnded(LeaseId id, Instant at) {
        return change(
                id,
                Set.of(LeaseState.ENDING),
                Condition.NONE,
                Set.of(),
                false,
                Map.of("state", "ended", "endedAt", RedisLeaseHash.millis(at)));
    }

    @Override
    public boolean updateExpiry(LeaseId id, Instant expected, Instant newExpiry, Instant now) {
        return change(
                id,
                Set.of(LeaseState.RUNNING),
                new Condition(Optional.empty(), Optional.of(expected), Optional.of(now), Optional.of(newExpiry)),
                Set.of(),
                false,
                Map.of("expiresAt", RedisLeaseHash.millis(newExpiry)));
    }

    @Override
    public void ping() {
        call(redis::ping);
    }

    @Override
    public int purgeEndedBefore(Instant cutoff, int limit) {
        Long purged = call(() -> scripts.run(
                purge, ScriptOutputType.INTEGER, PREFIX, RedisLeaseHash.millis(cutoff), Integer.toString(limit)));
        return purged.intValue();
    }

    @Override
    public void close() {
        connection.close();
        client.shutdown();
        client.getResources().shutdown();
    }

    /** What a transition requires of the lease's expiry besides its state; each part optional. */
    private record Condition(
            Optional<Instant> expiresAtMost,
            Optional<Instant> expiresAtExactly,
            Optional<Instant> expiresAfter,
            Optional<Instant> newExpiryWithinCap) {
        static final Condition NONE =
                new Condition(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
    }

    /** @param fenced whether only the server holding the lease may make this change */
    private boolean change(
            LeaseId id,
            Set<LeaseState> from,
            Condition condition,
            Set<String> keepIfPresent,
            boolean fenced,
            Map<String, String> set) {
        List<String> args = new ArrayList<>(List.of(
                PREFIX,
                id.value(),
                from.stream().map(LeaseState::wireName).collect(Collectors.joining(",")),
                condition.expiresAtMost().map(RedisLeaseHash::millis).orElse(""),
                condition.expiresAtExactly().map(RedisLeaseHash::millis).orElse(""),
                condition.expiresAfter().map(RedisLeaseHash::millis).orElse(""),
                condition.newExpiryWithinCap().map(RedisLeaseHash::millis).orElse(""),
                String.join(",", keepIfPresent),
                fenced ? self : ""));
        set.forEach((field, value) -> {
            args.add(field);
            args.add(value);
        });
        Long changed = call(() -> scripts.run(transition, ScriptOutputType.INTEGER, args.toArray(String[]::new)));
        return changed == 1;
    }

    private List<Lease> fetch(List<String> ids) {
        List<Lease> leases = new ArrayList<>(ids.size());
        for (int from = 0; from < ids.size(); from += FETCH_BATCH) {
            List<String> args = new ArrayList<>();
            args.add(PREFIX);
            args.addAll(ids.subList(from, Math.min(ids.size(), from + FETCH_BATCH)));
            List<Object> rows = call(() -> scripts.run(fetch, ScriptOutputType.MULTI, args.toArray(String[]::new)));
            for (Object row : rows) {
                List<?> pairs = (List<?>) row;
                if (!pairs.isEmpty()) {
                    Map<String, String> hash = new HashMap<>();
                    for (int i = 0; i + 1 < pairs.size(); i += 2) {
                        hash.put((String) pairs.get(i), (String) pairs.get(i + 1));
                    }
                    leases.add(RedisLeaseHash.toLease(hash));
                }
            }
        }
        return leases;
    }

    @Override
    public void markActivity(LeaseId id, Instant at) {
        marks.markActivity(id, at);
    }

    @Override
    public void markGraceEnd(LeaseId id, Optional<Instant> endsAt) {
        marks.markGraceEnd(id, endsAt);
    }

    @Override
    public SessionMarks sessionMarks(LeaseId id) {
        return marks.sessionMarks(id);
    }
}
