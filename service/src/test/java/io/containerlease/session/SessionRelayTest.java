package io.containerlease.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.containerlease.lease.Caller;
import io.containerlease.lease.EndReason;
import io.containerlease.lease.Lease;
import io.containerlease.lease.LeaseState;
import io.containerlease.lease.ProvisionRequest;
import io.containerlease.lease.SessionRules;
import io.containerlease.support.LeaseWorld;
import io.containerlease.support.LoopbackBroadcast;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Two servers of one store, each a world of its own, joined by one broadcast: session rules hold wherever the user is. */
class SessionRelayTest {
    private final LoopbackBroadcast network = new LoopbackBroadcast();
    private final LeaseWorld a = new LeaseWorld(1);
    private final LeaseWorld b = new LeaseWorld(2);
    private final SessionRelay relayA = relay("a", a);
    private final SessionRelay relayB = relay("b", b);

    private SessionRelay relay(String self, LeaseWorld world) {
        SessionRelay relay =
                new SessionRelay(self, network.endpoint(), world.connections, world.idle, world.scheduler, world.clock);
        relay.start();
        return relay;
    }

    @AfterEach
    void close() {
        relayA.close();
        relayB.close();
        a.close();
        b.close();
    }

    @Test
    void activityOnOneServerKeepsALeaseHeldByAnotherFromGoingIdle() {
        Lease lease = b.leases.provision(
                new ProvisionRequest(
                        "busybox",
                        Duration.ofMinutes(30),
                        Map.of(),
                        new SessionRules(Optional.empty(), Optional.of(Duration.ofSeconds(60))),
                        Map.of(),
                        Map.of()),
                Caller.ANONYMOUS_ADMIN);
        b.scheduler.advance(Duration.ofSeconds(50));
        a.idle.touch(lease.id()); // the user types into a terminal that server a serves
        b.scheduler.advance(Duration.ofSeconds(50));
        assertThat(b.store.find(lease.id()).orElseThrow().state())
                .as("100 s after provision, 50 s after the activity")
                .isEqualTo(LeaseState.RUNNING);
        b.scheduler.advance(Duration.ofSeconds(11));
        Lease ended = b.store.find(lease.id()).orElseThrow();
        assertThat(ended.endReason()).isEqualTo(EndReason.IDLE);
    }

    @Test
    void activityIsSentAtMostOncePerSecondPerLease() {
        Lease lease = a.leases.provision(
                new ProvisionRequest("busybox", Duration.ofMinutes(30), Map.of()), Caller.ANONYMOUS_ADMIN);
        a.idle.touch(lease.id());
        a.clock.advance(Duration.ofMillis(500));
        a.idle.touch(lease.id());
        a.clock.advance(Duration.ofMillis(500));
        a.idle.touch(lease.id());
        assertThat(network.sent.stream().filter(m -> m.startsWith("t "))).hasSize(2);
    }

    @Test
    void connectionsCountOnTheOtherServersUntilTheirReportsGoStale() {
        Lease lease = a.leases.provision(
                new ProvisionRequest("busybox", Duration.ofMinutes(30), Map.of()), Caller.ANONYMOUS_ADMIN);
        relayA.report(lease.id(), 2);
        assertThat(relayB.count(lease.id())).isEqualTo(2);
        assertThat(relayA.count(lease.id()))
                .as("its own are not counted as elsewhere")
                .isZero();
        b.clock.advance(SessionRelay.STALE.minusSeconds(1));
        assertThat(relayB.count(lease.id())).isEqualTo(2);
        b.clock.advance(Duration.ofSeconds(1));
        assertThat(relayB.count(lease.id()))
                .as("not renewed: server a died, or its messages were lost")
                .isZero();
    }

    @Test
    void aMessageNoServerOfOursWritesIsIgnored() {
        Lease lease = a.leases.provision(
                new ProvisionRequest("busybox", Duration.ofMinutes(30), Map.of()), Caller.ANONYMOUS_ADMIN);
        String id = lease.id().value();
        for (String odd : new String[] {
            "",
            "c",
            "c x",
            "c x " + id,
            "c x " + id + " many",
            "c x " + id + " 99999999999",
            "c x not-a-lease 1",
            "t x",
            "z x " + id,
            "c x " + id + " 1 extra"
        }) {
            assertThatCode(() -> network.inject(odd)).as("'%s'", odd).doesNotThrowAnyException();
        }
        assertThat(relayB.count(lease.id())).isZero();
    }
}
