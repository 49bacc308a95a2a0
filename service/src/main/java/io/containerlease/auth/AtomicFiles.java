package io.containerlease.auth;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Files that hold secrets (a token, a users file, the client's saved login) appear whole or not at all: the content goes to a temporary file created
 * with its final permissions, forced to disk, then moved into place atomically, so a crash never
 * leaves an empty or half-written file, and a reader never sees one.
 */
public final class AtomicFiles {
    public static final Set<PosixFilePermission> OWNER_ONLY =
            Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);

    private AtomicFiles() {}

    /**
     * Writes {@code content} as {@code file}.
     *
     * @param replace false: leave a file already there alone (and answer false), as when two
     *                processes race to create it and the first must win
     * @return true when the file now holds {@code content}
     */
    public static boolean write(Path file, byte[] content, Set<PosixFilePermission> permissions, boolean replace)
            throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path temp = Files.createTempFile(
                dir, file.getFileName() + ".", ".tmp", PosixFilePermissions.asFileAttribute(permissions));
        try {
            Files.setPosixFilePermissions(temp, permissions); // the umask may have narrowed what was asked
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                out.write(ByteBuffer.wrap(content));
                out.force(true);
            }
            if (replace) {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } else {
                // An atomic rename replaces what is there (rename(2)); a hard link never does, so
                // of two writers racing the first one wins and the second sees the name taken.
                try {
                    Files.createLink(file, temp);
                } catch (UnsupportedOperationException noLinks) {
                    Files.move(temp, file); // refuses a name taken; only a racer in between is missed
                }
            }
        } catch (FileAlreadyExistsException raced) {
            return false;
        } finally {
            Files.deleteIfExists(temp);
        }
        syncDirectory(dir);
        return true;
    }

    /** Makes the file's new name durable too; best effort where a directory cannot be opened. */
    private static void syncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // not every file system lets a directory be synced; the rename is still atomic
        }
    }
}
