package io.containerlease.store;

import io.containerlease.lease.StoreException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.containerlease.lease.EndReason;
import io.containerlease.lease.Lease;
import io.containerlease.lease.LeaseId;
import io.containerlease.lease.LeaseState;
import io.containerlease.lease.SessionRules;
import io.containerlease.store.sqlite.SqliteLeaseStore;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteLeaseStoreTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final Set<LeaseState> LIVE = Set.of(LeaseState.PROVISIONING, LeaseState.RUNNING);

    @TempDir
    Path dir;
    private SqliteLeaseStore store;
    private final Random random = new Random(3);

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
            assertThat(version.getInt(1)).isEqualTo(4);
        }
    }

    @Test
    void aVersionOneDatabaseIsUpgradedWithItsLeases() throws Exception {
        Path old = dir.resolve("v1.db");
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + old); var s = c.createStatement();
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
            Lease lease = upgraded.find(new LeaseId("01kdvdna00q45fe1h7hk7nkrcv")).orElseThrow();
            assertThat(lease.state()).isEqualTo(LeaseState.RUNNING);
            assertThat(lease.rules()).isEqualTo(SessionRules.NONE);
        }
    }

    @Test
    void sessionRulesRoundTrip() {
        SessionRules rules = new SessionRules(Optional.of(Duration.ofSeconds(30)), Optional.of(Duration.ofMinutes(10)));
        Lease lease = Lease.provisioning(LeaseId.generate(T0, random), "busybox", T0, Duration.ofMinutes(5), Duration.ofHours(1), rules);
        store.insert(lease);
        assertThat(store.find(lease.id()).orElseThrow().rules()).isEqualTo(rules);
    }

    @Test
    void aNewerSchemaThanThisBuildKnowsIsRefused() throws Exception {
        store.close();
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("leases.db"));
             var s = c.createStatement()) {
            s.execute("PRAGMA user_version = 99");
        }
        assertThatThrownBy(() -> SqliteLeaseStore.open(dir.resolve("leases.db")))
                .isInstanceOf(StoreException.class).hasMessageContaining("schema version 99");
        store = SqliteLeaseStore.inMemory();
    }

    @Test
    void markRunningOnlyFromProvisioning() {
        Lease lease = inserted();
        assertThat(store.markRunning(lease.id(), "c1")).isTrue();
        assertThat(store.markRunning(lease.id(), "c2")).isFalse();
        assertThat(store.find(lease.id()).orElseThrow().containerId()).isEqualTo("c1");
    }

    @Test
    void theFirstEndReasonSticks() {
        Lease lease = running();
        assertThat(store.beginEnd(lease.id(), LIVE, EndReason.RELEASED, null)).isTrue();
        assertThat(store.beginEnd(lease.id(), LIVE, EndReason.FAILED, "late")).isFalse();
        assertThat(store.beginEndIfExpired(lease.id(), T0.plus(Duration.ofDays(1)))).isFalse();
        assertThat(store.endNow(lease.id(), LeaseState.RUNNING, EndReason.LOST, "x", T0)).isFalse();
        assertThat(store.markEnded(lease.id(), T0.plusSeconds(1))).isTrue();
        assertThat(store.markEnded(lease.id(), T0.plusSeconds(2))).isFalse();
        Lease ended = store.find(lease.id()).orElseThrow();
        assertThat(ended.state()).isEqualTo(LeaseState.ENDED);
        assertThat(ended.endReason()).isEqualTo(EndReason.RELEASED);
        assertThat(ended.endedAt()).isEqualTo(T0.plusSeconds(1));
    }

    @Test
    void expiryTransitionHappensOnlyOnceTheStoredExpiryHasPassed() {
        Lease lease = running();
        assertThat(store.beginEndIfExpired(lease.id(), lease.expiresAt().minusMillis(1))).isFalse();
        assertThat(store.beginEndIfExpired(lease.id(), lease.expiresAt())).isTrue();
        assertThat(store.find(lease.id()).orElseThrow().endReason()).isEqualTo(EndReason.EXPIRED);
    }

    @Test
    void expiryUpdateIsACompareAndSetWithinTheCap() {
        Lease lease = running();
        Instant later = lease.expiresAt().plusSeconds(60);
        assertThat(store.updateExpiry(lease.id(), lease.expiresAt().plusSeconds(1), later, T0)).isFalse();
        assertThat(store.updateExpiry(lease.id(), lease.expiresAt(), later, T0)).isTrue();
        assertThat(store.updateExpiry(lease.id(), lease.expiresAt(), later.plusSeconds(1), T0)).isFalse();
        assertThat(store.updateExpiry(lease.id(), later, lease.maxExpiresAt().plusSeconds(1), T0)).isFalse();
        assertThat(store.updateExpiry(lease.id(), later, later.plusSeconds(5), later)).isFalse();
        assertThat(store.find(lease.id()).orElseThrow().expiresAt()).isEqualTo(later);
    }

    @Test
    void endNowSkipsEndingForLeasesWithoutAContainer() {
        Lease lease = inserted();
        assertThat(store.endNow(lease.id(), LeaseState.PROVISIONING, EndReason.FAILED, "image missing", T0)).isTrue();
        Lease ended = store.find(lease.id()).orElseThrow();
        assertThat(ended.state()).isEqualTo(LeaseState.ENDED);
        assertThat(ended.detail()).isEqualTo("image missing");
        assertThat(store.countLive()).isZero();
    }

    @Test
    void pagesWalkEveryLeaseInCreationOrderAndHideEndedOnesByDefault() {
        List<Lease> leases = List.of(
                newLease(T0, Duration.ofMinutes(1)), newLease(T0.plusMillis(1), Duration.ofMinutes(1)),
                newLease(T0.plusMillis(2), Duration.ofMinutes(1)));
        leases.forEach(store::insert);
        store.endNow(leases.get(1).id(), LeaseState.PROVISIONING, EndReason.FAILED, null, T0);

        assertThat(store.page(false, Optional.empty(), 10)).extracting(Lease::id)
                .containsExactly(leases.get(0).id(), leases.get(2).id());
        List<Lease> first = store.page(true, Optional.empty(), 2);
        assertThat(first).extracting(Lease::id).containsExactly(leases.get(0).id(), leases.get(1).id());
        assertThat(store.page(true, Optional.of(first.get(1).id()), 2)).extracting(Lease::id)
                .containsExactly(leases.get(2).id());
        assertThat(store.listLive()).hasSize(2);
        assertThat(store.countLive()).isEqualTo(2);
    }

    private Lease inserted() {
        Lease lease = newLease(T0, Duration.ofMinutes(5));
        store.insert(lease);
        return lease;
    }

    private Lease running() {
        Lease lease = inserted();
        store.markRunning(lease.id(), "c1");
        return store.find(lease.id()).orElseThrow();
    }

    private Lease newLease(Instant at, Duration duration) {
        return Lease.provisioning(LeaseId.generate(at, random), "busybox", at, duration, Duration.ofHours(1));
    }
}
