package io.containerlease.lease;

/** The lease exists but its state forbids the operation (extending an ended lease, say); answered with 409. */
public final class LeaseConflictException extends RefusedException {
    public LeaseConflictException(String code, String message) {
        super(code, message);
    }
}
