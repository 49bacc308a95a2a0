package io.containerlease.store.redis;

import static io.containerlease.store.redis.RedisCalls.call;

import io.containerlease.activity.ActivityEntry;
import io.containerlease.activity.ActivityLog;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@link ActivityLog} as a Redis stream capped at {@link #CAP} entries (the oldest go first, as
 * retention would take them anyway). An entry's {@code seq} is its stream id, {@code ms-n}, folded
 * into one number ({@code ms * 4096 + n}) so it can be a cursor like SQLite's.
 */
final class RedisActivityLog implements ActivityLog {
    static final long CAP = 1_000_000;
    private static final int SEQ_BITS = 12;
    private static final int SCAN_BATCH = 500;

    private final RedisCommands<String, String> redis;
    private final String key;

    RedisActivityLog(RedisCommands<String, String> redis, String key) {
        this.redis = redis;
        this.key = key;
    }

    @Override
    public void record(ActivityEntry e) {
        Map<String, String> fields = new HashMap<>();
        fields.put("at", Long.toString(e.at().toEpochMilli()));
        fields.put("user", e.user());
        fields.put("action", e.action());
        fields.put("outcome", e.outcome());
        putIfPresent(fields, "leaseId", e.leaseId());
        putIfPresent(fields, "client", e.client());
        putIfPresent(fields, "reason", e.reason());
        call(() -> redis.xadd(key, XAddArgs.Builder.maxlen(CAP).approximateTrimming(), fields));
    }

    private static void putIfPresent(Map<String, String> fields, String name, String value) {
        if (value != null) {
            fields.put(name, value);
        }
    }

    /** Newest first, reading the stream backwards in batches until the page is full or the stream is read. */
    @Override
    public List<ActivityEntry> page(Optional<String> user, Optional<String> leaseId, long beforeSeq, int limit) {
        List<ActivityEntry> page = new ArrayList<>();
        Range.Boundary<String> upper =
                beforeSeq == 0 ? Range.Boundary.unbounded() : Range.Boundary.excluding(streamId(beforeSeq));
        while (page.size() < limit) {
            Range<String> range = Range.from(Range.Boundary.unbounded(), upper);
            List<StreamMessage<String, String>> batch =
                    call(() -> redis.xrevrange(key, range, Limit.create(0, SCAN_BATCH)));
            for (StreamMessage<String, String> m : batch) {
                ActivityEntry entry = toEntry(m);
                if (user.map(u -> u.equals(entry.user())).orElse(true)
                        && leaseId.map(l -> l.equals(entry.leaseId())).orElse(true)) {
                    page.add(entry);
                    if (page.size() == limit) {
                        break;
                    }
                }
            }
            if (batch.size() < SCAN_BATCH) {
                break;
            }
            upper = Range.Boundary.excluding(batch.get(batch.size() - 1).getId());
        }
        return page;
    }

    @Override
    public int purgeBefore(Instant cutoff, int limit) {
        Range<String> older =
                Range.from(Range.Boundary.unbounded(), Range.Boundary.excluding(cutoff.toEpochMilli() + "-0"));
        List<StreamMessage<String, String>> old = call(() -> redis.xrange(key, older, Limit.create(0, limit)));
        if (old.isEmpty()) {
            return 0;
        }
        return call(() -> redis.xdel(key, old.stream().map(StreamMessage::getId).toArray(String[]::new)))
                .intValue();
    }

    private static ActivityEntry toEntry(StreamMessage<String, String> m) {
        Map<String, String> f = m.getBody();
        return new ActivityEntry(
                seq(m.getId()),
                Instant.ofEpochMilli(Long.parseLong(f.get("at"))),
                f.get("user"),
                f.get("action"),
                f.get("leaseId"),
                f.get("client"),
                f.get("outcome"),
                f.get("reason"));
    }

    static long seq(String streamId) {
        int dash = streamId.indexOf('-');
        return (Long.parseLong(streamId.substring(0, dash)) << SEQ_BITS) + Long.parseLong(streamId.substring(dash + 1));
    }

    static String streamId(long seq) {
        return (seq >>> SEQ_BITS) + "-" + (seq & ((1L << SEQ_BITS) - 1));
    }
}
