package io.containerlease.lease;

/** Live-lease limits checked atomically with the insert of a new lease. */
public record Quota(int perOwner, int total) {
    public static final Quota UNLIMITED = new Quota(Integer.MAX_VALUE, Integer.MAX_VALUE);

    /** What an insert under a quota did. */
    public enum Outcome {
        INSERTED,
        OWNER_FULL,
        SERVICE_FULL
    }
}
