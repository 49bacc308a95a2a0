package io.containerlease.lease;

/**
 * Live-lease limits checked atomically with the insert of a new lease: how many one owner may hold
 * ({@code perOwner} for users, {@code perAdmin} for admins, who run labs for others), and how many
 * the whole service runs.
 */
public record Quota(int perOwner, int perAdmin, int total) {
    public static final Quota UNLIMITED = new Quota(Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE);

    /** Admins held to the service's total only. */
    public Quota(int perOwner, int total) {
        this(perOwner, total, total);
    }

    /** The limits a new lease of {@code caller}'s is inserted under: its owner's limit is the caller's kind's. */
    public Quota applyingTo(Caller caller) {
        return caller.admin() ? new Quota(perAdmin, perAdmin, total) : this;
    }

    /** What an insert under a quota did. */
    public enum Outcome {
        INSERTED,
        OWNER_FULL,
        SERVICE_FULL
    }
}
