package io.containerlease.lease;

/** Creating the lease would pass a live-lease quota; nothing was created. Answered with 429. */
public final class QuotaExceededException extends RefusedException {
    public QuotaExceededException(String code, String message) {
        super(code, message);
    }
}
