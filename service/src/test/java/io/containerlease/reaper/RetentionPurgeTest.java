package io.containerlease.reaper;

import static org.assertj.core.api.Assertions.assertThat;

import io.containerlease.lease.Caller;
import io.containerlease.lease.Lease;
import io.containerlease.lease.LeaseState;
import io.containerlease.lease.ProvisionRequest;
import io.containerlease.lease.SessionRules;
import io.containerlease.support.LeaseWorld;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Old ended leases and activity are forgotten; a live lease never is, however old. */
class RetentionPurgeTest {
    private final LeaseWorld world = new LeaseWorld();
    private final RetentionPurge purge = new RetentionPurge(
            world.store, world.store.activityLog(), world.scheduler, world.clock, Duration.ofDays(30));

    @AfterEach
    void close() {
        purge.close();
        world.close();
    }

    private Lease provision(Duration life) {
        return world.leases.provision(
                new ProvisionRequest("busybox", life, Map.of(), SessionRules.NONE), Caller.ANONYMOUS_ADMIN);
    }

    @Test
    void endedLeasesAndActivityOlderThanTheRetentionGoAndLiveLeasesStay() {
        Lease old = provision(Duration.ofHours(1));
        world.leases.release(old.id(), Caller.ANONYMOUS_ADMIN);
        Lease live = provision(Duration.ofHours(24));
        world.clock.advance(Duration.ofDays(29));
        Lease recent = provision(Duration.ofHours(1));
        world.leases.release(recent.id(), Caller.ANONYMOUS_ADMIN);
        world.clock.advance(Duration.ofDays(2)); // the clock only: no timer runs, so 'live' is still running

        RetentionPurge.Purged purged = purge.runOnce();

        assertThat(purged.leases()).isEqualTo(1);
        assertThat(world.store.find(old.id())).isEmpty();
        assertThat(world.store.find(recent.id())).map(Lease::state).contains(LeaseState.ENDED);
        assertThat(world.store.find(live.id())).map(Lease::state).contains(LeaseState.RUNNING);
        assertThat(purged.activity()).isPositive();
        assertThat(world.store
                        .activityLog()
                        .page(Optional.empty(), Optional.of(old.id().value()), 0, 100))
                .isEmpty();
        assertThat(world.store
                        .activityLog()
                        .page(Optional.empty(), Optional.of(recent.id().value()), 0, 100))
                .isNotEmpty();
        assertThat(purge.runOnce()).isEqualTo(new RetentionPurge.Purged(0, 0));
    }

    @Test
    void itRunsAMinuteAfterStartThenHourly() {
        Lease old = provision(Duration.ofHours(1));
        world.leases.release(old.id(), Caller.ANONYMOUS_ADMIN);
        world.clock.advance(Duration.ofDays(31));
        purge.start();
        world.scheduler.advance(Duration.ofSeconds(59));
        assertThat(world.store.find(old.id())).isPresent();
        world.scheduler.advance(Duration.ofSeconds(1));
        assertThat(world.store.find(old.id())).isEmpty();
        Lease another = provision(Duration.ofSeconds(10));
        world.leases.release(another.id(), Caller.ANONYMOUS_ADMIN);
        world.clock.advance(Duration.ofDays(31));
        world.scheduler.advance(Duration.ofHours(1));
        assertThat(world.store.find(another.id())).isEmpty();
    }

    /** A store that holds more than a batch: the pass keeps going until a batch comes back short. */
    @Test
    void aPassGoesOnBatchAfterBatchUntilNothingOldIsLeft() {
        java.util.Deque<Integer> leaseBatches =
                new java.util.ArrayDeque<>(java.util.List.of(RetentionPurge.BATCH, RetentionPurge.BATCH, 7));
        java.util.Deque<Integer> activityBatches =
                new java.util.ArrayDeque<>(java.util.List.of(RetentionPurge.BATCH, 0));
        io.containerlease.lease.LeaseStore store =
                (io.containerlease.lease.LeaseStore) java.lang.reflect.Proxy.newProxyInstance(
                        getClass().getClassLoader(),
                        new Class<?>[] {io.containerlease.lease.LeaseStore.class},
                        (proxy, method, args) -> {
                            if (method.getName().equals("purgeEndedBefore")) {
                                assertThat(args[1]).isEqualTo(RetentionPurge.BATCH);
                                return leaseBatches.isEmpty() ? 0 : leaseBatches.pop();
                            }
                            throw new UnsupportedOperationException(method.getName());
                        });
        io.containerlease.activity.ActivityLog activity =
                (io.containerlease.activity.ActivityLog) java.lang.reflect.Proxy.newProxyInstance(
                        getClass().getClassLoader(),
                        new Class<?>[] {io.containerlease.activity.ActivityLog.class},
                        (proxy, method, args) -> {
                            if (method.getName().equals("purgeBefore")) {
                                return activityBatches.isEmpty() ? 0 : activityBatches.pop();
                            }
                            throw new UnsupportedOperationException(method.getName());
                        });
        try (RetentionPurge big =
                new RetentionPurge(store, activity, world.scheduler, world.clock, Duration.ofDays(30))) {
            assertThat(big.runOnce())
                    .isEqualTo(new RetentionPurge.Purged(2L * RetentionPurge.BATCH + 7, RetentionPurge.BATCH));
        }
        assertThat(leaseBatches).isEmpty();
        assertThat(activityBatches).isEmpty();
    }
}
