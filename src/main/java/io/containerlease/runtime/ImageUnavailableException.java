package io.containerlease.runtime;

/** The image is not on the engine and could not be pulled (or its pull policy forbids pulling). */
public final class ImageUnavailableException extends RuntimeException {
    public ImageUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
