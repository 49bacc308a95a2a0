package io.containerlease.auth;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.random.RandomGenerator;

/**
 * Short-lived, single-use tickets for browser WebSockets, which cannot send an Authorization
 * header: the page asks for a ticket with its token over HTTP and puts the ticket, never the token,
 * in the WebSocket URL.
 */
public final class WsTickets {
    public static final Duration LIFETIME = Duration.ofSeconds(30);

    private record Ticket(Credential credential, Instant expires) {}

    private final InstantSource clock;
    private final RandomGenerator random;
    private final ConcurrentHashMap<String, Ticket> tickets = new ConcurrentHashMap<>();

    public WsTickets(InstantSource clock, RandomGenerator random) {
        this.clock = clock;
        this.random = random;
    }

    public record Issued(String ticket, Instant expiresAt) {}

    /** A ticket for whoever {@code credential} is; redeeming it later checks the token is still valid then. */
    public Issued issue(Credential credential) {
        Instant now = clock.instant();
        tickets.values().removeIf(t -> !t.expires().isAfter(now));
        byte[] bytes = new byte[24];
        random.nextBytes(bytes);
        String ticket = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        Instant expires = now.plus(LIFETIME);
        tickets.put(ticket, new Ticket(credential, expires));
        return new Issued(ticket, expires);
    }

    /**
     * Tickets held now: at most those issued within the last {@link #LIFETIME} (each issue drops the
     * expired ones), so a client asking for tickets it never uses cannot grow the server's memory.
     */
    public int held() {
        return tickets.size();
    }

    /** Whom the ticket was issued to, once: redeeming removes it. Empty for an unknown or expired ticket. */
    public Optional<Credential> redeem(String ticket) {
        Ticket t = tickets.remove(ticket);
        if (t == null || !t.expires().isAfter(clock.instant())) {
            return Optional.empty();
        }
        return Optional.of(t.credential());
    }
}
