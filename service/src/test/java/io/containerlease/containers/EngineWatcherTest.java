package io.containerlease.containers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.containerlease.lease.Caller;
import io.containerlease.lease.ContainerEvents;
import io.containerlease.lease.Lease;
import io.containerlease.lease.LeaseId;
import io.containerlease.lease.ManagedLabels;
import io.containerlease.lease.ProvisionRequest;
import io.containerlease.lease.SessionRules;
import io.containerlease.schedule.RetryPolicy;
import io.containerlease.support.LeaseWorld;
import java.io.Closeable;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The event subscription with a hand-written event stream: events refresh, a broken stream is followed again and resynced. */
class EngineWatcherTest {
    /** An engine's event stream the test drives: each watch() is a subscription it can feed or break. */
    static final class ScriptedEvents implements ContainerEvents {
        final List<ContainerEvents.Sink> subscriptions = new CopyOnWriteArrayList<>();

        @Override
        public Closeable watch(String instanceId, Instant since, Sink sink) {
            subscriptions.add(sink);
            return () -> sink.closed(null);
        }

        ContainerEvents.Sink latest() {
            return subscriptions.get(subscriptions.size() - 1);
        }
    }

    private final LeaseWorld world = new LeaseWorld();
    private final ScriptedEvents events = new ScriptedEvents();
    private final EngineWatcher watcher = watcher(UrgentWorkFirst.NEVER);

    private EngineWatcher watcher(UrgentWorkFirst urgentFirst) {
        return new EngineWatcher(
                events,
                world.containers,
                "test-instance",
                world.scheduler,
                RetryPolicy.REMOVAL,
                new Random(1),
                world.clock,
                urgentFirst);
    }

    @AfterEach
    void close() {
        watcher.close();
        world.close();
    }

    private Lease provision() {
        return world.leases.provision(
                new ProvisionRequest(
                        "busybox", Duration.ofMinutes(10), Map.of(), SessionRules.NONE, Map.of(), Map.of()),
                Caller.ANONYMOUS_ADMIN);
    }

    @Test
    void anEventMakesTheLeaseStateBeAskedAgain() {
        Lease lease = provision();
        watcher.start();
        assertThat(world.containers.status(lease.id()).orElseThrow().state()).isEqualTo(ContainerStatus.State.RUNNING);
        world.runtime.exitByItself(ManagedLabels.containerName(lease.id()), 3);
        events.latest().event("c1", Optional.of(lease.id()), "die", Instant.now());
        await().atMost(Duration.ofSeconds(5))
                .until(() -> world.containers.status(lease.id()).orElseThrow().state() == ContainerStatus.State.EXITED);
        assertThat(world.containers.status(lease.id()).orElseThrow().exitCode()).contains(3);
    }

    @Test
    void aBrokenStreamIsFollowedAgainAndEveryLiveLeaseIsAskedAgain() {
        Lease lease = provision();
        watcher.start();
        await().atMost(Duration.ofSeconds(5)).until(() -> watcher.resyncs() == 1);
        // The container changes while nobody is listening: no event will ever say so.
        events.latest().closed(new java.io.IOException("engine restarted"));
        world.runtime.exitByItself(ManagedLabels.containerName(lease.id()), 9);
        assertThat(events.subscriptions).hasSize(1);
        world.scheduler.advance(Duration.ofSeconds(1));
        assertThat(events.subscriptions).hasSize(2);
        await().atMost(Duration.ofSeconds(5)).until(() -> watcher.resyncs() == 2);
        assertThat(world.containers.status(lease.id()).orElseThrow().state()).isEqualTo(ContainerStatus.State.EXITED);
    }

    @Test
    void eventsForAnEndedLeaseAreIgnored() {
        Lease lease = provision();
        watcher.start();
        world.leases.release(lease.id(), Caller.ANONYMOUS_ADMIN);
        events.latest().event("c1", Optional.of(lease.id()), "destroy", Instant.now());
        events.latest()
                .event("c2", Optional.of(LeaseId.generate(Instant.now(), new Random(2))), "start", Instant.now());
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(() -> true);
        assertThat(world.containers.status(lease.id())).isEmpty();
        assertThat(world.containers.tracked()).isEmpty();
    }

    @Test
    void aProvisionAndItsStartAskTheEngineNothingAndExecsAreLetPass() {
        watcher.start();
        await().atMost(Duration.ofSeconds(5)).until(() -> watcher.resyncs() == 1);
        int before = world.runtime.inspectCalls.get();
        Lease lease = provision();
        assertThat(world.runtime.inspectCalls.get()).isEqualTo(before);
        Instant started = Instant.parse("2026-12-04T08:00:00.123Z");
        var sink = events.latest();
        sink.event("c1", Optional.of(lease.id()), "start", started);
        sink.event("c1", Optional.of(lease.id()), "exec_create: sh", Instant.now());
        sink.event("c1", Optional.of(lease.id()), "exec_start: sh", Instant.now());
        sink.event("c1", Optional.of(lease.id()), "exec_die", Instant.now());
        sink.event("c1", Optional.of(lease.id()), "resize", Instant.now());
        await().atMost(Duration.ofSeconds(5))
                .until(() -> world.containers
                        .status(lease.id())
                        .orElseThrow()
                        .startedAt()
                        .isPresent());
        assertThat(world.containers.status(lease.id()).orElseThrow().startedAt())
                .contains(started);
        // An event that may mean a change is asked about; it comes after the others on the one worker.
        world.runtime.exitByItself(ManagedLabels.containerName(lease.id()), 1);
        sink.event("c1", Optional.of(lease.id()), "die", Instant.now());
        await().atMost(Duration.ofSeconds(5))
                .until(() -> world.containers.status(lease.id()).orElseThrow().state() == ContainerStatus.State.EXITED);
        assertThat(world.runtime.inspectCalls.get() - before).isEqualTo(1);
    }

