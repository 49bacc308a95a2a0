package io.containerlease.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.containerlease.lease.Caller;
import io.containerlease.support.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A WebSocket ticket: once, within its lifetime, for whom it was issued; and never a growing pile. */
class WsTicketsTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-03T12:00:00Z"));
    private final WsTickets tickets = new WsTickets(clock, new Random(4));
    private final Credential ana = new Credential(new Caller("ana", false), "ana-token-hash");

    @Test
    void aTicketIsRedeemedOnceForWhomItWasIssued() {
        var issued = tickets.issue(ana);
        assertThat(issued.expiresAt()).isEqualTo(clock.instant().plus(WsTickets.LIFETIME));
        assertThat(tickets.redeem(issued.ticket())).contains(ana);
        assertThat(tickets.redeem(issued.ticket())).as("single use").isEmpty();
        assertThat(tickets.redeem("never-issued")).isEmpty();
    }

    @Test
    void aTicketIsRefusedFromTheMomentItsLifetimeEnds() {
        var late = tickets.issue(ana);
        var justInTime = tickets.issue(ana);
        clock.advance(WsTickets.LIFETIME.minusMillis(1));
        assertThat(tickets.redeem(justInTime.ticket())).contains(ana);
        clock.advance(Duration.ofMillis(1));
        assertThat(tickets.redeem(late.ticket())).isEmpty();
    }

    @Test
    void ticketsNeverUsedAreDroppedOnceExpiredSoTheyCannotPileUp() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            seen.add(tickets.issue(ana).ticket());
        }
        assertThat(seen).as("each ticket is its own").hasSize(1000);
        assertThat(tickets.held()).isEqualTo(1000);
        clock.advance(WsTickets.LIFETIME);
        tickets.issue(ana);
        assertThat(tickets.held()).isEqualTo(1);
    }
}
