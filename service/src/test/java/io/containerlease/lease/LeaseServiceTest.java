package io.containerlease.lease;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.containerlease.support.LeaseWorld;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LeaseServiceTest {
    private final LeaseWorld world = new LeaseWorld();

    @AfterEach
    void close() {
        world.close();
    }

    @Test
    void aLeaseThatComesDueWhileTheStoreIsDownEndsAsSoonAsItIsBack() {
        Lease lease = provision(Duration.ofSeconds(10), Map.of());
        world.storeDown.set(true);
        world.scheduler.advance(Duration.ofSeconds(10));
        world.scheduler.advance(Duration.ofSeconds(5)); // the timer keeps asking
        assertThat(world.runtime.all()).hasSize(1);
        world.storeDown.set(false);
        world.scheduler.advance(LeaseService.STORE_RETRY);
        Lease ended = world.leases.get(lease.id(), io.containerlease.lease.Caller.ANONYMOUS_ADMIN);
        assertThat(ended.state()).isEqualTo(LeaseState.ENDED);
        assertThat(ended.endReason()).isEqualTo(EndReason.EXPIRED);
        assertThat(world.runtime.all()).isEmpty();
    }

    @Test
    void provisionCreatesALabelledContainerAfterStoringTheLease() {
        Lease lease = provision(Duration.ofMinutes(5), Map.of("GREETING", "hi"));
        assertThat(lease.state()).isEqualTo(LeaseState.RUNNING);
        assertThat(lease.expiresAt()).isEqualTo(lease.createdAt().plus(Duration.ofMinutes(5)));
        var container =
                world.runtime.container(ManagedLabels.containerName(lease.id())).orElseThrow();
        assertThat(container.labels())
                .containsEntry(ManagedLabels.LEASE_ID, lease.id().value())
                .containsEntry(ManagedLabels.INSTANCE, world.store.instanceId())
                .containsEntry(ManagedLabels.IMAGE_TYPE, "busybox")
                .containsEntry(ManagedLabels.CREATED_AT, lease.createdAt().toString())
                .containsEntry(ManagedLabels.EXPIRES_AT, lease.expiresAt().toString());
        assertThat(container.env()).containsEntry("GREETING", "hi");
        assertThat(lease.containerId()).isEqualTo(container.id());
    }

    @Test
    void theTimerEndsTheLeaseAtItsExpiryAndRecordsTheLag() {
        Lease lease = provision(Duration.ofSeconds(10), Map.of());
        world.scheduler.advance(Duration.ofMillis(9_999));
        assertThat(world.leases
                        .get(lease.id(), io.containerlease.lease.Caller.ANONYMOUS_ADMIN)
                        .state())
                .isEqualTo(LeaseState.RUNNING);
        world.scheduler.advance(Duration.ofMillis(1));
        Lease ended = world.leases.get(lease.id(), io.containerlease.lease.Caller.ANONYMOUS_ADMIN);
        assertThat(ended.state()).isEqualTo(LeaseState.ENDED);
        assertThat(ended.endReason()).isEqualTo(EndReason.EXPIRED);
        assertThat(ended.endedAt()).isEqualTo(lease.expiresAt());
        assertThat(world.runtime.all()).isEmpty();
        assertThat(world.registry.get("containerlease.expiry.lag").summary().count())
                .isEqualTo(1);
        assertThat(world.registry
                        .get("containerlease.expiry.start.lag")
                        .summary()
                        .max())
                .isZero();
    }

    @Test
    void everyLifecycleStepLogsOneLineNamingTheLease() {
        try (var lines = io.containerlease.support.LogLines.of(LeaseService.class)) {
            Lease lease = provision(Duration.ofSeconds(10), Map.of());
            world.scheduler.advance(Duration.ofSeconds(10));
            assertThat(lines.templates())
                    .extracting(m -> m.replace(" {}", ""))
                    .containsExactly("lease provisioning", "lease running", "lease expiring", "lease ended");
            assertThat(lines.messages())
                    .allSatisfy(
                            m -> assertThat(m).contains("leaseId=" + lease.id().value()));
        }
    }

    @Test
    void anExtensionMovesTheTimer() {
        Lease lease = provision(Duration.ofSeconds(10), Map.of());
        var extended =
                world.leases.extend(lease.id(), Duration.ofSeconds(20), io.containerlease.lease.Caller.ANONYMOUS_ADMIN);
        assertThat(extended.granted().expiresAt()).isEqualTo(lease.expiresAt().plusSeconds(20));
        assertThat(extended.granted().clamped()).isFalse();
        world.scheduler.advance(Duration.ofSeconds(29));
        assertThat(world.leases
                        .get(lease.id(), io.containerlease.lease.Caller.ANONYMOUS_ADMIN)
                        .state())
                .isEqualTo(LeaseState.RUNNING);
        world.scheduler.advance(Duration.ofSeconds(1));
        assertThat(world.leases
                        .get(lease.id(), io.containerlease.lease.Caller.ANONYMOUS_ADMIN)
                        .endReason())
                .isEqualTo(EndReason.EXPIRED);
    }

    @Test
    void anExtensionNeverPassesTheWholeLifeCap() {
        Lease lease = provision(Duration.ofHours(23), Map.of());
        var extended =
                world.leases.extend(lease.id(), Duration.ofHours(5), io.containerlease.lease.Caller.ANONYMOUS_ADMIN);
        assertThat(extended.granted().clamped()).isTrue();
        assertThat(extended.lease().expiresAt()).isEqualTo(lease.createdAt().plus(LeaseWorld.MAX_LIFE));
        var again =
                world.leases.extend(lease.id(), Duration.ofMinutes(1), io.containerlease.lease.Caller.ANONYMOUS_ADMIN);
        assertThat(again.granted().clamped()).isTrue();
        assertThat(again.lease().expiresAt()).isEqualTo(lease.maxExpiresAt());
    }

    @Test
    void onlyRunningLeasesCanBeExtended() {
        Lease lease = provision(Duration.ofSeconds(10), Map.of());
        world.leases.release(lease.id(), io.containerlease.lease.Caller.ANONYMOUS_ADMIN);
        assertThatThrownBy(() -> world.leases.extend(
                        lease.id(), Duration.ofMinutes(1), io.containerlease.lease.Caller.ANONYMOUS_ADMIN))
                .isInstanceOf(LeaseConflictException.class)
                .hasMessageContaining("ended (released)");
    }

    @Test
    void releaseRemovesTheContainerAndIsIdempotent() {
        Lease lease = provision(Duration.ofMinutes(5), Map.of());
        Lease released = world.leases.release(lease.id(), io.containerlease.lease.Caller.ANONYMOUS_ADMIN);
        assertThat(released.state()).isEqualTo(LeaseState.ENDED);
        assertThat(released.endReason()).isEqualTo(EndReason.RELEASED);
        assertThat(world.runtime.all()).isEmpty();
        assertThat(world.leases
                        .release(lease.id(), io.containerlease.lease.Caller.ANONYMOUS_ADMIN)
                        .endReason())
                .isEqualTo(EndReason.RELEASED);
        // The cancelled timer must not turn the released lease into an expired one.
        world.scheduler.advance(Duration.ofMinutes(10));
        assertThat(world.leases
                        .get(lease.id(), io.containerlease.lease.Caller.ANONYMOUS_ADMIN)
                        .endReason())
                .isEqualTo(EndReason.RELEASED);
    }

    @Test
    void releaseAnswersPendingWhileTheEngineIsDownAndFinishesLater() {
        Lease lease = provision(Duration.ofMinutes(5), Map.of());
        world.runtime.unavailable = true;
        assertThatThrownBy(() -> world.leases.release(lease.id(), io.containerlease.lease.Caller.ANONYMOUS_ADMIN))
                .isInstanceOf(RemovalPendingException.class);
        assertThat(world.leases
                        .get(lease.id(), io.containerlease.lease.Caller.ANONYMOUS_ADMIN)
                        .state())
                .isEqualTo(LeaseState.ENDING);
        world.runtime.unavailable = false;
        world.scheduler.advance(Duration.ofSeconds(1));
        assertThat(world.leases
                        .get(lease.id(), io.containerlease.lease.Caller.ANONYMOUS_ADMIN)
                        .state())
                .isEqualTo(LeaseState.ENDED);
        assertThat(world.runtime.all()).isEmpty();
    }

    @Test
    void unknownImageTypesAndBadDurationsAreRefusedBeforeAnythingIsStored() {
        assertThatThrownBy(() -> world.leases.provision(
                        new ProvisionRequest("windows", Duration.ofMinutes(1), Map.of()),
                        io.containerlease.lease.Caller.ANONYMOUS_ADMIN))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("busybox, ticker, echo, app, web, alpine, ubuntu");
        assertThatThrownBy(() -> world.leases.provision(
                        new ProvisionRequest("busybox", Duration.ofDays(2), Map.of()),
                        io.containerlease.lease.Caller.ANONYMOUS_ADMIN))
                .isInstanceOf(InvalidRequestException.class);
        assertThat(world.store.page(true, java.util.Optional.empty(), 10)).isEmpty();
    }

    @Test
    void aMissingImageLeavesNoContainerAndNoLiveLease() {
        assertThatThrownBy(() -> world.leases.provision(
                        new ProvisionRequest("alpine", Duration.ofMinutes(1), Map.of()),
                        io.containerlease.lease.Caller.ANONYMOUS_ADMIN))
                .isInstanceOf(ImageUnavailableException.class);
        assertThat(world.runtime.all()).isEmpty();
        assertThat(world.store.countLive()).isZero();
        Lease failed = world.store.page(true, java.util.Optional.empty(), 1).get(0);
        assertThat(failed.endReason()).isEqualTo(EndReason.FAILED);
        assertThat(failed.detail()).contains("alpine");
    }

    @Test
    void anEngineOutageDuringProvisioningFailsTheLeaseAndLeavesNothingOnceTheEngineIsBack() {
        world.runtime.unavailable = true;
        assertThatThrownBy(() -> provision(Duration.ofMinutes(1), Map.of()))
                .isInstanceOf(RuntimeUnavailableException.class);
        assertThat(world.store.countLive()).isZero();
        world.runtime.unavailable = false;
        assertThat(provision(Duration.ofMinutes(1), Map.of()).state()).isEqualTo(LeaseState.RUNNING);
    }

    /** The reconciler lists containers before leases; a lease whose container is there after all is not lost. */
    @Test
    void aLeaseIsEndedAsLostOnlyWhenItsContainerIsReallyGone() {
        Lease lease = provision(Duration.ofMinutes(5), Map.of());
        world.leases.endIfLost(lease.id());
        assertThat(world.leases.get(lease.id(), Caller.ANONYMOUS_ADMIN).state()).isEqualTo(LeaseState.RUNNING);
        world.runtime.vanish(ManagedLabels.containerName(lease.id()));
        world.leases.endIfLost(lease.id());
        assertThat(world.leases.get(lease.id(), Caller.ANONYMOUS_ADMIN).endReason())
                .isEqualTo(EndReason.LOST);
    }

    @Test
    void aReleaseThatRacesProvisioningLeavesNoContainerBehindEvenBeforeTheNextPass() {
        world.runtime.duringCreate = spec -> {
            world.runtime.duringCreate = s -> {};
            world.leases.release(new LeaseId(spec.labels().get(ManagedLabels.LEASE_ID)), Caller.ANONYMOUS_ADMIN);
        };
        assertThatThrownBy(() -> provision(Duration.ofMinutes(5), Map.of()))
                .isInstanceOfSatisfying(
                        LeaseConflictException.class, e -> assertThat(e.code()).isEqualTo("lease_ended"));
        assertThat(world.runtime.all())
                .as("removed by the provisioning itself, no reconcile pass ran")
                .isEmpty();
        assertThat(world.store.countLive()).isZero();
    }

    @Test
    void aLeaseWhoseTimeIsUpButNotYetRemovedCannotBeExtended() {
        Lease lease = provision(Duration.ofMinutes(1), Map.of());
        world.clock.advance(Duration.ofMinutes(2)); // time passes, but its timer has not run yet
        assertThatThrownBy(() -> world.leases.extend(lease.id(), Duration.ofMinutes(5), Caller.ANONYMOUS_ADMIN))
                .isInstanceOfSatisfying(
                        LeaseConflictException.class, e -> assertThat(e.code()).isEqualTo("lease_not_running"));
        assertThat(world.store.find(lease.id()).orElseThrow().expiresAt()).isEqualTo(lease.expiresAt());
    }

    @Test
    void aReleaseCancelsTheExpiryTimerInsteadOfLeavingItUntilTheOldExpiry() {
        Lease lease = provision(Duration.ofHours(1), Map.of());
        assertThat(world.timers.size()).isEqualTo(1);
        world.leases.release(lease.id(), Caller.ANONYMOUS_ADMIN);
        assertThat(world.timers.size()).isZero();
    }

    /**
     * After a downtime the pass finds many leases past their expiry: it records them all in one
     * write and ends each as expired; a removal that fails holds up only its own lease, which ends
     * once a retry removes its container. (Which goes first is the removal queue's: RemovalWorkerTest.)
     */
    @Test
    void aPassEndsEveryExpiryItFindsAndAFailedRemovalHoldsUpOnlyItsOwn() {
        java.util.List<Lease> leases = java.util.List.of(
                provision(Duration.ofMinutes(30), Map.of()),
                provision(Duration.ofMinutes(10), Map.of()),
                provision(Duration.ofMinutes(20), Map.of()));
        world.clock.advance(Duration.ofHours(1)); // the timers never ran: the server was down
        world.runtime.failNextRemovals.set(1);
        var pass = world.reaper.pass();
        assertThat(pass.expired())
                .containsExactlyInAnyOrderElementsOf(
                        leases.stream().map(Lease::id).toList());
        pass.expire().get();
        java.util.function.Function<Lease, LeaseState> state =
                l -> world.leases.get(l.id(), Caller.ANONYMOUS_ADMIN).state();
        assertThat(leases)
                .extracting(state)
                .containsExactlyInAnyOrder(LeaseState.ENDED, LeaseState.ENDED, LeaseState.ENDING);
        world.scheduler.advance(Duration.ofMinutes(1));
        assertThat(leases).extracting(state).containsOnly(LeaseState.ENDED);
        assertThat(leases)
                .extracting(
                        l -> world.leases.get(l.id(), Caller.ANONYMOUS_ADMIN).endReason())
                .containsOnly(EndReason.EXPIRED);
    }

    @Test
    void aVanishedContainerEndsItsLeaseAsLost() {
        Lease lease = provision(Duration.ofMinutes(5), Map.of());
        world.runtime.vanish(ManagedLabels.containerName(lease.id()));
        world.reaper.runOnce();
        Lease lost = world.leases.get(lease.id(), io.containerlease.lease.Caller.ANONYMOUS_ADMIN);
        assertThat(lost.state()).isEqualTo(LeaseState.ENDED);
        assertThat(lost.endReason()).isEqualTo(EndReason.LOST);
    }

    @Test
    void theReconcilerRemovesOrphansButNotOtherInstancesContainers() {
        String orphan = ManagedLabels.containerName(LeaseId.generate(world.clock.instant(), new java.util.Random(9)));
        world.runtime.plant(
                orphan, Map.of(ManagedLabels.INSTANCE, world.store.instanceId(), ManagedLabels.LEASE_ID, "not-an-id"));
        world.runtime.plant("stranger", Map.of(ManagedLabels.INSTANCE, "another-instance"));
        world.reaper.runOnce();
        assertThat(world.runtime.container(orphan)).isEmpty();
        assertThat(world.runtime.container("stranger")).isPresent();
    }

    @Test
    void aProvisioningLeftByAnEarlierProcessIsFailedAndCleanedUp() {
        Lease abandoned = Lease.provisioning(
                LeaseId.generate(world.clock.instant(), new java.util.Random(2)),
                "busybox",
                world.clock.instant(),
                Duration.ofMinutes(5),
                LeaseWorld.MAX_LIFE);
        world.store.insert(abandoned);
        world.runtime.plant(
                ManagedLabels.containerName(abandoned.id()),
                ManagedLabels.forLease(abandoned, world.store.instanceId()));
        world.reaper.runOnce();
        Lease failed = world.leases.get(abandoned.id(), io.containerlease.lease.Caller.ANONYMOUS_ADMIN);
        assertThat(failed.state()).isEqualTo(LeaseState.ENDED);
        assertThat(failed.endReason()).isEqualTo(EndReason.FAILED);
        assertThat(world.runtime.all()).isEmpty();
    }

    @Test
    void reconcilePassesCarryOnAfterAFailedPass() {
        world.reaper.start();
        world.runtime.unavailable = true;
        world.scheduler.advance(LeaseWorld.RECONCILE_INTERVAL);
        assertThat(world.registry
                        .get("containerlease.reconcile.passes")
                        .tag("outcome", "failed")
                        .counter()
                        .count())
                .isEqualTo(1);
        world.runtime.unavailable = false;
        world.scheduler.advance(LeaseWorld.RECONCILE_INTERVAL);
        assertThat(world.registry
                        .get("containerlease.reconcile.passes")
                        .tag("outcome", "clean")
                        .counter()
                        .count())
                .isEqualTo(1);
    }

    private Lease provision(Duration duration, Map<String, String> env) {
        return world.leases.provision(
                new ProvisionRequest("busybox", duration, env), io.containerlease.lease.Caller.ANONYMOUS_ADMIN);
    }
}
