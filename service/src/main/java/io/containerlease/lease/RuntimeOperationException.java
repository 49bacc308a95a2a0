package io.containerlease.lease;

/** The container engine answered, with an error. */
public final class RuntimeOperationException extends EngineException {
    public RuntimeOperationException(String clientMessage, Throwable cause) {
        super(clientMessage, null, cause);
    }

    /** @param detail the engine's own words, logged but never shown to a client */
    public RuntimeOperationException(String clientMessage, String detail, Throwable cause) {
        super(clientMessage, detail, cause);
    }
}
