package io.containerlease.lease;

/** Creating the lease would pass a live-lease quota; nothing was created. Answered with 429. */
public final class QuotaExceededException extends RuntimeException {
    private final String code;

    public QuotaExceededException(String code, String message) {
        super(message);
        this.code = code;
    }

    public String code() {
        return code;
    }
}
