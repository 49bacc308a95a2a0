package io.containerlease.lease;

/** A lease is ending but its container could not be confirmed gone in time; removal continues in the background. */
public final class RemovalPendingException extends RuntimeException {
    public RemovalPendingException(String message) {
        super(message);
    }
}
