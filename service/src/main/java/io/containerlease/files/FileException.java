package io.containerlease.files;

import io.containerlease.lease.RefusedException;

/** A files request that cannot be done, for a reason the client can act on; {@link #kind()} picks the status. */
public final class FileException extends RefusedException {
    public enum Kind {
        /** No such path in the container. */
        NOT_FOUND,
        /** A path or an archive the service will not pass on. */
        INVALID,
        /** The path is of the wrong kind (a directory where a file is asked for), or already there. */
        CONFLICT,
        /** The container's user may not read or write there. */
        FORBIDDEN,
        /** Over FILES_MAX_BYTES, or more entries than one transfer carries. */
        TOO_LARGE,
        /** Too many transfers of this lease at once. */
        BUSY,
        /** The container's disk (or its memory file system) is full. */
        NO_SPACE,
        /** The container stopped answering, or ended, during the transfer. */
        FAILED
    }

    private final Kind kind;

    public FileException(Kind kind, String code, String message) {
        super(code, message);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
