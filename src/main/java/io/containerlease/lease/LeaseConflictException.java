package io.containerlease.lease;

/** The lease exists but its state forbids the operation (extending an ended lease, say); answered with 409. */
public final class LeaseConflictException extends RuntimeException {
    private final String code;

    public LeaseConflictException(String code, String message) {
        super(message);
        this.code = code;
    }

    public String code() {
        return code;
    }
}
