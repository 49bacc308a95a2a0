package io.containerlease.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.containerlease.lease.EndReason;
import io.containerlease.lease.Lease;
import io.containerlease.lease.LeaseState;
import io.containerlease.lease.ProvisionRequest;
import io.containerlease.lease.SessionRules;
import io.containerlease.support.LeaseWorld;
import io.containerlease.support.RecordingControlSink;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SessionLifecycleTest {
    private final LeaseWorld world = new LeaseWorld();
    private final SessionView view = new SessionView(world.connections, world.idle);

    @AfterEach
    void close() {
        world.close();
    }

    @Test
    void anIdleLeaseEndsAfterItsTimeoutAndActivityPostponesIt() {
        Lease lease = provision(Duration.ofHours(1), rules(null, 60));
        world.scheduler.advance(Duration.ofSeconds(59));
        view.touch(lease.id());
        world.scheduler.advance(Duration.ofSeconds(59));
        assertThat(state(lease)).isEqualTo(LeaseState.RUNNING);
        assertThat(view.status(lease.id()).idleDeadline())
                .contains(lease.createdAt().plusSeconds(59 + 60));
        world.scheduler.advance(Duration.ofSeconds(1));
        assertThat(world.leases
                        .get(lease.id(), io.containerlease.lease.Caller.ANONYMOUS_ADMIN)
                        .endReason())
                .isEqualTo(EndReason.IDLE);
        assertThat(world.runtime.all()).isEmpty();
    }

    @Test
    void anIdleEndThatFailsIsRetried() {
        Lease lease = provision(Duration.ofHours(1), rules(null, 10));
        world.failNextSessionEnds.set(3);
        world.scheduler.advance(Duration.ofSeconds(10));
        assertThat(state(lease)).isEqualTo(LeaseState.RUNNING);
        world.scheduler.advance(Duration.ofMinutes(2));
        assertThat(world.leases
                        .get(lease.id(), io.containerlease.lease.Caller.ANONYMOUS_ADMIN)
                        .endReason())
                .isEqualTo(EndReason.IDLE);
    }

    @Test
    void connectionsAreWarnedBeforeExpiryToldOfExtensionsAndOfTheEnd() {
        Lease lease = provision(Duration.ofSeconds(20), SessionRules.NONE);
        RecordingControlSink channel = new RecordingControlSink();
        world.connections.open(lease, channel);

        // A 20 s lease is warned a quarter of its life ahead: at 15 s.
        world.scheduler.advance(Duration.ofMillis(14_999));
        assertThat(channel.received("expiring")).isFalse();
        world.scheduler.advance(Duration.ofMillis(1));
        assertThat(channel.messages)
                .last()
                .isEqualTo(Map.of(
                        "type", "expiring", "expiryTime", lease.expiresAt().toString(), "secondsLeft", 5L));

        Instant extended = world.leases
                .extend(lease.id(), Duration.ofSeconds(100), io.containerlease.lease.Caller.ANONYMOUS_ADMIN)
                .lease()
                .expiresAt();
        assertThat(channel.messages).last().isEqualTo(Map.of("type", "extended", "expiryTime", extended.toString()));

        world.scheduler.advance(Duration.ofSeconds(105));
        assertThat(channel.messages).last().isEqualTo(Map.of("type", "ended", "reason", "expired"));
        assertThat(channel.closedWith).isEqualTo(1000);
        assertThat(channel.messages.stream()
                        .filter(m -> "expiring".equals(m.get("type")))
                        .count())
                .isEqualTo(2);
    }

    @Test
    void longLeasesAreWarnedAtTheConfiguredLead() {
        Lease lease = provision(Duration.ofHours(1), SessionRules.NONE);
        RecordingControlSink channel = new RecordingControlSink();
        world.connections.open(lease, channel);
        world.scheduler.advance(Duration.ofMinutes(59).minusMillis(1));
        assertThat(channel.received("expiring")).isFalse();
        world.scheduler.advance(Duration.ofMillis(1));
        assertThat(channel.messages)
                .last()
                .extracting(m -> m.get("secondsLeft"))
                .isEqualTo(60L);
    }

    @Test
    void nextEndNamesTheRuleThatWillEndTheLeaseFirst() {
        Lease lease = provision(Duration.ofMinutes(30), rules(60, 600));
        SessionStatus status = view.status(lease.id());
        assertThat(status.nextEnd(lease))
                .contains(new SessionStatus.NextEnd(
                        EndReason.IDLE, lease.createdAt().plusSeconds(600)));

        var registration =
                world.connections.open(lease, new RecordingControlSink()).orElseThrow();
        registration.close();
        status = view.status(lease.id());
        assertThat(status.connections()).isZero();
        assertThat(status.nextEnd(lease))
                .contains(new SessionStatus.NextEnd(
                        EndReason.DISCONNECTED, lease.createdAt().plusSeconds(60)));
    }

    @Test
    void losingOneOfTwoConnectionsStartsNoGrace() {
        Lease lease = provision(Duration.ofHours(1), rules(60, null));
        var first = world.connections.open(lease, new RecordingControlSink()).orElseThrow();
        var second = world.connections.open(lease, new RecordingControlSink()).orElseThrow();
        first.close();
        assertThat(view.status(lease.id()).connections()).isEqualTo(1);
        assertThat(world.connections.graceDeadline(lease.id()))
                .as("another connection is still open")
                .isEmpty();
        second.close();
        assertThat(world.connections.graceDeadline(lease.id()))
                .contains(world.clock.instant().plusSeconds(60));
    }

    @Test
    void afterARestartALeaseWithAGraceStartsItSinceItsConnectionsWereCut() {
        Lease kept = provision(Duration.ofHours(1), rules(30, null));
        Lease reconnected = provision(Duration.ofHours(1), rules(30, null));
        Lease noGrace = provision(Duration.ofHours(1), SessionRules.NONE);
        world.leases.armTimers(java.util.Set.of()); // what a start does for leases that survived
        world.connections.open(reconnected, new RecordingControlSink());
        world.scheduler.advance(Duration.ofSeconds(30));
        assertThat(world.leases
                        .get(kept.id(), io.containerlease.lease.Caller.ANONYMOUS_ADMIN)
                        .endReason())
                .isEqualTo(EndReason.DISCONNECTED);
        assertThat(state(reconnected)).isEqualTo(LeaseState.RUNNING);
        assertThat(state(noGrace)).isEqualTo(LeaseState.RUNNING);
    }

    @Test
    void requestRulesOverrideTheCatalogDefaultsRuleByRule() {
        SessionRules defaults = rules(30, 300);
        SessionRules asked = rules(90, null).orElse(defaults);
        assertThat(asked).isEqualTo(rules(90, 300));
    }

    private Lease provision(Duration duration, SessionRules rules) {
        return world.leases.provision(
                new ProvisionRequest("busybox", duration, Map.of(), rules),
                io.containerlease.lease.Caller.ANONYMOUS_ADMIN);
    }

    private LeaseState state(Lease lease) {
        return world.leases
                .get(lease.id(), io.containerlease.lease.Caller.ANONYMOUS_ADMIN)
                .state();
    }

    private static SessionRules rules(Integer graceSeconds, Integer idleSeconds) {
        return new SessionRules(
                Optional.ofNullable(graceSeconds).map(Duration::ofSeconds),
                Optional.ofNullable(idleSeconds).map(Duration::ofSeconds));
    }
}
