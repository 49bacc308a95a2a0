package io.containerlease.lease;

/** The image is not on the engine and could not be pulled (or its pull policy forbids pulling). */
public final class ImageUnavailableException extends EngineException {
    public ImageUnavailableException(String clientMessage, Throwable cause) {
        super(clientMessage, null, cause);
    }

    /** @param detail the engine's own words, logged but never shown to a client */
    public ImageUnavailableException(String clientMessage, String detail, Throwable cause) {
        super(clientMessage, detail, cause);
    }
}
