package io.containerlease.containers;

import static org.assertj.core.api.Assertions.assertThat;

import io.containerlease.lease.Caller;
import io.containerlease.lease.Lease;
import io.containerlease.lease.LeasePolicy;
import io.containerlease.lease.ProvisionRequest;
import io.containerlease.lease.SessionRules;
import io.containerlease.support.LeaseWorld;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Each running container is told its lease's expiry plus the margin, again after it starts, and after each extension. */
class ContainerDeadlinesTest {
    private static final Duration MARGIN = LeasePolicy.DEFAULT_DEADMAN_MARGIN;
    private final LeaseWorld world = new LeaseWorld();

    @AfterEach
    void close() {
        world.close();
    }

    private Lease provision() {
        Lease lease = world.leases.provision(
                new ProvisionRequest(
                        "busybox",
                        Duration.ofMinutes(30),
                        Map.of(),
                        new SessionRules(Optional.empty(), Optional.empty()),
                        Map.of(),
                        Map.of()),
                Caller.ANONYMOUS_ADMIN);
        settle();
        return lease;
    }

    /** Tells wait a moment after the change that calls for them. */
    private void settle() {
        world.scheduler.advance(ContainerDeadlines.SETTLE);
    }

    private Optional<Instant> held(Lease lease) {
        return world.runtime.heldDeadline(lease.containerId());
    }

    @Test
    void aNewContainerIsCreatedWithItsHardDeadlineAndThenHoldsItsExpiryPlusTheMargin() {
        Lease lease = provision();
        assertThat(world.runtime.all().get(0).deadline())
                .contains(lease.maxExpiresAt().plus(MARGIN));
        assertThat(held(lease)).contains(lease.expiresAt().plus(MARGIN));
        assertThat(world.runtime.holdCalls.get()).as("told once").isEqualTo(1);
        assertThat(world.deadlines.deadlineOf(lease))
                .isEqualTo(lease.expiresAt().plus(MARGIN));
    }

    @Test
    void anExtensionMovesTheContainersDeadline() {
        Lease lease = provision();
        Lease extended = world.leases
                .extend(lease.id(), Duration.ofMinutes(10), Caller.ANONYMOUS_ADMIN)
                .lease();
        assertThat(extended.expiresAt()).isAfter(lease.expiresAt());
        assertThat(world.deadlines.deadlineOf(extended))
                .as("until told")
                .isEqualTo(lease.maxExpiresAt().plus(MARGIN));
        settle();
        assertThat(held(lease)).contains(extended.expiresAt().plus(MARGIN));
        assertThat(world.deadlines.deadlineOf(extended))
                .isEqualTo(extended.expiresAt().plus(MARGIN));
    }

    @Test
    void aContainerStartedAgainHoldsItsHardDeadlineUntilItsStartIsSeenThenTheTighterOneAgain() {
        Lease lease = provision();
        world.runtime.stop(lease.containerId(), Duration.ofSeconds(1));
        world.containers.refresh(lease.id());
        world.runtime.start(lease.containerId());
        assertThat(held(lease)).contains(lease.maxExpiresAt().plus(MARGIN));

        world.containers.refresh(lease.id());
        settle();
        assertThat(held(lease)).contains(lease.expiresAt().plus(MARGIN));
    }

    @Test
    void aTellTheEngineMissesIsRetriedWithBackoffAndMeanwhileTheHardDeadlineIsWhatIsShown() {
        Lease lease = provision();
        world.runtime.unavailable = true;
        Lease extended = world.leases
                .extend(lease.id(), Duration.ofMinutes(10), Caller.ANONYMOUS_ADMIN)
                .lease();
        settle();
        int calls = world.runtime.holdCalls.get();
        assertThat(world.deadlines.deadlineOf(extended))
                .isEqualTo(lease.maxExpiresAt().plus(MARGIN));

        world.scheduler.advance(ContainerDeadlines.FIRST_RETRY.minusMillis(1));
        assertThat(world.runtime.holdCalls.get()).isEqualTo(calls);
        world.scheduler.advance(Duration.ofMillis(1));
        assertThat(world.runtime.holdCalls.get()).isEqualTo(calls + 1); // still down: the next try is later

        world.runtime.unavailable = false;
        world.scheduler.advance(ContainerDeadlines.FIRST_RETRY.multipliedBy(2));
        assertThat(held(lease)).contains(extended.expiresAt().plus(MARGIN));
        assertThat(world.deadlines.deadlineOf(extended))
                .isEqualTo(extended.expiresAt().plus(MARGIN));
    }

