package io.containerlease.lease;

/** No lease has this id. */
public final class LeaseNotFoundException extends RuntimeException {
    public LeaseNotFoundException(LeaseId id) {
        super("no lease with id " + id);
    }
}
