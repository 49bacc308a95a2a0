package io.containerlease.lease;

/**
 * A failure of the container engine, in two parts: what a client may be told (the operation that
 * failed, in plain words) and the engine's own detail, which can name registries, resolver
 * addresses, paths and exception classes and so goes to the server's log only.
 */
public abstract sealed class EngineException extends RuntimeException
        permits ImageUnavailableException, RuntimeOperationException, RuntimeUnavailableException {
    private final String clientMessage;
    private final String detail;

    protected EngineException(String clientMessage, String detail, Throwable cause) {
        super(detail == null ? clientMessage : clientMessage + " (" + detail + ")", cause);
        this.clientMessage = clientMessage;
        this.detail = detail;
    }

    /** Safe to show a client. */
    public String clientMessage() {
        return clientMessage;
    }

    /** The engine's own words, for the log; null when there are none. */
    public String detail() {
        return detail;
    }
}
