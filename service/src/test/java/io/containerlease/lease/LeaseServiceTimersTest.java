package io.containerlease.lease;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.containerlease.support.LeaseWorld;
import io.containerlease.support.RecordingListener;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Who holds a lease's expiry timer, and who is told it runs: a lease that ends by any path leaves
 * no timer behind; one taken back at start or from a dead server gets its timer and is announced;
 * the expiry callback's own answers.
 */
class LeaseServiceTimersTest {
    private final LeaseWorld world = new LeaseWorld();
    private final RecordingListener recorder = new RecordingListener();

    LeaseServiceTimersTest() {
        world.leases.addListener(recorder);
    }

    @AfterEach
    void close() {
        world.close();
    }

    private Lease provision() {
        return world.provisionBusybox(Duration.ofMinutes(30));
    }

    @Test
    void aLostLeaseLeavesNoTimerAndIsCounted() {
        Lease lease = provision();
        assertThat(world.timers.size()).isEqualTo(1);
        world.runtime.remove(lease.containerId());
        world.leases.endIfLost(lease.id());
        assertThat(world.timers.size()).isZero();
        assertThat(world.registry
                        .get("containerlease.leases.ended")
                        .tag("reason", "lost")
                        .counter()
                        .count())
                .isEqualTo(1);
    }

    @Test
    void aLeaseEndedByASessionRuleLeavesNoTimer() {
        Lease lease = provision();
        world.leases.end(lease.id(), EndReason.IDLE).join();
        assertThat(world.timers.size()).isZero();
        assertThatThrownBy(() -> world.leases.end(lease.id(), EndReason.RELEASED))
                .as("only session and exit rules end a lease this way")
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aProvisioningLeftByAnEarlierProcessIsAnnouncedFailed() {
        Lease abandoned = Lease.provisioning(
                LeaseId.generate(world.clock.instant(), new Random(2)),
                "busybox",
                world.clock.instant(),
                Duration.ofMinutes(5),
                LeaseWorld.MAX_LIFE);
        world.store.insert(abandoned);
        world.leases.failInterrupted(abandoned.id()).join();
        assertThat(recorder.ends()).containsExactly("ending failed", "ended failed");
        assertThat(world.store.find(abandoned.id()).orElseThrow().detail())
                .isEqualTo("provisioning was interrupted by a server restart");
        // Asked again (a second pass), nothing more happens.
        world.leases.failInterrupted(abandoned.id()).join();
        assertThat(recorder.ends()).hasSize(2);
    }

    @Test
    void aProvisionInFlightIsKnownWhileItLastsAndIsNotFailedByThePass() {
        var seen = new CopyOnWriteArrayList<Set<LeaseId>>();
        world.runtime.duringCreate = spec -> {
            Set<LeaseId> now = world.leases.inFlight();
            seen.add(now);
            now.forEach(id -> world.leases.failInterrupted(id).join()); // a reconcile pass meanwhile
        };
        Lease lease = provision();
        assertThat(seen).hasSize(1);
        assertThat(seen.get(0)).containsExactly(lease.id());
        assertThat(lease.state()).isEqualTo(LeaseState.RUNNING);
        assertThat(world.leases.inFlight()).isEmpty();
    }

    @Test
    void atStartEachRunningLeaseGetsItsTimerAndIsAnnouncedRecovered() {
        Lease lease = provision();
        world.timers.cancel(lease.id()); // as after a restart: the store has it, no timer does
        recorder.heard.clear();
        world.leases.armTimers(java.util.Set.of());
        assertThat(world.timers.size()).isEqualTo(1);
        assertThat(recorder.heard).containsExactly("recovered " + lease.id().value());
        world.scheduler.advance(Duration.ofMinutes(30));
        assertThat(world.store.find(lease.id()).orElseThrow().state()).isEqualTo(LeaseState.ENDED);
    }

    @Test
    void adoptingADeadServersLeasesTakesOnlyTheRunningOnes() {
        Lease running = provision();
        Lease released = provision();
        world.leases.release(released.id(), Caller.ANONYMOUS_ADMIN);
        recorder.heard.clear();
        world.timers.cancel(running.id());
        world.leases.adopt(List.of(running.id(), released.id()));
        assertThat(recorder.heard).containsExactly("recovered " + running.id().value());
        assertThat(world.timers.size()).isEqualTo(1);
    }

    @Test
    void aLeaseWhoseTimeIsUpButNotYetEndedCannotBeExtendedAndSaysSo() {
        Lease lease = provision();
        world.clock.advance(Duration.ofMinutes(30)); // the clock moved; the timer has not run yet
        assertThatThrownBy(() -> world.leases.extend(lease.id(), Duration.ofMinutes(5), Caller.ANONYMOUS_ADMIN))
                .isInstanceOf(LeaseConflictException.class)
                .hasMessage("lease " + lease.id() + " is expiring; only a running lease can be extended");
    }

    @Test
    void theExpiryCallbackAnswersWhenItsWorkIsDone() {
        Lease lease = provision();
        // Early (a timer that fired a hair before its time): nothing to do, done at once, timer kept.
        var early = world.leases.expire(lease.id());
        assertThat(early).isCompleted();
        assertThat(world.timers.size()).isEqualTo(1);
        // Due: done once the container is gone.
        world.clock.advance(Duration.ofMinutes(30));
        world.leases.expire(lease.id()).join();
        assertThat(world.runtime.all()).isEmpty();
        assertThat(world.store.find(lease.id()).orElseThrow().state()).isEqualTo(LeaseState.ENDED);
        assertThat(world.registry
                        .get("containerlease.expiry.start.lag")
                        .summary()
                        .count())
                .isEqualTo(1);
    }
}
