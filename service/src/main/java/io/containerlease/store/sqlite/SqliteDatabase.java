package io.containerlease.store.sqlite;

import io.containerlease.lease.StoreException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One SQLite file in WAL mode with {@code synchronous=FULL} (an acknowledged write survives a kill -9),
 * its schema brought up to date on open. One connection serves every caller under a lock: SQLite
 * serialises writers anyway, and each statement here takes microseconds.
 *
 * <p>What takes time is the sync to disk of each commit (milliseconds when the disk is busy, as it is
 * while the engine removes containers), so writes are committed in groups: a writer that finds no
 * commit under way commits every write waiting then, its own among them, in one transaction (each
 * write in a savepoint of its own, so one that fails undoes only itself); writers that come
 * meanwhile go together in the next. A write that comes alone is committed at once, as before; a
 * hundred expiries or ends at once cost a few syncs, not a hundred.
 */
final class SqliteDatabase implements AutoCloseable {
    /** Most writes in one commit: a transaction holds the database while it runs. */
    static final int MOST_PER_COMMIT = 256;

    private final Connection connection;
    private final ReentrantLock lock = new ReentrantLock();
    private final String instanceId;

    private record Write<T>(Work<T> work, CompletableFuture<T> done) {}

    private final ConcurrentLinkedQueue<Write<?>> waiting = new ConcurrentLinkedQueue<>();
    /** Groups committed so far (for tests). */
    private final java.util.concurrent.atomic.AtomicLong commits = new java.util.concurrent.atomic.AtomicLong();

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

    /** One statement that changes something, committed (with whatever else is waiting) before it returns. */
    int update(String sql, Binder binder) {
        return write(c -> update(c, sql, binder));
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

    /** Runs {@code work} alone on the connection, all of it or nothing, committed before it returns. */
    <T> T inTransaction(Work<T> work) {
        return write(work);
    }

    /**
     * Runs {@code work} as one atomic write, committed before this returns, in a group with the
     * writes waiting when its commit begins.
     *
     * @throws StoreException when it failed (nothing of it stays) or its commit did
     */
    private <T> T write(Work<T> work) {
        if (lock.isHeldByCurrentThread()) {
            return withConnection(work); // already inside a write or a read of this thread's
        }
        Write<T> mine = new Write<>(work, new CompletableFuture<>());
        waiting.add(mine);
        while (!mine.done().isDone()) {
            lock.lock();
            try {
                if (!mine.done().isDone()) {
                    commitWaiting();
                }
            } finally {
                lock.unlock();
            }
        }
        try {
            return mine.done().join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    /** Under the lock: every write waiting (up to {@link #MOST_PER_COMMIT}) in one transaction. */
    private void commitWaiting() {
        List<Write<?>> group = new ArrayList<>();
        for (Write<?> w; group.size() < MOST_PER_COMMIT && (w = waiting.poll()) != null; ) {
            group.add(w);
        }
        if (group.isEmpty()) {
            return;
        }
        List<Runnable> succeeded = new ArrayList<>();
        try {
            connection.setAutoCommit(false);
            try {
                for (Write<?> write : group) {
                    Savepoint before = connection.setSavepoint();
                    try {
                        succeeded.add(run(write));
                        connection.releaseSavepoint(before);
                    } catch (SQLException | RuntimeException e) {
                        connection.rollback(before);
                        connection.releaseSavepoint(before);
                        write.done().completeExceptionally(failure(e));
                    }
                }
                connection.commit();
                commits.incrementAndGet();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        } catch (SQLException | RuntimeException e) {
            RuntimeException failed = failure(e);
            group.forEach(w -> w.done().completeExceptionally(failed));
            return;
        }
        succeeded.forEach(Runnable::run); // the group is on disk: each writer may go on
    }

    long commits() {
        return commits.get();
    }

    /** Runs one write; what completes it once its commit is done. */
    private <T> Runnable run(Write<T> write) throws SQLException {
        T result = write.work().run(connection);
        return () -> write.done().complete(result);
    }

    private static RuntimeException failure(Exception e) {
        return e instanceof SQLException sql
                ? new StoreException("lease store: " + sql.getMessage(), sql)
                : (RuntimeException) e;
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
