package io.containerlease.store.sqlite;

import io.containerlease.activity.ActivityLog;
import io.containerlease.lease.EndReason;
import io.containerlease.lease.Lease;
import io.containerlease.lease.LeaseId;
import io.containerlease.lease.LeaseState;
import io.containerlease.lease.Quota;
import io.containerlease.lease.SessionRules;
import io.containerlease.store.DurableStore;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/** {@link io.containerlease.lease.LeaseStore} on a {@link SqliteDatabase}: a lease the API acknowledged survives a kill -9 of the server. */
public final class SqliteLeaseStore implements DurableStore {
    private static final String COLUMNS =
            "id, image_type, state, created_at, expires_at, max_expires_at, container_id, end_reason, ended_at, detail,"
                    + " disconnect_grace_ms, idle_timeout_ms, owner";

    private final SqliteDatabase db;
    private final SqliteActivityLog activity;

    private SqliteLeaseStore(SqliteDatabase db) {
        this.db = db;
        this.activity = new SqliteActivityLog(db);
    }

    /** Opens (creating if needed) the store file and brings its schema up to date. */
    public static SqliteLeaseStore open(Path file) {
        return new SqliteLeaseStore(new SqliteDatabase("jdbc:sqlite:" + file.toAbsolutePath()));
    }

    /** A private in-memory database: real SQLite semantics for fast tests, gone on close. */
    public static SqliteLeaseStore inMemory() {
        return new SqliteLeaseStore(new SqliteDatabase("jdbc:sqlite::memory:"));
    }

    @Override
    public String instanceId() {
        return db.instanceId();
    }

    /** The bytes the database's pages hold, free pages (left by deletes, reused later) not counted. */
    public long usedBytes() {
        return db.withConnection(c -> {
            try (var s = c.createStatement()) {
                long pages = single(s, "PRAGMA page_count");
                long free = single(s, "PRAGMA freelist_count");
                return (pages - free) * single(s, "PRAGMA page_size");
            }
        });
    }

