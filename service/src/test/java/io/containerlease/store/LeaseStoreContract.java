package io.containerlease.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.containerlease.activity.ActivityEntry;
import io.containerlease.activity.ActivityLog;
import io.containerlease.lease.EndReason;
import io.containerlease.lease.Lease;
import io.containerlease.lease.LeaseId;
import io.containerlease.lease.LeaseState;
import io.containerlease.lease.LeaseStore;
import io.containerlease.lease.Quota;
import io.containerlease.lease.SessionRules;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * What every lease store promises, whatever keeps the data: run against SQLite
 * ({@link SqliteLeaseStoreTest}) and Redis ({@code RedisLeaseStoreIT}). A subclass sets
 * {@link #store} before each test.
 */
abstract class LeaseStoreContract {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final Set<LeaseState> LIVE = Set.of(LeaseState.PROVISIONING, LeaseState.RUNNING);

    DurableStore store;
    final Random random = new Random(3);

    @Test
    void sessionRulesRoundTrip() {
        SessionRules rules = new SessionRules(Optional.of(Duration.ofSeconds(30)), Optional.of(Duration.ofMinutes(10)));
        Lease lease = Lease.provisioning(
                LeaseId.generate(T0, random), "busybox", T0, Duration.ofMinutes(5), Duration.ofHours(1), rules);
        store.insert(lease);
        assertThat(store.find(lease.id()).orElseThrow().rules()).isEqualTo(rules);
    }

    @Test
    void theServerThatMakesALeaseHoldsIt() {
        Lease lease = inserted();
        assertThat(store.holder(lease.id())).contains(store.serverId());
        assertThat(store.holder(LeaseId.generate(T0, random))).isEmpty();
    }

    @Test
    void aLeaseMayBeRecordedRunningAtOnce() {
        // A warm pool's container exists before its lease: one write records the lease as running in it.
        Lease lease = Lease.provisioning(
                        LeaseId.generate(T0, random), "busybox", T0, Duration.ofMinutes(5), Duration.ofHours(1))
                .runningIn("warm-container");
        assertThat(store.insert(lease, new Quota(5, 5))).isEqualTo(Quota.Outcome.INSERTED);
        Lease found = store.find(lease.id()).orElseThrow();
        assertThat(found.state()).isEqualTo(LeaseState.RUNNING);
        assertThat(found.containerId()).isEqualTo("warm-container");
        assertThat(store.listLive()).extracting(Lease::id).contains(lease.id());
        assertThat(store.beginEndIfExpired(lease.id(), lease.expiresAt())).isTrue();
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
        assertThat(store.beginEndIfExpired(lease.id(), T0.plus(Duration.ofDays(1))))
                .isFalse();
        assertThat(store.endNow(lease.id(), LeaseState.RUNNING, EndReason.LOST, "x", T0))
                .isFalse();
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
        assertThat(store.beginEndIfExpired(lease.id(), lease.expiresAt().minusMillis(1)))
                .isFalse();
        assertThat(store.beginEndIfExpired(lease.id(), lease.expiresAt())).isTrue();
        assertThat(store.find(lease.id()).orElseThrow().endReason()).isEqualTo(EndReason.EXPIRED);
    }

    @Test
    void expiriesAndEndsOfManyLeasesAreRecordedTogetherAndOnlyWhereTheyApply() {
        Lease due = running();
        Lease alsoDue = running();
        Lease notYet = inserted();
        store.markRunning(notYet.id(), "c3");
        store.updateExpiry(notYet.id(), notYet.expiresAt(), notYet.expiresAt().plusSeconds(60), T0);
        Lease released = running();
        store.beginEnd(released.id(), LIVE, EndReason.RELEASED, null);
        Instant at = due.expiresAt();
        assertThat(store.beginEndIfExpired(java.util.List.of(due.id(), alsoDue.id(), notYet.id(), released.id()), at))
                .containsExactlyInAnyOrder(due.id(), alsoDue.id());
        assertThat(store.find(notYet.id()).orElseThrow().state()).isEqualTo(LeaseState.RUNNING);
        assertThat(store.find(released.id()).orElseThrow().endReason()).isEqualTo(EndReason.RELEASED);
        assertThat(store.markEnded(java.util.List.of(due.id(), released.id(), notYet.id()), at.plusSeconds(1)))
                .containsExactlyInAnyOrder(due.id(), released.id());
        assertThat(store.find(due.id()).orElseThrow().endedAt()).isEqualTo(at.plusSeconds(1));
        assertThat(store.find(alsoDue.id()).orElseThrow().state()).isEqualTo(LeaseState.ENDING);
        assertThat(store.find(notYet.id()).orElseThrow().state()).isEqualTo(LeaseState.RUNNING);
        assertThat(store.markEnded(java.util.List.of(), at)).isEmpty();
    }

    @Test
    void expiryUpdateIsACompareAndSetWithinTheCap() {
        Lease lease = running();
        Instant later = lease.expiresAt().plusSeconds(60);
        assertThat(store.updateExpiry(lease.id(), lease.expiresAt().plusSeconds(1), later, T0))
                .isFalse();
        assertThat(store.updateExpiry(lease.id(), lease.expiresAt(), later, T0)).isTrue();
        assertThat(store.updateExpiry(lease.id(), lease.expiresAt(), later.plusSeconds(1), T0))
                .isFalse();
        assertThat(store.updateExpiry(lease.id(), later, lease.maxExpiresAt().plusSeconds(1), T0))
                .isFalse();
        assertThat(store.updateExpiry(lease.id(), later, later.plusSeconds(5), later))
                .isFalse();
        assertThat(store.find(lease.id()).orElseThrow().expiresAt()).isEqualTo(later);
    }

    @Test
    void endNowSkipsEndingForLeasesWithoutAContainer() {
        Lease lease = inserted();
        assertThat(store.endNow(lease.id(), LeaseState.PROVISIONING, EndReason.FAILED, "image missing", T0))
                .isTrue();
        Lease ended = store.find(lease.id()).orElseThrow();
        assertThat(ended.state()).isEqualTo(LeaseState.ENDED);
        assertThat(ended.detail()).isEqualTo("image missing");
        assertThat(store.countLive()).isZero();
    }

    @Test
    void pagesWalkEveryLeaseInCreationOrderAndHideEndedOnesByDefault() {
        List<Lease> leases = List.of(
                newLease(T0, Duration.ofMinutes(1)),
                newLease(T0.plusMillis(1), Duration.ofMinutes(1)),
                newLease(T0.plusMillis(2), Duration.ofMinutes(1)));
        leases.forEach(store::insert);
        store.endNow(leases.get(1).id(), LeaseState.PROVISIONING, EndReason.FAILED, null, T0);

        assertThat(store.page(false, Optional.empty(), 10))
                .extracting(Lease::id)
                .containsExactly(leases.get(0).id(), leases.get(2).id());
        List<Lease> first = store.page(true, Optional.empty(), 2);
        assertThat(first)
                .extracting(Lease::id)
                .containsExactly(leases.get(0).id(), leases.get(1).id());
        assertThat(store.page(true, Optional.of(first.get(1).id()), 2))
                .extracting(Lease::id)
                .containsExactly(leases.get(2).id());
        assertThat(store.listLive()).hasSize(2);
        assertThat(store.countLive()).isEqualTo(2);
    }

    @Test
    void theQuotaIsCheckedWithTheInsertPerOwnerAndInAll() {
        Quota quota = new Quota(2, 3);
        assertThat(store.insert(owned("alice", T0), quota)).isEqualTo(Quota.Outcome.INSERTED);
        assertThat(store.insert(owned("alice", T0.plusMillis(1)), quota)).isEqualTo(Quota.Outcome.INSERTED);
        Lease third = owned("alice", T0.plusMillis(2));
        assertThat(store.insert(third, quota)).isEqualTo(Quota.Outcome.OWNER_FULL);
        assertThat(store.find(third.id())).isEmpty();
        assertThat(store.insert(owned("bob", T0.plusMillis(3)), quota)).isEqualTo(Quota.Outcome.INSERTED);
        assertThat(store.insert(owned("carol", T0.plusMillis(4)), quota)).isEqualTo(Quota.Outcome.SERVICE_FULL);
        // An ended lease frees its place.
        Lease alices =
                store.page(Optional.of("alice"), false, Optional.empty(), 10).get(0);
        store.endNow(alices.id(), LeaseState.PROVISIONING, EndReason.FAILED, null, T0);
        assertThat(store.insert(owned("carol", T0.plusMillis(5)), quota)).isEqualTo(Quota.Outcome.INSERTED);
        assertThat(store.countLive()).isEqualTo(3);
    }

    @Test
    void anOwnersPagesHoldOnlyTheirLeases() {
        Lease a1 = owned("alice", T0);
        Lease b1 = owned("bob", T0.plusMillis(1));
        Lease a2 = owned("alice", T0.plusMillis(2));
        List.of(a1, b1, a2).forEach(store::insert);
        store.endNow(a1.id(), LeaseState.PROVISIONING, EndReason.FAILED, null, T0);
        assertThat(store.page(Optional.of("alice"), false, Optional.empty(), 10))
                .extracting(Lease::id)
                .containsExactly(a2.id());
        assertThat(store.page(Optional.of("alice"), true, Optional.empty(), 10))
                .extracting(Lease::id)
                .containsExactly(a1.id(), a2.id());
        assertThat(store.page(Optional.of("alice"), true, Optional.of(a1.id()), 10))
                .extracting(Lease::id)
                .containsExactly(a2.id());
        assertThat(store.page(Optional.of("nobody"), true, Optional.empty(), 10))
                .isEmpty();
    }

    @Test
    void purgingForgetsOnlyLeasesThatEndedBeforeTheCutoff() {
        Lease old = inserted();
        Lease recent = newLease(T0.plusMillis(1), Duration.ofMinutes(5));
        store.insert(recent);
        Lease live = newLease(T0.plusMillis(2), Duration.ofMinutes(5));
        store.insert(live);
        store.endNow(old.id(), LeaseState.PROVISIONING, EndReason.FAILED, null, T0);
        store.endNow(recent.id(), LeaseState.PROVISIONING, EndReason.FAILED, null, T0.plusSeconds(60));
        assertThat(store.purgeEndedBefore(T0.plusSeconds(30), 10)).isEqualTo(1);
        assertThat(store.find(old.id())).isEmpty();
        assertThat(store.find(recent.id())).isPresent();
        assertThat(store.page(true, Optional.empty(), 10))
                .extracting(Lease::id)
                .containsExactly(recent.id(), live.id());
        assertThat(store.purgeEndedBefore(T0.plusSeconds(3600), 10)).isEqualTo(1);
        assertThat(store.find(live.id())).isPresent();
    }

    @Test
    void theActivityLogPagesNewestFirstAndFilters() {
        ActivityLog log = store.activityLog();
        for (int i = 0; i < 7; i++) {
            log.record(new ActivityEntry(
                    0,
                    T0.plusSeconds(i),
                    i % 2 == 0 ? "alice" : "bob",
                    "provision",
                    "lease-" + (i % 3),
                    i == 0 ? null : "127.0.0.1",
                    "succeeded",
                    "entry " + i));
        }
        List<ActivityEntry> first = log.page(Optional.empty(), Optional.empty(), 0, 3);
        assertThat(first).extracting(ActivityEntry::reason).containsExactly("entry 6", "entry 5", "entry 4");
        List<ActivityEntry> next =
                log.page(Optional.empty(), Optional.empty(), first.get(2).seq(), 3);
        assertThat(next).extracting(ActivityEntry::reason).containsExactly("entry 3", "entry 2", "entry 1");
        assertThat(log.page(Optional.of("alice"), Optional.empty(), 0, 10))
                .extracting(ActivityEntry::reason)
                .containsExactly("entry 6", "entry 4", "entry 2", "entry 0");
        assertThat(log.page(Optional.of("bob"), Optional.of("lease-0"), 0, 10))
                .extracting(ActivityEntry::reason)
                .containsExactly("entry 3");
        ActivityEntry oldest =
                log.page(Optional.empty(), Optional.empty(), 0, 10).get(6);
        assertThat(oldest.client()).isNull();
        assertThat(oldest.at()).isEqualTo(T0);
        assertThat(log.purgeBefore(Instant.now().plusSeconds(60), 5)).isEqualTo(5);
        assertThat(log.page(Optional.empty(), Optional.empty(), 0, 10)).hasSize(2);
    }

    @Test
    void sessionMarksAreKeptForARunningLeaseAndTheLaterActivityWins() {
        Lease lease = running();
        assertThat(store.sessionMarks(lease.id())).isEqualTo(LeaseStore.SessionMarks.NONE);
        store.markActivity(lease.id(), T0.plusSeconds(20));
        store.markActivity(lease.id(), T0.plusSeconds(10)); // a late write from elsewhere does not go back in time
        store.markGraceEnd(lease.id(), Optional.of(T0.plusSeconds(90)));
        assertThat(store.sessionMarks(lease.id()))
                .isEqualTo(
                        new LeaseStore.SessionMarks(Optional.of(T0.plusSeconds(20)), Optional.of(T0.plusSeconds(90))));
        store.markGraceEnd(lease.id(), Optional.empty());
        assertThat(store.sessionMarks(lease.id()).graceEndsAt()).isEmpty();
        Lease provisioning = inserted();
        store.markActivity(provisioning.id(), T0);
        assertThat(store.sessionMarks(provisioning.id()))
                .as("only a running lease is marked")
                .isEqualTo(LeaseStore.SessionMarks.NONE);
    }

    Lease inserted() {
        Lease lease = newLease(T0, Duration.ofMinutes(5));
        store.insert(lease);
        return lease;
    }

    Lease running() {
        Lease lease = inserted();
        store.markRunning(lease.id(), "c1");
        return store.find(lease.id()).orElseThrow();
    }

    Lease newLease(Instant at, Duration duration) {
        return Lease.provisioning(LeaseId.generate(at, random), "busybox", at, duration, Duration.ofHours(1));
    }

    Lease owned(String owner, Instant at) {
        return Lease.provisioning(
                LeaseId.generate(at, random),
                "busybox",
                at,
                Duration.ofMinutes(5),
                Duration.ofHours(1),
                SessionRules.NONE,
                owner);
    }
}