    @Test
    void aContainerThatNeverConfirmsIsTriedAFewTimesThenLeftAtItsHardDeadline() {
        Lease lease = provision();
        world.runtime.unavailable = true;
        world.leases.extend(lease.id(), Duration.ofMinutes(10), Caller.ANONYMOUS_ADMIN);
        int calls = world.runtime.holdCalls.get();
        world.scheduler.advance(Duration.ofMinutes(5));
        assertThat(world.runtime.holdCalls.get() - calls).isEqualTo(ContainerDeadlines.ATTEMPTS);
        world.runtime.unavailable = false;
    }

    @Test
    void anEndedLeasesContainerIsToldNothingMore() {
        Lease lease = provision();
        world.runtime.unavailable = true;
        world.leases.extend(lease.id(), Duration.ofMinutes(10), Caller.ANONYMOUS_ADMIN);
        int calls = world.runtime.holdCalls.get();
        world.deadlines.onEnding(lease.id(), io.containerlease.lease.EndReason.RELEASED);
        world.scheduler.advance(Duration.ofMinutes(5));
        assertThat(world.runtime.holdCalls.get()).isEqualTo(calls);
        world.runtime.unavailable = false;
    }

    /**
     * While provisions or removals use the engine (a burst; a restart's catch-up), a new or recovered
     * container is told later: it holds a later deadline meanwhile. An extension is told at once, and
     * nothing waits more than two minutes however busy the engine stays.
     */
    @Test
    void newAndRecoveredContainersAreToldOnceTheEngineIsFreeExtensionsAtOnce() {
        Lease recovered = provision();
        Lease fresh = provision();
        Lease extendedOne = provision();
        var busy = new java.util.concurrent.atomic.AtomicBoolean(true);
        var deadlines = new ContainerDeadlines(
                world.runtime,
                world.policy,
                world.store::find,
                Runnable::run,
                world.scheduler,
                new UrgentWorkFirst(busy::get));
        int calls = world.runtime.holdCalls.get();
        deadlines.onRecovered(recovered);
        deadlines.onRunning(fresh);
        settle();
        world.scheduler.advance(UrgentWorkFirst.STEP.multipliedBy(5));
        assertThat(world.runtime.holdCalls.get())
                .as("they wait while the engine is busy")
                .isEqualTo(calls);
        assertThat(deadlines.deadlineOf(fresh)).isEqualTo(fresh.maxExpiresAt().plus(MARGIN));
        deadlines.onExtended(extendedOne);
        settle();
        assertThat(world.runtime.holdCalls.get())
                .as("an extension does not wait")
                .isEqualTo(calls + 1);
        busy.set(false);
        world.scheduler.advance(UrgentWorkFirst.STEP);
        assertThat(world.runtime.holdCalls.get()).isEqualTo(calls + 3);
        assertThat(deadlines.deadlineOf(recovered))
                .isEqualTo(recovered.expiresAt().plus(MARGIN));
        assertThat(deadlines.deadlineOf(fresh)).isEqualTo(fresh.expiresAt().plus(MARGIN));

        busy.set(true);
        deadlines.onRecovered(fresh);
        settle();
        world.scheduler.advance(UrgentWorkFirst.STEP.multipliedBy(UrgentWorkFirst.MOST_STEPS - 1));
        assertThat(world.runtime.holdCalls.get()).isEqualTo(calls + 3);
        world.scheduler.advance(UrgentWorkFirst.STEP);
        assertThat(world.runtime.holdCalls.get())
                .as("told after two minutes however busy")
                .isEqualTo(calls + 4);
    }
}
