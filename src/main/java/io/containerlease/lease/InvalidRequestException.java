package io.containerlease.lease;

/** The client asked for something the rules do not allow; answered with 400 and the given code. */
public final class InvalidRequestException extends RuntimeException {
    private final String code;

    public InvalidRequestException(String code, String message) {
        super(message);
        this.code = code;
    }

    public String code() {
        return code;
    }
}