    @Test
    void aContainerWhoseProgramEndedBeforeItsLeaseWasTrackedIsAskedAbout() {
        var states = new ContainerStates(world.runtime, type -> false);
        LeaseId id = LeaseId.generate(Instant.now(), new Random(3));
        world.runtime.plant(ManagedLabels.containerName(id), Map.of());
        world.runtime.exitByItself(ManagedLabels.containerName(id), 7);
        states.engineSaid(id, "die", Instant.now()); // heard while provisioning, before the lease ran here
        states.onRunning(lease(id, "busybox"));
        assertThat(states.status(id).orElseThrow().state()).isEqualTo(ContainerStatus.State.EXITED);
        assertThat(states.status(id).orElseThrow().exitCode()).contains(7);
    }

    @Test
    void aFreshContainerWithAHealthCheckStartsAsStartingWithoutAsking() {
        var states = new ContainerStates(world.runtime, type -> type.equals("checked"));
        LeaseId id = LeaseId.generate(Instant.now(), new Random(4));
        int before = world.runtime.inspectCalls.get();
        states.onRunning(lease(id, "checked"));
        assertThat(states.status(id).orElseThrow().health()).contains(ContainerStatus.Health.STARTING);
        assertThat(world.runtime.inspectCalls.get()).isEqualTo(before);
    }

    /**
     * The engine's own flag comes only with the container's end, and not always (its exit and its
     * kill are told apart): the event is what counts. A program killed in a loop costs one engine
     * call, and a start of the container clears what its last run suffered.
     */
    @Test
    void anOutOfMemoryEventCountsWhateverTheEngineSaysAndOnlyOnceARun() {
        watcher.start();
        await().atMost(Duration.ofSeconds(5)).until(() -> watcher.resyncs() == 1);
        Lease lease = provision();
        String name = ManagedLabels.containerName(lease.id());
        int before = world.runtime.inspectCalls.get();
        var sink = events.latest();
        sink.event("c1", Optional.of(lease.id()), "oom", Instant.now());
        await().atMost(Duration.ofSeconds(5))
                .until(() -> world.containers.status(lease.id()).orElseThrow().oomKilled());
        assertThat(world.containers.status(lease.id()).orElseThrow().state()).isEqualTo(ContainerStatus.State.RUNNING);
        for (int i = 0; i < 50; i++) {
            sink.event("c1", Optional.of(lease.id()), "oom", Instant.now());
        }
        world.runtime.exitByItself(name, 137); // the engine's flag stays false here
        sink.event("c1", Optional.of(lease.id()), "die", Instant.now());
        await().atMost(Duration.ofSeconds(5))
                .until(() -> world.containers.status(lease.id()).orElseThrow().state() == ContainerStatus.State.EXITED);
        assertThat(world.containers.status(lease.id()).orElseThrow().oomKilled())
                .isTrue();
        assertThat(world.runtime.inspectCalls.get() - before).isEqualTo(2);
        sink.event("c1", Optional.of(lease.id()), "start", Instant.now());
        await().atMost(Duration.ofSeconds(5))
                .until(() -> !world.containers.status(lease.id()).orElseThrow().oomKilled());
    }

    @Test
    void anOutOfMemoryKillHeardBeforeTheLeaseWasTrackedCounts() {
        var states = new ContainerStates(world.runtime, type -> false);
        LeaseId id = LeaseId.generate(Instant.now(), new Random(5));
        world.runtime.plant(ManagedLabels.containerName(id), Map.of());
        states.engineSaid(id, "oom", Instant.now());
        world.runtime.exitByItself(ManagedLabels.containerName(id), 137);
        states.engineSaid(id, "die", Instant.now());
        states.onRunning(lease(id, "busybox"));
        assertThat(states.status(id).orElseThrow().state()).isEqualTo(ContainerStatus.State.EXITED);
        assertThat(states.status(id).orElseThrow().oomKilled()).isTrue();
    }

    /** A restart's catch-up removes hundreds at once: the look at every live lease waits for it, events do not. */
    @Test
    void theLookAtEveryLeaseWaitsForRemovalsUnderWayButEventsDoNot() {
        Lease lease = provision();
        var removing = new java.util.concurrent.atomic.AtomicBoolean(true);
        try (EngineWatcher patient = watcher(new UrgentWorkFirst(removing::get))) {
            int before = world.runtime.inspectCalls.get();
            patient.start();
            world.scheduler.advance(UrgentWorkFirst.STEP.multipliedBy(3));
            assertThat(world.runtime.inspectCalls.get()).isEqualTo(before);
            world.runtime.exitByItself(ManagedLabels.containerName(lease.id()), 2);
            events.latest().event("c1", Optional.of(lease.id()), "die", Instant.now());
            await().atMost(Duration.ofSeconds(5))
                    .until(() ->
                            world.containers.status(lease.id()).orElseThrow().state() == ContainerStatus.State.EXITED);
            assertThat(patient.resyncs()).isZero();
            removing.set(false);
            world.scheduler.advance(UrgentWorkFirst.STEP);
            await().atMost(Duration.ofSeconds(5)).until(() -> patient.resyncs() == 1);
            assertThat(world.runtime.inspectCalls.get()).isEqualTo(before + 2);
        }
    }

    private static Lease lease(LeaseId id, String imageType) {
        return Lease.provisioning(
                        id,
                        imageType,
                        Instant.now(),
                        Duration.ofMinutes(5),
                        Duration.ofHours(1),
                        SessionRules.NONE,
                        "tester")
                .runningIn("c-" + id.value());
    }
}
