package io.containerlease.lease;

/** The store could not answer; nothing was changed by the failed call. */
public final class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
