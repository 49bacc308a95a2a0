package io.containerlease.files;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;

/**
 * One entry of a container's file tree as our helper describes it (and as the service describes an
 * upload's entries to it): NUL-separated type, size, mode (octal), modification time (Unix seconds),
 * path and link target ({@code helper/PROTOCOL.md}).
 *
 * @param type     {@code f} file, {@code d} directory, {@code l} symbolic link, {@code h} hard link (uploads
 *                 only), {@code o} anything else (a device, a FIFO, a socket)
 * @param path     relative to what was asked for ("" for itself), or a name in a listing
 * @param target   a link's target, else empty
 */
public record FileEntry(char type, long size, int mode, Instant modified, String path, String target) {
    public static final int MAX_PATH_BYTES = 4096;

    public String typeName() {
        return switch (type) {
            case 'f' -> "file";
            case 'd' -> "directory";
            case 'l', 'h' -> "symlink";
            default -> "other";
        };
    }

    public Optional<String> linkTarget() {
        return target.isEmpty() ? Optional.empty() : Optional.of(target);
    }

    /** Reads the helper's entry; the helper runs in the tenant's container, so every field is checked. */
    static FileEntry parse(byte[] payload) {
        String[] fields = new String(payload, StandardCharsets.UTF_8).split("\0", -1);
        if (fields.length != 6
                || fields[0].length() != 1
                || fields[4].length() > MAX_PATH_BYTES
                || fields[5].length() > MAX_PATH_BYTES) {
            throw new IllegalArgumentException("not an entry");
        }
        long size = Long.parseLong(fields[1]);
        int mode = Integer.parseInt(fields[2], 8);
        long mtime = Long.parseLong(fields[3]);
        if (size < 0 || mode < 0 || mode > 07777) {
            throw new IllegalArgumentException("not an entry");
        }
        return new FileEntry(
                fields[0].charAt(0),
                size,
                mode,
                Instant.ofEpochSecond(Math.clamp(mtime, 0, 253402300799L)),
                fields[4],
                fields[5]);
    }

    /** This entry as the helper reads it. */
    byte[] encode() {
        return String.join(
                        "\0",
                        String.valueOf(type),
                        Long.toString(size),
                        Integer.toOctalString(mode),
                        Long.toString(modified.getEpochSecond()),
                        path,
                        target)
                .getBytes(StandardCharsets.UTF_8);
    }
}
