package io.containerlease.program.channel;

import io.containerlease.lease.LeaseId;
import io.containerlease.program.LeaseDirectories;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Set;

/**
 * The host directories that hold each lease's channel socket, one per lease under
 * {@code DATA_DIR/channels} (itself 0700, so no other host user reaches a socket). A lease's
 * directory is mounted into its container and nowhere else.
 */
public final class ChannelDirectories {
    public static final String SOCKET_NAME = "channel.sock";
    private final LeaseDirectories directories;

    public ChannelDirectories(Path dataDir) {
        this.directories = new LeaseDirectories(dataDir.resolve("channels"));
    }

    /**
     * Makes the lease's directory (again, if it exists), owned by the container's user: a numeric
     * {@code uid[:gid]} is given the directory with mode 0700. The container runs without
     * capabilities, so a user whose number only the image knows (a name) could not enter a
     * directory it does not own: that one gets mode 0777, still private behind the 0700 parent.
     */
    public Path create(LeaseId id, Optional<String> user) {
        try {
            Path dir = directories.create(id);
            Optional<int[]> owner = user.flatMap(ChannelDirectories::numeric);
            boolean owned = user.isEmpty() || (owner.isPresent() && chown(dir, owner.get()));
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString(owned ? "rwx------" : "rwxrwxrwx"));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make the channel directory of lease " + id, e);
        }
    }

    public Path directory(LeaseId id) {
        return directories.directory(id);
    }

    public Path socket(LeaseId id) {
        return directory(id).resolve(SOCKET_NAME);
    }

    /** Removes the lease's directory and its socket; nothing there is fine. */
    public void remove(LeaseId id) {
        directories.remove(id);
    }

    /** The leases that have a directory now. */
    public Set<LeaseId> present() {
        return directories.present();
    }

    private static Optional<int[]> numeric(String user) {
        var m = java.util.regex.Pattern.compile("(\\d+)(?::(\\d+))?").matcher(user);
        if (!m.matches()) {
            return Optional.empty();
        }
        int uid = Integer.parseInt(m.group(1));
        return Optional.of(new int[] {uid, m.group(2) == null ? uid : Integer.parseInt(m.group(2))});
    }

    /** False when this process may not give files away (it does not run as root). */
    private static boolean chown(Path dir, int[] owner) throws IOException {
        try {
            Files.setAttribute(dir, "unix:uid", owner[0]);
            Files.setAttribute(dir, "unix:gid", owner[1]);
            return true;
        } catch (java.nio.file.FileSystemException | UnsupportedOperationException e) {
            return false;
        }
    }
}
