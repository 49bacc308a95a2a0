package io.containerlease.store.sqlite;

import io.containerlease.lease.EndReason;
import io.containerlease.lease.Lease;
import io.containerlease.lease.LeaseId;
import io.containerlease.lease.LeaseState;
import io.containerlease.lease.SessionRules;
import io.containerlease.store.LeaseStore;
import io.containerlease.store.StoreException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Collectors;

/**
 * {@link LeaseStore} on one SQLite file in WAL mode with {@code synchronous=FULL}: a lease the API
 * acknowledged survives a kill -9 of the server.
 *
 * <p>One connection serves every caller under a lock. SQLite serialises writers anyway, and each
 * statement here takes microseconds, so a pool would add only contention and file handles.
 */
public final class SqliteLeaseStore implements LeaseStore {
    private static final String COLUMNS =
            "id, image_type, state, created_at, expires_at, max_expires_at, container_id, end_reason, ended_at, detail,"
                    + " disconnect_grace_ms, idle_timeout_ms";

    private final Connection connection;
    private final ReentrantLock lock = new ReentrantLock();
    private final String instanceId;

    private SqliteLeaseStore(String url) {
        try {
            connection = DriverManager.getConnection(url);
            try (Statement statement = connection.createStatement()) {
                statement.execute("PRAGMA journal_mode = WAL");
                statement.execute("PRAGMA synchronous = FULL");
                statement.execute("PRAGMA busy_timeout = 5000");
            }
            Migrations.apply(connection);
            instanceId = loadOrCreateInstanceId();
        } catch (SQLException e) {
            throw new StoreException("cannot open the lease store at " + url + ": " + e.getMessage(), e);
        }
    }

    /** Opens (creating if needed) the store file and brings its schema up to date. */
    public static SqliteLeaseStore open(Path file) {
        return new SqliteLeaseStore("jdbc:sqlite:" + file.toAbsolutePath());
    }

    /** A private in-memory database: real SQLite semantics for fast tests, gone on close. */
    public static SqliteLeaseStore inMemory() {
        return new SqliteLeaseStore("jdbc:sqlite::memory:");
    }

    @Override
    public String instanceId() {
        return instanceId;
    }

    @Override
    public void insert(Lease lease) {
        update("INSERT INTO leases (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", s -> {
            s.setString(1, lease.id().value());
            s.setString(2, lease.imageType());
            s.setString(3, lease.state().wireName());
            s.setLong(4, lease.createdAt().toEpochMilli());
            s.setLong(5, lease.expiresAt().toEpochMilli());
            s.setLong(6, lease.maxExpiresAt().toEpochMilli());
            setNullable(s, 7, lease.containerId());
            setNullable(s, 8, lease.endReason() == null ? null : lease.endReason().wireName());
            if (lease.endedAt() == null) {
                s.setNull(9, Types.INTEGER);
            } else {
                s.setLong(9, lease.endedAt().toEpochMilli());
            }
            setNullable(s, 10, lease.detail());
            setMillis(s, 11, lease.rules().disconnectGrace());
            setMillis(s, 12, lease.rules().idleTimeout());
        });
    }

    @Override
    public Optional<Lease> find(LeaseId id) {
        List<Lease> found = query("SELECT " + COLUMNS + " FROM leases WHERE id = ?", s -> s.setString(1, id.value()));
        return found.stream().findFirst();
    }

    @Override
    public List<Lease> listLive() {
        return query("SELECT " + COLUMNS + " FROM leases WHERE state <> 'ended' ORDER BY id", s -> {});
    }

    @Override
    public List<Lease> page(boolean includeEnded, Optional<LeaseId> after, int limit) {
        return query("SELECT " + COLUMNS + " FROM leases WHERE id > ? AND (? OR state <> 'ended') ORDER BY id LIMIT ?", s -> {
            s.setString(1, after.map(LeaseId::value).orElse(""));
            s.setBoolean(2, includeEnded);
            s.setInt(3, limit);
        });
    }

