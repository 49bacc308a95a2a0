package io.containerlease.store.sqlite;

import io.containerlease.lease.StoreException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One SQLite file in WAL mode with {@code synchronous=FULL} (an acknowledged write survives a kill -9),
 * its schema brought up to date on open. One connection serves every caller under a lock: SQLite
 * serialises writers anyway, and each statement here takes microseconds.
 */
final class SqliteDatabase implements AutoCloseable {
    private final Connection connection;
    private final ReentrantLock lock = new ReentrantLock();
    private final String instanceId;

    SqliteDatabase(String url) {
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

    String instanceId() {
        return instanceId;
    }

    interface Binder {
        void bind(PreparedStatement statement) throws SQLException;
    }

    interface RowMapper<T> {
        T map(ResultSet row) throws SQLException;
    }

    interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    int update(String sql, Binder binder) {
        return withConnection(c -> update(c, sql, binder));
    }

    static int update(Connection c, String sql, Binder binder) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            binder.bind(s);
            return s.executeUpdate();
        }
    }

    <T> List<T> query(String sql, Binder binder, RowMapper<T> mapper) {
        return withConnection(c -> query(c, sql, binder, mapper));
    }

    static <T> List<T> query(Connection c, String sql, Binder binder, RowMapper<T> mapper) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            binder.bind(s);
            try (ResultSet rs = s.executeQuery()) {
                List<T> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(mapper.map(rs));
                }
                return out;
            }
        }
    }

    /** Runs {@code work} alone on the connection, inside one transaction. */
    <T> T inTransaction(Work<T> work) {
        return withConnection(c -> {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        });
    }

    <T> T withConnection(Work<T> work) {
        lock.lock();
        try {
            return work.run(connection);
        } catch (SQLException e) {
            throw new StoreException("lease store: " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
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
        update(
                connection,
                "INSERT OR IGNORE INTO service_meta (key, value) VALUES ('instance_id', ?)",
                s -> s.setString(1, UUID.randomUUID().toString()));
        return query(
                        connection,
                        "SELECT value FROM service_meta WHERE key = 'instance_id'",
                        s -> {},
                        rs -> rs.getString(1))
                .get(0);
    }
}
