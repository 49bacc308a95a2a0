package io.containerlease.reaper;

import static org.assertj.core.api.Assertions.assertThat;

import io.containerlease.activity.ActivityLog;
import io.containerlease.lease.Caller;
import io.containerlease.lease.Lease;
import io.containerlease.lease.LeaseState;
import io.containerlease.lease.LeaseStore;
import io.containerlease.lease.ProvisionRequest;
import io.containerlease.lease.SessionRules;
import io.containerlease.support.LeaseWorld;
import io.containerlease.support.LogLines;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
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

    /**
     * A purge over a store and an activity log that answer each batch with the next count given
     * (then 0); {@code duringBatch} runs as each lease batch is asked for.
     */
    private RetentionPurge purgeAnswering(
            Deque<Integer> leaseBatches, Deque<Integer> activityBatches, Consumer<RetentionPurge> duringBatch) {
        RetentionPurge[] self = new RetentionPurge[1];
        LeaseStore store = (LeaseStore) Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[] {LeaseStore.class}, (proxy, method, args) -> {
                    if (method.getName().equals("purgeEndedBefore")) {
                        assertThat(args[1]).isEqualTo(RetentionPurge.BATCH);
                        duringBatch.accept(self[0]);
                        return leaseBatches.isEmpty() ? 0 : leaseBatches.pop();
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
        ActivityLog activity = (ActivityLog) Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[] {ActivityLog.class}, (proxy, method, args) -> {
                    if (method.getName().equals("purgeBefore")) {
                        return activityBatches.isEmpty() ? 0 : activityBatches.pop();
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
        self[0] = new RetentionPurge(store, activity, world.scheduler, world.clock, Duration.ofDays(30));
        return self[0];
    }

    private static Deque<Integer> batches(Integer... counts) {
        return new ArrayDeque<>(List.of(counts));
    }

    /** A store that holds more than a batch: the pass keeps going until a batch comes back short. */
    @Test
    void aPassGoesOnBatchAfterBatchUntilNothingOldIsLeft() {
        Deque<Integer> leaseBatches = batches(RetentionPurge.BATCH, RetentionPurge.BATCH, 7);
        Deque<Integer> activityBatches = batches(RetentionPurge.BATCH, 0);
        try (RetentionPurge big = purgeAnswering(leaseBatches, activityBatches, p -> {})) {
            assertThat(big.runOnce())
                    .isEqualTo(new RetentionPurge.Purged(2L * RetentionPurge.BATCH + 7, RetentionPurge.BATCH));
        }
        assertThat(leaseBatches).isEmpty();
        assertThat(activityBatches).isEmpty();
    }

    /** Closing the server stops a long pass after the batch in hand, not at the end of the store. */
    @Test
    void aPurgeClosedDuringAPassStopsAfterTheBatchInHand() {
        Deque<Integer> leaseBatches = batches(RetentionPurge.BATCH, RetentionPurge.BATCH);
        Deque<Integer> activityBatches = batches(RetentionPurge.BATCH, RetentionPurge.BATCH);
        try (RetentionPurge closing = purgeAnswering(leaseBatches, activityBatches, RetentionPurge::close)) {
            assertThat(closing.runOnce())
                    .isEqualTo(new RetentionPurge.Purged(RetentionPurge.BATCH, RetentionPurge.BATCH));
        }
        assertThat(leaseBatches).hasSize(1);
        assertThat(activityBatches).hasSize(1);
    }

    @Test
    void aClosedPurgeIsNeverRunAgain() {
        Lease old = provision(Duration.ofHours(1));
        world.leases.release(old.id(), Caller.ANONYMOUS_ADMIN);
        world.clock.advance(Duration.ofDays(31));
        purge.start();
        purge.close();
        world.scheduler.advance(Duration.ofHours(2));
        assertThat(world.store.find(old.id())).isPresent();
    }

    /** A pass that forgot something says how much in one line; an hourly pass that forgot nothing says nothing. */
    @Test
    void onlyAPassThatForgotSomethingIsLogged() {
        try (LogLines lines = LogLines.of(RetentionPurge.class)) {
            purgeAnswering(batches(), batches(), p -> {}).runOnce();
            assertThat(lines.messages()).isEmpty();
            purgeAnswering(batches(3), batches(), p -> {}).runOnce();
            purgeAnswering(batches(), batches(4), p -> {}).runOnce();
            assertThat(lines.messages())
                    .satisfiesExactly(
                            leases -> assertThat(leases).contains("endedLeases=3", "activityEntries=0"),
                            entries -> assertThat(entries).contains("endedLeases=0", "activityEntries=4"));
        }
    }
}
