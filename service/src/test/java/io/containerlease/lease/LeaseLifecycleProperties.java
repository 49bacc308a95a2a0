package io.containerlease.lease;

import static org.assertj.core.api.Assertions.assertThat;

import io.containerlease.support.FakeRuntime;
import io.containerlease.support.LeaseWorld;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * Random sequences of everything that can happen to leases (requests, time passing, engine
 * outages, failed removals, containers vanishing, timers lost) run against the real core with a
 * fake engine and a fake clock.
 */
class LeaseLifecycleProperties {

    sealed interface Op {}

    record Provision(int seconds) implements Op {}

    record Release(int index) implements Op {}

    record Extend(int index, int seconds) implements Op {}

    record Advance(int millis) implements Op {}

    record EngineDown() implements Op {}

    record EngineUp() implements Op {}

    record FailRemovals(int count) implements Op {}

    record Vanish(int index) implements Op {}

    record LoseTimer(int index) implements Op {}

    /** Every lease ends, in exactly one terminal state, and its end reason never changes once set. */
    @Property(tries = 150)
    void everyLeaseEndsInExactlyOneTerminalState(@ForAll("anything") List<Op> ops, @ForAll long seed) {
        try (LeaseWorld world = new LeaseWorld(seed)) {
            world.reaper.start();
            List<LeaseId> ids = new ArrayList<>();
            Map<LeaseId, EndReason> firstReason = new HashMap<>();
            for (Op op : ops) {
                apply(world, ids, op);
                checkReasonsNeverChange(world, ids, firstReason);
            }
            // Whatever happened, once the engine answers and time runs past every cap, all is over.
            world.runtime.unavailable = false;
            world.scheduler.advance(LeaseWorld.MAX_LIFE.plus(LeaseWorld.RECONCILE_INTERVAL.multipliedBy(4)));
            checkReasonsNeverChange(world, ids, firstReason);
            for (LeaseId id : ids) {
                Lease lease = world.leases.get(id, io.containerlease.lease.Caller.ANONYMOUS_ADMIN);
                assertThat(lease.state()).as("state of %s", id).isEqualTo(LeaseState.ENDED);
                assertThat(lease.endReason()).isNotNull();
                assertThat(lease.endedAt()).isNotNull();
            }
            assertThat(world.runtime.all()).isEmpty();
            assertThat(world.store.countLive()).isZero();
        }
    }

    /**
     * With a healthy engine, no container outlives its lease by more than one reconcile interval,
     * even when expiry timers are lost.
     */
    @Property(tries = 150)
    void noContainerOutlivesItsLeaseByMoreThanTheReconcileBound(
            @ForAll("healthyEngine") List<Op> ops, @ForAll long seed) {
        try (LeaseWorld world = new LeaseWorld(seed)) {
            world.reaper.start();
            List<LeaseId> ids = new ArrayList<>();
            for (Op op : ops) {
                apply(world, ids, op);
                for (FakeRuntime.Container container : world.runtime.all()) {
                    LeaseId id = new LeaseId(container.labels().get(ManagedLabels.LEASE_ID));
                    Lease lease = world.leases.get(id, io.containerlease.lease.Caller.ANONYMOUS_ADMIN);
                    assertThat(world.clock.instant())
                            .as("container of %s still there", id)
                            .isBeforeOrEqualTo(lease.expiresAt().plus(LeaseWorld.RECONCILE_INTERVAL));
                }
            }
        }
    }

