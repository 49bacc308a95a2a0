package io.containerlease.reaper;

import static org.assertj.core.api.Assertions.assertThat;

import io.containerlease.lease.EndReason;
import io.containerlease.lease.Lease;
import io.containerlease.lease.LeaseId;
import io.containerlease.lease.LeaseState;
import io.containerlease.lease.ManagedContainer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ReconcilerTest {
    private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");
    private final Random random = new Random(5);

    @Test
    void aRunningLeaseWithItsContainerBeforeExpiryNeedsNothing() {
        Lease lease = lease(LeaseState.RUNNING, NOW.plusSeconds(60));
        assertThat(decide(List.of(container(lease.id())), List.of(lease), Set.of()))
                .isEmpty();
    }

    @Test
    void anExpiredRunningLeaseIsExpiredEvenIfItsTimerWasLost() {
        Lease lease = lease(LeaseState.RUNNING, NOW);
        assertThat(decide(List.of(container(lease.id())), List.of(lease), Set.of()))
                .containsExactly(new ReconcileAction.Expire(lease.id()));
    }

    @Test
    void aRunningLeaseWithoutContainerIsCheckedForLoss() {
        Lease lease = lease(LeaseState.RUNNING, NOW.plusSeconds(60));
        assertThat(decide(List.of(), List.of(lease), Set.of()))
                .containsExactly(new ReconcileAction.CheckLost(lease.id()));
    }

    @Test
    void provisioningIsLeftAloneWhileInFlightAndFailedWhenAbandoned() {
        Lease lease = lease(LeaseState.PROVISIONING, NOW.plusSeconds(60));
        assertThat(decide(List.of(), List.of(lease), Set.of(lease.id()))).isEmpty();
        assertThat(decide(List.of(container(lease.id())), List.of(lease), Set.of()))
                .containsExactly(new ReconcileAction.FailInterrupted(lease.id()));
    }

    @Test
    void anEndingLeaseIsFinished() {
        Lease lease = lease(LeaseState.ENDING, NOW.plusSeconds(60));
        assertThat(decide(List.of(container(lease.id())), List.of(lease), Set.of()))
                .containsExactly(new ReconcileAction.FinishEnding(lease.id()));
    }

    @Test
    void containersWithoutALiveLeaseAreOrphans() {
        LeaseId gone = LeaseId.generate(NOW, random);
        ManagedContainer ofEndedLease = container(gone);
        ManagedContainer unlabelled = new ManagedContainer("c-x", Optional.empty(), true);
        assertThat(decide(List.of(ofEndedLease, unlabelled), List.of(), Set.of()))
                .containsExactlyInAnyOrder(
                        new ReconcileAction.RemoveOrphan(ofEndedLease.containerId(), Optional.of(gone)),
                        new ReconcileAction.RemoveOrphan("c-x", Optional.empty()));
    }

    @Test
    void anotherServersLeasesGetNoDecisionHereAndTheirContainersAreNotOrphans() {
        Lease expired = lease(LeaseState.RUNNING, NOW.minusSeconds(1));
        Lease abandoned = lease(LeaseState.PROVISIONING, NOW.plusSeconds(60));
        Lease ours = lease(LeaseState.ENDING, NOW.plusSeconds(60));
        var snapshot = new Reconciler.Snapshot(
                NOW,
                List.of(container(expired.id()), container(ours.id())),
                Set.of(),
                List.of(expired, abandoned, ours),
                Set.of(ours.id()),
                Set.of(),
                Set.of());
        assertThat(Reconciler.decide(snapshot)).containsExactly(new ReconcileAction.FinishEnding(ours.id()));
    }

    @Test
    void resourcesOfLeasesThatAreNotLiveAreReleased() {
        Lease live = lease(LeaseState.RUNNING, NOW.plusSeconds(60));
        Lease provisioning = lease(LeaseState.PROVISIONING, NOW.plusSeconds(60));
        LeaseId gone = lease(LeaseState.RUNNING, NOW.plusSeconds(60)).id();
        var snapshot = new Reconciler.Snapshot(
                NOW,
                List.of(container(live.id())),
                Set.of(live.id(), provisioning.id(), gone),
                List.of(live),
                Set.of(live.id()),
                Set.of(provisioning.id()),
                Set.of());
        assertThat(Reconciler.decide(snapshot)).containsExactly(new ReconcileAction.ReleaseResources(gone));
    }

    @Test
    void underTheConservativePolicyAnOrphanOfAnotherLiveServerIsLeftToIt() {
        LeaseId gone = LeaseId.generate(NOW, random);
        var ofLiveServer = new ManagedContainer("c-1", Optional.of(gone), true, Optional.of("server-b"));
        var ofDeadServer = new ManagedContainer("c-2", Optional.of(gone), true, Optional.of("server-c"));
        var snapshot = new Reconciler.Snapshot(
                NOW, List.of(ofLiveServer, ofDeadServer), Set.of(), List.of(), Set.of(), Set.of(), Set.of("server-b"));
        assertThat(Reconciler.decide(snapshot))
                .containsExactly(new ReconcileAction.RemoveOrphan("c-2", Optional.of(gone)));
    }

    @Test
    void warmPoolContainersOfThisServerAndOfLiveServersStayUnderEitherPolicyWithTheirResources() {
        LeaseId mine = LeaseId.generate(NOW, random);
        LeaseId ofLive = LeaseId.generate(NOW, random);
        LeaseId ofDead = LeaseId.generate(NOW, random);
        var waitingHere =
                new ManagedContainer("c-1", Optional.of(mine), true, Optional.of("server-a"), Optional.of("busybox"));
        var waitingThere =
                new ManagedContainer("c-2", Optional.of(ofLive), true, Optional.of("server-b"), Optional.of("busybox"));
        var ofDeadPool =
                new ManagedContainer("c-3", Optional.of(ofDead), true, Optional.of("server-c"), Optional.of("busybox"));
        // The aggressive policy names no live server for orphans; pools are judged by the live servers all the same.
        var snapshot = new Reconciler.Snapshot(
                NOW,
                List.of(waitingHere, waitingThere, ofDeadPool),
                Set.of(mine),
                List.of(),
                Set.of(),
                Set.of(),
                Set.of(),
                new Reconciler.Pools(Set.of(mine), Set.of("server-b")));
        assertThat(Reconciler.decide(snapshot))
                .containsExactly(new ReconcileAction.RemoveOrphan("c-3", Optional.of(ofDead)));
    }

    private static List<ReconcileAction> decide(
            List<ManagedContainer> containers, List<Lease> leases, Set<LeaseId> inFlight) {
        return Reconciler.decide(new Reconciler.Snapshot(NOW, containers, leases, inFlight));
    }

    private Lease lease(LeaseState state, Instant expiresAt) {
        Instant created = expiresAt.minusSeconds(120);
        EndReason reason = state == LeaseState.ENDING ? EndReason.RELEASED : null;
        return new Lease(
                LeaseId.generate(created, random),
                "busybox",
                state,
                created,
                expiresAt,
                created.plus(Duration.ofHours(1)),
                null,
                reason,
                null,
                null,
                io.containerlease.lease.SessionRules.NONE,
                "anonymous");
    }

    private static ManagedContainer container(LeaseId id) {
        return new ManagedContainer("c-" + id.value(), Optional.of(id), true);
    }
}
