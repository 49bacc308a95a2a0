package io.containerlease.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.containerlease.lease.Caller;
import io.containerlease.lease.EndReason;
import io.containerlease.lease.Lease;
import io.containerlease.lease.LeaseId;
import io.containerlease.lease.ProvisionRequest;
import io.containerlease.lease.SessionRules;
import io.containerlease.schedule.RetryPolicy;
import io.containerlease.support.LeaseWorld;
import io.containerlease.support.RecordingControlSink;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A restart resets neither a lease's idle clock nor a pending disconnect grace: the store keeps both, coarsely. */
class SessionMarksTest {
    private final LeaseWorld world = new LeaseWorld();

    @AfterEach
    void close() {
        world.close();
    }

    private Lease provision(SessionRules rules) {
        return world.leases.provision(
                new ProvisionRequest("busybox", Duration.ofHours(1), Map.of(), rules), Caller.ANONYMOUS_ADMIN);
    }

    @Test
    void aLeaseWhoseIdleEndPassedWhileNoServerRanEndsAtOnceAsIdle() {
        world.idle.keepMarksIn(world.store);
        Lease lease = provision(new SessionRules(Optional.empty(), Optional.of(Duration.ofSeconds(60))));
        world.scheduler.advance(Duration.ofSeconds(10));
        world.idle.touch(lease.id());
        world.scheduler.advance(Duration.ofSeconds(1)); // the mark is written off the toucher's path
        world.idle.touch(lease.id()); // within 5 s of the last mark: not written again
        world.scheduler.runDue();
        assertThat(world.store.sessionMarks(lease.id()).lastActivity())
                .contains(lease.createdAt().plusSeconds(10));

        // The server stops (its timer with it); another starts 100 s later and finds the lease running.
        world.idle.forget(lease.id());
        world.scheduler.advance(Duration.ofSeconds(100));
        IdleTimers restarted = new IdleTimers(
                world.scheduler,
                world.clock,
                RetryPolicy.REMOVAL,
                new Random(3),
                id -> world.leases.end(id, EndReason.IDLE));
        restarted.keepMarksIn(world.store);
        restarted.recover(world.store.find(lease.id()).orElseThrow());
        world.scheduler.runDue();
        assertThat(world.leases.get(lease.id(), Caller.ANONYMOUS_ADMIN).endReason())
                .isEqualTo(EndReason.IDLE);
    }

    @Test
    void aGracePendingWhenTheServerStoppedGoesOnAfterARestartInsteadOfStartingAnew() {
        Lease lease = provision(new SessionRules(Optional.of(Duration.ofSeconds(60)), Optional.empty()));
        List<LeaseId> endedByFirst = new CopyOnWriteArrayList<>();
        List<LeaseId> endedByRestarted = new CopyOnWriteArrayList<>();
        LeaseConnections first = new LeaseConnections(
                world.scheduler, world.clock, RetryPolicy.REMOVAL, new Random(1), endedByFirst::add, new EndedLeases());
        first.keepMarksIn(world.store);
        first.open(lease, new RecordingControlSink())
                .orElseThrow()
                .close(); // the last connection closed: grace until +60 s
        assertThat(world.store.sessionMarks(lease.id()).graceEndsAt())
                .contains(world.clock.instant().plusSeconds(60));
        var graceEnd = world.clock.instant().plusSeconds(60);

        world.scheduler.advance(Duration.ofSeconds(30)); // the server is down for 30 s
        LeaseConnections restarted = new LeaseConnections(
                world.scheduler,
                world.clock,
                RetryPolicy.REMOVAL,
                new Random(2),
                endedByRestarted::add,
                new EndedLeases());
        restarted.keepMarksIn(world.store);
        restarted.connectionsLost(world.store.find(lease.id()).orElseThrow());
        assertThat(restarted.graceDeadline(lease.id()))
                .as("the grace that was pending, not a fresh one")
                .contains(graceEnd);
        world.scheduler.advance(Duration.ofSeconds(30));
        assertThat(endedByRestarted).containsExactly(lease.id());

        // A connection that comes back cancels the grace, and the store forgets it.
        Lease other = provision(new SessionRules(Optional.of(Duration.ofSeconds(60)), Optional.empty()));
        restarted.open(other, new RecordingControlSink()).orElseThrow().close();
        restarted.open(other, new RecordingControlSink()).orElseThrow();
        assertThat(world.store.sessionMarks(other.id()).graceEndsAt()).isEmpty();
    }
}
