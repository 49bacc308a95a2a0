package io.containerlease.lease;

/** The client asked for something the rules do not allow; answered with 400 and the given code. */
public final class InvalidRequestException extends RefusedException {
    public InvalidRequestException(String code, String message) {
        super(code, message);
    }
}
