package io.containerlease.session;

/** The lease already has as many terminal sessions as it may. */
public final class TooManySessionsException extends RuntimeException {
    public TooManySessionsException(String message) {
        super(message, null, false, false);
    }
}
