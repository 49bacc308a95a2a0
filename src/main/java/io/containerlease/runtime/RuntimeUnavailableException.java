package io.containerlease.runtime;

/** The container engine could not be reached; the operation may or may not have happened. */
public final class RuntimeUnavailableException extends RuntimeException {
    public RuntimeUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
