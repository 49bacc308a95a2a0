package io.containerlease.files;

import io.containerlease.archive.ArchiveRules;

/**
 * The helper's {@code E} frames as the client's errors. Only the helper's code is read: its detail
 * comes from inside the tenant's container, so the message is ours, naming the client's own path.
 */
final class HelperErrors {
    private HelperErrors() {}

    static FileException from(HelperCall.Frame error, String path) {
        String text = error.text();
        String code = text.contains("\0") ? text.substring(0, text.indexOf('\0')) : text;
        String at = "'" + ArchiveRules.printable(path) + "'";
        return switch (code) {
            case "not_found" ->
                new FileException(
                        FileException.Kind.NOT_FOUND,
                        "file_not_found",
                        "no such file or directory in the container: " + at);
            case "not_a_directory" ->
                new FileException(
                        FileException.Kind.CONFLICT, "not_a_directory", "a part of " + at + " is not a directory");
            case "is_a_directory" ->
                new FileException(
                        FileException.Kind.CONFLICT,
                        "is_a_directory",
                        at + " is a directory (unpack a tar into it with ?extract=true)");
            case "not_a_regular_file" ->
                new FileException(
                        FileException.Kind.CONFLICT,
                        "not_a_regular_file",
                        at + " is a device, a FIFO or a socket, not a file");
            case "permission_denied" ->
                new FileException(
                        FileException.Kind.FORBIDDEN,
                        "permission_denied",
                        "the container's user may not do that at " + at);
            case "read_only" ->
                new FileException(FileException.Kind.FORBIDDEN, "read_only", at + " is on a read-only file system");
            case "no_space" ->
                new FileException(
                        FileException.Kind.NO_SPACE, "no_space", "no space is left in the container for " + at);
            case "exists" ->
                new FileException(
                        FileException.Kind.CONFLICT, "already_exists", at + " is already there, or is not empty");
            case "too_many_links" ->
                new FileException(
                        FileException.Kind.INVALID, "too_many_links", at + " goes through too many symbolic links");
            case "name_too_long" ->
                new FileException(FileException.Kind.INVALID, "name_too_long", at + " is too long, or too deep");
            case "busy" -> new FileException(FileException.Kind.CONFLICT, "busy", at + " is in use (a mount point?)");
            case "too_large" ->
                new FileException(
                        FileException.Kind.TOO_LARGE,
                        "payload_too_large",
                        at + " holds more than one transfer may carry (FILES_MAX_BYTES, or " + LeaseFiles.MAX_ENTRIES
                                + " entries)");
            case "no_entry" ->
                new FileException(
                        FileException.Kind.INVALID,
                        "invalid_path",
                        at + " names no file or folder inside a folder (name one, not '/')");
            case "invalid" ->
                new FileException(
                        FileException.Kind.INVALID,
                        "invalid_archive",
                        "the archive was refused: an entry is placed under a link or a file of the archive,"
                                + " or names no entry");
            default -> HelperCall.failed("the transfer failed in the container at " + at);
        };
    }
}
