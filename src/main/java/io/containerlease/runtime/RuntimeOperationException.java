package io.containerlease.runtime;

/** The container engine answered, with an error. */
public final class RuntimeOperationException extends RuntimeException {
    public RuntimeOperationException(String message, Throwable cause) {
        super(message, cause);
    }
}