    private static long single(java.sql.Statement s, String pragma) throws SQLException {
        try (ResultSet rs = s.executeQuery(pragma)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Override
    public int purgeEndedBefore(Instant cutoff, int limit) {
        return db.update(
                "DELETE FROM leases WHERE id IN (SELECT id FROM leases WHERE state = 'ended' AND ended_at < ? LIMIT ?)",
                s -> {
                    s.setLong(1, cutoff.toEpochMilli());
                    s.setInt(2, limit);
                });
    }

    /** The activity log kept in the same database. */
    @Override
    public ActivityLog activityLog() {
        return activity;
    }

    @Override
    public Quota.Outcome insert(Lease lease, Quota quota) {
        return db.inTransaction(c -> {
            if (atLeast(c, Optional.of(lease.owner()), quota.perOwner())) {
                return Quota.Outcome.OWNER_FULL;
            }
            if (atLeast(c, Optional.empty(), quota.total())) {
                return Quota.Outcome.SERVICE_FULL;
            }
            SqliteDatabase.update(
                    c, "INSERT INTO leases (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", s -> {
                        s.setString(1, lease.id().value());
                        s.setString(2, lease.imageType());
                        s.setString(3, lease.state().wireName());
                        s.setLong(4, lease.createdAt().toEpochMilli());
                        s.setLong(5, lease.expiresAt().toEpochMilli());
                        s.setLong(6, lease.maxExpiresAt().toEpochMilli());
                        setNullable(s, 7, lease.containerId());
                        setNullable(
                                s,
                                8,
                                lease.endReason() == null
                                        ? null
                                        : lease.endReason().wireName());
                        if (lease.endedAt() == null) {
                            s.setNull(9, Types.INTEGER);
                        } else {
                            s.setLong(9, lease.endedAt().toEpochMilli());
                        }
                        setNullable(s, 10, lease.detail());
                        setMillis(s, 11, lease.rules().disconnectGrace());
                        setMillis(s, 12, lease.rules().idleTimeout());
                        s.setString(13, lease.owner());
                    });
            return Quota.Outcome.INSERTED;
        });
    }

    @Override
    public Optional<Lease> find(LeaseId id) {
        return db
                .query(
                        "SELECT " + COLUMNS + " FROM leases WHERE id = ?",
                        s -> s.setString(1, id.value()),
                        SqliteLeaseStore::toLease)
                .stream()
                .findFirst();
    }

    @Override
    public List<Lease> listLive() {
        return db.query(
                "SELECT " + COLUMNS + " FROM leases WHERE state <> 'ended' ORDER BY id",
                s -> {},
                SqliteLeaseStore::toLease);
    }

    @Override
    public List<Lease> page(Optional<String> owner, boolean includeEnded, Optional<LeaseId> after, int limit) {
        return db.query(
                "SELECT " + COLUMNS
                        + " FROM leases WHERE id > ? AND (? OR state <> 'ended') AND (? IS NULL OR owner = ?)"
                        + " ORDER BY id LIMIT ?",
                s -> {
                    s.setString(1, after.map(LeaseId::value).orElse(""));
                    s.setBoolean(2, includeEnded);
                    s.setString(3, owner.orElse(null));
                    s.setString(4, owner.orElse(null));
                    s.setInt(5, limit);
                },
                SqliteLeaseStore::toLease);
    }

    @Override
    public long countLive() {
        return db.withConnection(c -> SqliteDatabase.query(
                        c, "SELECT count(*) FROM leases WHERE state <> 'ended'", s -> {}, rs -> rs.getLong(1))
                .get(0));
    }

    /**
     * Whether there are at least {@code limit} live leases (of {@code owner}, if given). Counting stops
     * at the limit, so a quota check costs at most the quota, not the number of leases.
     */
    private static boolean atLeast(Connection c, Optional<String> owner, int limit) throws SQLException {
        if (limit == Integer.MAX_VALUE) {
            return false;
        }
        return SqliteDatabase.query(
                                c,
                                "SELECT count(*) FROM (SELECT 1 FROM leases WHERE state <> 'ended'"
                                        + " AND (? IS NULL OR owner = ?) LIMIT ?)",
                                s -> {
                                    s.setString(1, owner.orElse(null));
                                    s.setString(2, owner.orElse(null));
                                    s.setInt(3, limit);
                                },
                                rs -> rs.getLong(1))
                        .get(0)
                >= limit;
    }

    @Override
    public boolean markRunning(LeaseId id, String containerId) {
        return db.update(
                        "UPDATE leases SET state = 'running', container_id = ? WHERE id = ? AND state = 'provisioning'",
                        s -> {
                            s.setString(1, containerId);
                            s.setString(2, id.value());
                        })
                == 1;
    }

    @Override
    public boolean beginEnd(LeaseId id, Set<LeaseState> from, EndReason reason, String detail) {
        if (from.isEmpty() || from.contains(LeaseState.ENDED) || from.contains(LeaseState.ENDING)) {
            throw new IllegalArgumentException("beginEnd moves only provisioning or running leases, not " + from);
        }
        String states = from.stream().map(st -> "'" + st.wireName() + "'").collect(Collectors.joining(", "));
        return db.update(
                        "UPDATE leases SET state = 'ending', end_reason = ?, detail = ? WHERE id = ? AND state IN ("
                                + states + ")",
                        s -> {
                            s.setString(1, reason.wireName());
                            setNullable(s, 2, detail);
                            s.setString(3, id.value());
                        })
                == 1;
    }

    @Override
    public boolean beginEndIfExpired(LeaseId id, Instant now) {
        return db.update(
                        "UPDATE leases SET state = 'ending', end_reason = 'expired' WHERE id = ? AND state = 'running' AND expires_at <= ?",
                        s -> {
                            s.setString(1, id.value());
                            s.setLong(2, now.toEpochMilli());
                        })
                == 1;
    }

    /** One transaction, so one commit (and one sync to disk) for all of them. */
    @Override
    public Set<LeaseId> beginEndIfExpired(java.util.Collection<LeaseId> ids, Instant now) {
        return eachInOneTransaction(
                "UPDATE leases SET state = 'ending', end_reason = 'expired' WHERE id = ? AND state = 'running' AND expires_at <= ?",
                ids,
                now);
    }

    /** One transaction, so one commit (and one sync to disk) for all of them. */
    @Override
    public Set<LeaseId> markEnded(java.util.Collection<LeaseId> ids, Instant at) {
        return eachInOneTransaction(
                "UPDATE leases SET state = 'ended', ended_at = ?2 WHERE id = ?1 AND state = 'ending'", ids, at);
    }

    /** Runs {@code sql} (the lease's id as its first parameter, {@code at} as its second) for each lease: those it changed. */
    private Set<LeaseId> eachInOneTransaction(String sql, java.util.Collection<LeaseId> ids, Instant at) {
        if (ids.isEmpty()) {
            return Set.of();
        }
        return db.inTransaction(c -> {
            Set<LeaseId> moved = new java.util.HashSet<>();
            try (java.sql.PreparedStatement s = c.prepareStatement(sql)) {
                for (LeaseId id : ids) {
                    s.setString(1, id.value());
                    s.setLong(2, at.toEpochMilli());
                    if (s.executeUpdate() == 1) {
                        moved.add(id);
                    }
                }
            }
            return moved;
        });
    }

    @Override
    public boolean endNow(LeaseId id, LeaseState from, EndReason reason, String detail, Instant at) {
        if (from.isTerminal()) {
            throw new IllegalArgumentException("an ended lease cannot end again");
        }
        return db.update(
                        "UPDATE leases SET state = 'ended', end_reason = coalesce(end_reason, ?), detail = coalesce(detail, ?), ended_at = ? WHERE id = ? AND state = ?",
                        s -> {
                            s.setString(1, reason.wireName());
                            setNullable(s, 2, detail);
                            s.setLong(3, at.toEpochMilli());
                            s.setString(4, id.value());
                            s.setString(5, from.wireName());
                        })
                == 1;
    }

    @Override
    public boolean markEnded(LeaseId id, Instant at) {
        return db.update("UPDATE leases SET state = 'ended', ended_at = ? WHERE id = ? AND state = 'ending'", s -> {
                    s.setLong(1, at.toEpochMilli());
                    s.setString(2, id.value());
                })
                == 1;
    }

    @Override
    public boolean updateExpiry(LeaseId id, Instant expected, Instant newExpiry, Instant now) {
        return db.update(
                        "UPDATE leases SET expires_at = ? WHERE id = ? AND state = 'running' AND expires_at = ? AND expires_at > ? AND ? <= max_expires_at",
                        s -> {
                            s.setLong(1, newExpiry.toEpochMilli());
                            s.setString(2, id.value());
                            s.setLong(3, expected.toEpochMilli());
                            s.setLong(4, now.toEpochMilli());
                            s.setLong(5, newExpiry.toEpochMilli());
                        })
                == 1;
    }

    @Override
    public void markActivity(LeaseId id, Instant at) {
        db.update(
                "UPDATE leases SET last_activity_at = max(coalesce(last_activity_at, 0), ?) WHERE id = ? AND state = 'running'",
                s -> {
                    s.setLong(1, at.toEpochMilli());
                    s.setString(2, id.value());
                });
    }

    @Override
    public void markGraceEnd(LeaseId id, Optional<Instant> endsAt) {
        db.update("UPDATE leases SET grace_ends_at = ? WHERE id = ? AND state = 'running'", s -> {
            if (endsAt.isPresent()) {
                s.setLong(1, endsAt.get().toEpochMilli());
            } else {
                s.setNull(1, java.sql.Types.INTEGER);
            }
            s.setString(2, id.value());
        });
    }

    @Override
    public SessionMarks sessionMarks(LeaseId id) {
        return db
                .query(
                        "SELECT last_activity_at, grace_ends_at FROM leases WHERE id = ?",
                        s -> s.setString(1, id.value()),
                        rs -> {
                            long activity = rs.getLong(1);
                            boolean noActivity = rs.wasNull();
                            long grace = rs.getLong(2);
                            boolean noGrace = rs.wasNull();
                            return new SessionMarks(
                                    noActivity ? Optional.empty() : Optional.of(Instant.ofEpochMilli(activity)),
                                    noGrace ? Optional.empty() : Optional.of(Instant.ofEpochMilli(grace)));
                        })
                .stream()
                .findFirst()
                .orElse(SessionMarks.NONE);
    }

    @Override
    public void ping() {
        db.query("SELECT 1", s -> {}, rs -> rs.getInt(1));
    }

    @Override
    public void close() {
        db.close();
    }

    private static Lease toLease(ResultSet rs) throws SQLException {
        String reason = rs.getString("end_reason");
        long endedAt = rs.getLong("ended_at");
        boolean hasEndedAt = !rs.wasNull();
        return new Lease(
                new LeaseId(rs.getString("id")),
                rs.getString("image_type"),
                LeaseState.fromWireName(rs.getString("state")),
                Instant.ofEpochMilli(rs.getLong("created_at")),
                Instant.ofEpochMilli(rs.getLong("expires_at")),
                Instant.ofEpochMilli(rs.getLong("max_expires_at")),
                rs.getString("container_id"),
                reason == null ? null : EndReason.fromWireName(reason),
                hasEndedAt ? Instant.ofEpochMilli(endedAt) : null,
                rs.getString("detail"),
                new SessionRules(millis(rs, "disconnect_grace_ms"), millis(rs, "idle_timeout_ms")),
                rs.getString("owner"));
    }

    private static Optional<Duration> millis(ResultSet rs, String column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? Optional.empty() : Optional.of(Duration.ofMillis(value));
    }

    private static void setMillis(PreparedStatement s, int index, Optional<Duration> value) throws SQLException {
        if (value.isEmpty()) {
            s.setNull(index, Types.INTEGER);
        } else {
            s.setLong(index, value.get().toMillis());
        }
    }

    private static void setNullable(PreparedStatement s, int index, String value) throws SQLException {
        if (value == null) {
            s.setNull(index, Types.VARCHAR);
        } else {
            s.setString(index, value);
        }
    }
}
