package io.containerlease.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.containerlease.lease.Lease;
import io.containerlease.lease.LeaseId;
import io.containerlease.lease.LeaseState;
import io.containerlease.lease.SessionRules;
import io.containerlease.lease.StoreException;
import io.containerlease.store.sqlite.SqliteLeaseStore;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The contract on SQLite, and what only SQLite has: a file that survives reopening, its schema versions. */
class SqliteLeaseStoreTest extends LeaseStoreContract {
    @TempDir
    Path dir;

    @BeforeEach
    void open() {
        store = SqliteLeaseStore.open(dir.resolve("leases.db"));
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void leasesAndTheInstanceIdSurviveReopening() {
        Lease lease = newLease(T0, Duration.ofMinutes(5));
        store.insert(lease);
        store.markRunning(lease.id(), "c1");
        String instance = store.instanceId();
        store.close();

        store = SqliteLeaseStore.open(dir.resolve("leases.db"));
        assertThat(store.instanceId()).isEqualTo(instance);
        Lease read = store.find(lease.id()).orElseThrow();
        assertThat(read.state()).isEqualTo(LeaseState.RUNNING);
        assertThat(read.containerId()).isEqualTo("c1");
        assertThat(read.expiresAt()).isEqualTo(lease.expiresAt());
    }

    @Test
    void storeIsInWalModeWithTheSchemaVersioned() throws Exception {
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("leases.db"));
                var s = c.createStatement()) {
            var mode = s.executeQuery("PRAGMA journal_mode");
            mode.next();
            assertThat(mode.getString(1)).isEqualToIgnoringCase("wal");
            var version = s.executeQuery("PRAGMA user_version");
            version.next();
            assertThat(version.getInt(1)).isEqualTo(5);
        }
    }

    @Test
    void aVersionOneDatabaseIsUpgradedWithItsLeases() throws Exception {
        Path old = dir.resolve("v1.db");
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + old);
                var s = c.createStatement();
                var in = getClass().getResourceAsStream("/db/migration/V1__create_leases.sql")) {
            for (String part : new String(in.readAllBytes()).split(";\\s*\\n")) {
                if (!part.isBlank()) {
                    s.execute(part);
                }
            }
            s.execute("INSERT INTO leases (id, image_type, state, created_at, expires_at, max_expires_at)"
                    + " VALUES ('01kdvdna00q45fe1h7hk7nkrcv', 'busybox', 'running', 0, 60000, 3600000)");
            s.execute("PRAGMA user_version = 1");
        }
        try (SqliteLeaseStore upgraded = SqliteLeaseStore.open(old)) {
            Lease lease =
                    upgraded.find(new LeaseId("01kdvdna00q45fe1h7hk7nkrcv")).orElseThrow();
            assertThat(lease.state()).isEqualTo(LeaseState.RUNNING);
            assertThat(lease.rules()).isEqualTo(SessionRules.NONE);
        }
    }

    @Test
    void aNewerSchemaThanThisBuildKnowsIsRefused() throws Exception {
        store.close();
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("leases.db"));
                var s = c.createStatement()) {
            s.execute("PRAGMA user_version = 99");
        }
        assertThatThrownBy(() -> SqliteLeaseStore.open(dir.resolve("leases.db")))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("schema version 99");
        store = SqliteLeaseStore.inMemory();
    }
}
