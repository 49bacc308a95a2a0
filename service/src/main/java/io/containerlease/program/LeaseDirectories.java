package io.containerlease.program;

import io.containerlease.lease.LeaseId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;

/**
 * One directory per lease under a root of the service's own (mode 0700, so no other host user
 * reaches into it): the kept code versions live in such a tree. The
 * reconciler finds what a crash left by listing it.
 */
public final class LeaseDirectories {
    private final Path root;

    public LeaseDirectories(Path root) {
        this.root = root.toAbsolutePath();
    }

    /** The lease's directory, made (with a private root) if missing. */
    public Path create(LeaseId id) throws IOException {
        Files.createDirectories(root);
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx------"));
        return Files.createDirectories(directory(id));
    }

    public Path directory(LeaseId id) {
        return root.resolve(id.value());
    }

    /** Removes the lease's directory and everything in it, following no link; nothing there is fine. */
    public void remove(LeaseId id) {
        try {
            FileTrees.removeTree(directory(id));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the directory of lease " + id, e);
        }
    }

    /** The leases that have a directory now. */
    public Set<LeaseId> present() {
        Set<LeaseId> ids = new HashSet<>();
        if (!Files.isDirectory(root)) {
            return ids;
        }
        try (Stream<Path> list = Files.list(root)) {
            list.map(p -> p.getFileName().toString())
                    .filter(LeaseId::isValid)
                    .forEach(name -> ids.add(new LeaseId(name)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + root, e);
        }
        return ids;
    }
}
