package io.containerlease.events;

import io.containerlease.lease.Caller;
import java.util.Optional;
import java.util.Set;

/**
 * Which events a subscriber gets: a user only those about their own leases (or their own
 * activity); an admin everyone's, or one user's if asked; optionally one lease and some types.
 */
public record EventFilter(Caller caller, Optional<String> user, Optional<String> leaseId, Set<String> types) {
    public EventFilter {
        types = Set.copyOf(types);
    }

    /** The one user whose events can match; empty when everyone's can (an admin who did not narrow). */
    public Optional<String> onlyUser() {
        return caller.admin() ? user : Optional.of(caller.user());
    }

    public boolean matches(Event event) {
        String owner = onlyUser().orElse(null);
        if (owner != null && !owner.equals(event.user())) {
            return false;
        }
        if (leaseId.isPresent() && !leaseId.get().equals(event.leaseId())) {
            return false;
        }
        return types.isEmpty() || types.contains(event.type());
    }
}
