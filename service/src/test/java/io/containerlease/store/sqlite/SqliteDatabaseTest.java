package io.containerlease.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.containerlease.lease.StoreException;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Writes made together are committed together; each is atomic by itself and on disk when it returns. */
class SqliteDatabaseTest {
    @TempDir
    Path dir;

    private SqliteDatabase db;
    private String url;

    @BeforeEach
    void open() {
        url = "jdbc:sqlite:" + dir.resolve("test.db");
        db = new SqliteDatabase(url);
        db.update("CREATE TABLE t (x INTEGER UNIQUE)", s -> {});
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void writersArrivingWhileACommitRunsShareTheNextOne() throws Exception {
        CountDownLatch inFirst = new CountDownLatch(1);
        CountDownLatch letFirstGo = new CountDownLatch(1);
        long before = db.commits();
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<Integer> first = threads.submit(() -> db.inTransaction(c -> {
                inFirst.countDown();
                await(letFirstGo); // a slow sync to disk, while 100 more writes come
                return SqliteDatabase.update(c, "INSERT INTO t VALUES (0)", s -> {});
            }));
            inFirst.await();
            List<Future<Integer>> rest = new ArrayList<>();
            for (int i = 1; i <= 100; i++) {
                int x = i;
                rest.add(threads.submit(() -> db.update("INSERT INTO t VALUES (?)", s -> s.setInt(1, x))));
            }
            Thread.sleep(300);
            letFirstGo.countDown();
            assertThat(first.get()).isEqualTo(1);
            for (Future<Integer> f : rest) {
                assertThat(f.get()).isEqualTo(1);
            }
        }
        assertThat(db.commits() - before).isEqualTo(2);
        assertThat(rowsSeenByAnotherConnection()).isEqualTo(101);
    }

    @Test
    void aWriteThatFailsUndoesOnlyItselfAndTheOthersInItsGroupStay() throws Exception {
        CountDownLatch inFirst = new CountDownLatch(1);
        CountDownLatch letFirstGo = new CountDownLatch(1);
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<Integer> first = threads.submit(() -> db.inTransaction(c -> {
                inFirst.countDown();
                await(letFirstGo);
                return SqliteDatabase.update(c, "INSERT INTO t VALUES (1)", s -> {});
            }));
            inFirst.await();
            // Two statements, the second refused: neither stays.
            Future<Integer> broken = threads.submit(() -> db.inTransaction(c -> {
                SqliteDatabase.update(c, "INSERT INTO t VALUES (2)", s -> {});
                return SqliteDatabase.update(c, "INSERT INTO t VALUES (1)", s -> {});
            }));
            Future<Integer> fine = threads.submit(() -> db.update("INSERT INTO t VALUES (3)", s -> {}));
            Thread.sleep(300);
            letFirstGo.countDown();
            assertThat(first.get()).isEqualTo(1);
            assertThat(fine.get()).isEqualTo(1);
            assertThatThrownBy(broken::get).hasCauseInstanceOf(StoreException.class);
        }
        assertThat(db.query("SELECT x FROM t ORDER BY x", s -> {}, rs -> rs.getInt(1)))
                .containsExactly(1, 3);
    }

    @Test
    void aWriteAloneIsCommittedBeforeItReturns() {
        long before = db.commits();
        db.update("INSERT INTO t VALUES (7)", s -> {});
        assertThat(db.commits() - before).isEqualTo(1);
        assertThat(rowsSeenByAnotherConnection()).isEqualTo(1);
        assertThatThrownBy(() -> db.update("INSERT INTO t VALUES (7)", s -> {}))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("UNIQUE");
    }

    private int rowsSeenByAnotherConnection() {
        try (var other = DriverManager.getConnection(url);
                var s = other.createStatement();
                var rs = s.executeQuery("SELECT count(*) FROM t")) {
            rs.next();
            return rs.getInt(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
