package io.containerlease;

/** The server cannot start; the message tells the user what to do about it. */
public final class StartupException extends RuntimeException {
    public StartupException(String message, Throwable cause) {
        super(message, cause);
    }
}
