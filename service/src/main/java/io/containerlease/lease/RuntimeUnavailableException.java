package io.containerlease.lease;

/** The container engine could not be reached; the operation may or may not have happened. */
public final class RuntimeUnavailableException extends EngineException {
    public RuntimeUnavailableException(String clientMessage, Throwable cause) {
        super(clientMessage, null, cause);
    }

    /** @param detail the engine's own words, logged but never shown to a client */
    public RuntimeUnavailableException(String clientMessage, String detail, Throwable cause) {
        super(clientMessage, detail, cause);
    }
}
