package io.containerlease.program;

import io.containerlease.lease.RefusedException;
import java.util.Map;

/**
 * A request to the program inside a lease (a message, a code update) that cannot be done, for a
 * reason the client can act on. {@link #kind()} says what sort of refusal it is; the API maps it
 * to a status.
 */
public final class ProgramException extends RefusedException {
    public enum Kind {
        /** The lease's image type has no channel, or no code to update. */
        NOT_ENABLED,
        /** The program is not listening on its channel right now. */
        NOT_CONNECTED,
        /** No reply within the time asked for. */
        TIMEOUT,
        /** Too many requests are waiting for replies. */
        BUSY,
        /** A payload or an archive over its limit. */
        TOO_LARGE,
        /** A payload or an archive the service will not pass on. */
        INVALID,
        /** Another update of the same lease is running. */
        IN_PROGRESS,
        /** No such code version. */
        NOT_FOUND,
        /** The lease ended (or its container went) while the request was under way. */
        GONE
    }

    private final Kind kind;
    private final Map<String, Object> details;

    public ProgramException(Kind kind, String code, String message) {
        this(kind, code, message, Map.of());
    }

    /** @param details extra fields for the error body (how long the channel has been down, say) */
    public ProgramException(Kind kind, String code, String message, Map<String, Object> details) {
        super(code, message);
        this.kind = kind;
        this.details = Map.copyOf(details);
    }

    public Kind kind() {
        return kind;
    }

    public Map<String, Object> details() {
        return details;
    }
}