    @Override
    public long countLive() {
        return withConnection(c -> {
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT count(*) FROM leases WHERE state <> 'ended'")) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    @Override
    public boolean markRunning(LeaseId id, String containerId) {
        return update("UPDATE leases SET state = 'running', container_id = ? WHERE id = ? AND state = 'provisioning'", s -> {
            s.setString(1, containerId);
            s.setString(2, id.value());
        }) == 1;
    }

    @Override
    public boolean beginEnd(LeaseId id, Set<LeaseState> from, EndReason reason, String detail) {
        String states = from.stream().map(st -> "'" + st.wireName() + "'").collect(Collectors.joining(", "));
        if (from.isEmpty() || from.contains(LeaseState.ENDED) || from.contains(LeaseState.ENDING)) {
            throw new IllegalArgumentException("beginEnd moves only provisioning or running leases, not " + from);
        }
        return update("UPDATE leases SET state = 'ending', end_reason = ?, detail = ? WHERE id = ? AND state IN (" + states + ")", s -> {
            s.setString(1, reason.wireName());
            setNullable(s, 2, detail);
            s.setString(3, id.value());
        }) == 1;
    }

    @Override
    public boolean beginEndIfExpired(LeaseId id, Instant now) {
        return update("UPDATE leases SET state = 'ending', end_reason = 'expired' WHERE id = ? AND state = 'running' AND expires_at <= ?", s -> {
            s.setString(1, id.value());
            s.setLong(2, now.toEpochMilli());
        }) == 1;
    }

    @Override
    public boolean endNow(LeaseId id, LeaseState from, EndReason reason, String detail, Instant at) {
        if (from.isTerminal()) {
            throw new IllegalArgumentException("an ended lease cannot end again");
        }
        return update("UPDATE leases SET state = 'ended', end_reason = coalesce(end_reason, ?), detail = coalesce(detail, ?), ended_at = ? WHERE id = ? AND state = ?", s -> {
            s.setString(1, reason.wireName());
            setNullable(s, 2, detail);
            s.setLong(3, at.toEpochMilli());
            s.setString(4, id.value());
            s.setString(5, from.wireName());
        }) == 1;
    }

    @Override
    public boolean markEnded(LeaseId id, Instant at) {
        return update("UPDATE leases SET state = 'ended', ended_at = ? WHERE id = ? AND state = 'ending'", s -> {
            s.setLong(1, at.toEpochMilli());
            s.setString(2, id.value());
        }) == 1;
    }

    @Override
    public boolean updateExpiry(LeaseId id, Instant expected, Instant newExpiry, Instant now) {
        return update("UPDATE leases SET expires_at = ? WHERE id = ? AND state = 'running' AND expires_at = ? AND expires_at > ? AND ? <= max_expires_at", s -> {
            s.setLong(1, newExpiry.toEpochMilli());
            s.setString(2, id.value());
            s.setLong(3, expected.toEpochMilli());
            s.setLong(4, now.toEpochMilli());
            s.setLong(5, newExpiry.toEpochMilli());
        }) == 1;
    }

    @Override
    public void ping() {
        withConnection(c -> {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 1")) {
                return rs.next();
            }
        });
    }

    @Override
    public void close() {
        lock.lock();
        try {
            connection.close();
        } catch (SQLException e) {
            throw new StoreException("closing the lease store failed", e);
        } finally {
            lock.unlock();
        }
    }

    private String loadOrCreateInstanceId() throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT OR IGNORE INTO service_meta (key, value) VALUES ('instance_id', ?)")) {
            insert.setString(1, UUID.randomUUID().toString());
            insert.executeUpdate();
        }
        try (Statement s = connection.createStatement();
             ResultSet rs = s.executeQuery("SELECT value FROM service_meta WHERE key = 'instance_id'")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private interface Binder {
        void bind(PreparedStatement statement) throws SQLException;
    }

    private interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    private int update(String sql, Binder binder) {
        return withConnection(c -> {
            try (PreparedStatement s = c.prepareStatement(sql)) {
                binder.bind(s);
                return s.executeUpdate();
            }
        });
    }

    private List<Lease> query(String sql, Binder binder) {
        return withConnection(c -> {
            try (PreparedStatement s = c.prepareStatement(sql)) {
                binder.bind(s);
                try (ResultSet rs = s.executeQuery()) {
                    List<Lease> out = new ArrayList<>();
                    while (rs.next()) {
                        out.add(toLease(rs));
                    }
                    return out;
                }
            }
        });
    }

    private <T> T withConnection(Work<T> work) {
        lock.lock();
        try {
            return work.run(connection);
        } catch (SQLException e) {
            throw new StoreException("lease store: " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
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
                new SessionRules(millis(rs, "disconnect_grace_ms"), millis(rs, "idle_timeout_ms")));
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
