package io.containerlease.archive;

/** An uploaded archive broke one of {@link ArchiveRules}; the message says which entry and why, for the uploader. */
public final class ArchiveRefusedException extends RuntimeException {
    public ArchiveRefusedException(String why) {
        super(why);
    }
}
