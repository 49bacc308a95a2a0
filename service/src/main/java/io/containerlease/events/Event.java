package io.containerlease.events;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * One thing that happened, as the event channel delivers it. {@code id} increases with every event
 * (and across restarts of the service: it starts from the clock); {@code user} is the owner of the
 * lease it is about, which decides who may see it.
 *
 * @param leaseId null for an event about no lease
 */
public record Event(long id, Instant at, String type, String leaseId, String user, Map<String, Object> data) {
    public Event {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(type, "type");
        data = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(data)); // in the order given
    }
}
