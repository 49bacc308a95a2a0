package io.containerlease.lease;

/** The service refused a request for a reason the client can act on; {@link #code()} names it on the wire. */
public abstract class RefusedException extends RuntimeException {
    private final String code;

    protected RefusedException(String code, String message) {
        super(message);
        this.code = code;
    }

    public String code() {
        return code;
    }
}