    private static void apply(LeaseWorld world, List<LeaseId> ids, Op op) {
        try {
            switch (op) {
                case Provision p ->
                    ids.add(world.leases
                            .provision(
                                    new ProvisionRequest("busybox", Duration.ofSeconds(p.seconds()), Map.of()),
                                    io.containerlease.lease.Caller.ANONYMOUS_ADMIN)
                            .id());
                case Release r ->
                    pick(ids, r.index())
                            .ifPresent(id -> world.leases.release(id, io.containerlease.lease.Caller.ANONYMOUS_ADMIN));
                case Extend e ->
                    pick(ids, e.index())
                            .ifPresent(id -> world.leases.extend(
                                    id,
                                    Duration.ofSeconds(e.seconds()),
                                    io.containerlease.lease.Caller.ANONYMOUS_ADMIN));
                case Advance a -> world.scheduler.advance(Duration.ofMillis(a.millis()));
                case EngineDown d -> world.runtime.unavailable = true;
                case EngineUp u -> world.runtime.unavailable = false;
                case FailRemovals f -> world.runtime.failNextRemovals.addAndGet(f.count());
                case Vanish v ->
                    pick(ids, v.index()).ifPresent(id -> world.runtime.vanish(ManagedLabels.containerName(id)));
                case LoseTimer t -> pick(ids, t.index()).ifPresent(world.timers::cancel);
            }
        } catch (RuntimeUnavailableException | RemovalPendingException | LeaseConflictException e) {
            // Answers a client may get while the engine is down or the lease has moved on.
            if (e instanceof RuntimeUnavailableException && op instanceof Provision) {
                // A failed provision still recorded a lease, which must end like any other.
                world.store.page(true, Optional.empty(), Integer.MAX_VALUE).stream()
                        .map(Lease::id)
                        .filter(id -> !ids.contains(id))
                        .forEach(ids::add);
            }
        }
    }

    private static void checkReasonsNeverChange(
            LeaseWorld world, List<LeaseId> ids, Map<LeaseId, EndReason> firstReason) {
        for (LeaseId id : ids) {
            Lease lease = world.store.find(id).orElseThrow();
            if (lease.endReason() != null) {
                EndReason first = firstReason.putIfAbsent(id, lease.endReason());
                assertThat(lease.endReason())
                        .as("end reason of %s", id)
                        .isEqualTo(first == null ? lease.endReason() : first);
            } else {
                assertThat(firstReason).as("%s came back to life", id).doesNotContainKey(id);
            }
        }
    }

    private static Optional<LeaseId> pick(List<LeaseId> ids, int index) {
        return ids.isEmpty() ? Optional.empty() : Optional.of(ids.get(index % ids.size()));
    }

    @Provide
    Arbitrary<List<Op>> anything() {
        return Arbitraries.frequencyOf(
                        Tuple.of(5, provision()),
                        Tuple.of(2, index().map(Release::new)),
                        Tuple.of(
                                2,
                                Combinators.combine(
                                                index(), Arbitraries.integers().between(1, 3600))
                                        .as(Extend::new)),
                        Tuple.of(6, advance()),
                        Tuple.of(1, Arbitraries.just(new EngineDown())),
                        Tuple.of(2, Arbitraries.just(new EngineUp())),
                        Tuple.of(1, Arbitraries.integers().between(1, 5).map(FailRemovals::new)),
                        Tuple.of(1, index().map(Vanish::new)),
                        Tuple.of(1, index().map(LoseTimer::new)))
                .list()
                .ofMaxSize(60);
    }

    @Provide
    Arbitrary<List<Op>> healthyEngine() {
        return Arbitraries.frequencyOf(
                        Tuple.of(5, provision()),
                        Tuple.of(1, index().map(Release::new)),
                        Tuple.of(
                                2,
                                Combinators.combine(
                                                index(), Arbitraries.integers().between(1, 600))
                                        .as(Extend::new)),
                        Tuple.of(6, advance()),
                        Tuple.of(2, index().map(LoseTimer::new)))
                .list()
                .ofMaxSize(60);
    }

    private static Arbitrary<Op> provision() {
        return Arbitraries.integers().between(1, 600).map(Provision::new);
    }

    private static Arbitrary<Op> advance() {
        return Arbitraries.integers().between(0, 120_000).map(Advance::new);
    }

    private static Arbitrary<Integer> index() {
        return Arbitraries.integers().between(0, 1000);
    }
}
