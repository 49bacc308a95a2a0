package io.containerlease.activity;

import java.time.Instant;
import java.util.Objects;

/**
 * One line of the activity log, in plain words: who did what to which lease, from where, and how
 * it went. Never holds a secret: callers pass redacted text.
 *
 * @param seq     the log's own order; 0 before it is stored
 * @param leaseId empty when the action concerned no single lease
 * @param outcome {@code succeeded}, {@code refused} (the caller's mistake) or {@code failed} (ours)
 */
public record ActivityEntry(
        long seq,
        Instant at,
        String user,
        String action,
        String leaseId,
        String client,
        String outcome,
        String reason) {
    public ActivityEntry {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(outcome, "outcome");
    }
}
