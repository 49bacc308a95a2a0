package io.containerlease.cli.client;

import io.containerlease.archive.ArchiveRules;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Tars on this machine's side of {@code cp}: a local directory packed for an upload, and a download
 * unpacked. What comes down was made from a tenant's container, so it is unpacked as hostile input:
 * no absolute name, no {@code ..}, and nothing is ever written through a symbolic link (one already
 * there, or one the archive made); links are made as they are, never followed.
 */
final class LocalArchive {
    private LocalArchive() {}

    /** Packs {@code source} (a directory or a file), its entries named under {@code prefix} ("" for its contents). */
    static void pack(Path source, String prefix, OutputStream out) throws IOException {
        try (var tar = new TarArchiveOutputStream(out)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            tar.setAddPaxHeadersForNonAsciiNames(true);
            Files.walkFileTree(source, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                    String name = name(source, dir, prefix);
                    if (!name.isEmpty()) {
                        put(tar, new TarArchiveEntry(name + "/"), dir, attrs, null);
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    String name = name(source, file, prefix);
                    if (name.isEmpty()) {
                        name = source.getFileName().toString();
                    }
                    if (attrs.isSymbolicLink()) {
                        var link = new TarArchiveEntry(name, TarConstants.LF_SYMLINK);
                        link.setLinkName(Files.readSymbolicLink(file).toString());
                        put(tar, link, file, attrs, null);
                    } else if (attrs.isRegularFile()) {
                        var entry = new TarArchiveEntry(name);
                        entry.setSize(attrs.size());
                        put(tar, entry, file, attrs, file);
                    }
                    // Devices, FIFOs and sockets have no file's bytes: left out, as the server leaves them out.
                    return FileVisitResult.CONTINUE;
                }
            });
            tar.finish();
        }
    }

    private static String name(Path root, Path path, String prefix) {
        String relative = root.relativize(path).toString().replace('\\', '/');
        if (prefix.isEmpty()) {
            return relative;
        }
        return relative.isEmpty() ? prefix : prefix + "/" + relative;
    }

    private static void put(
            TarArchiveOutputStream tar, TarArchiveEntry entry, Path path, BasicFileAttributes attrs, Path content)
            throws IOException {
        entry.setModTime(attrs.lastModifiedTime().toMillis());
        try {
            entry.setMode(modeOf(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS)));
        } catch (UnsupportedOperationException | IOException e) {
            // no POSIX permissions here: the entry's default mode
        }
        tar.putArchiveEntry(entry);
        if (content != null) {
            try (InputStream in = Files.newInputStream(content)) {
                long copied = in.transferTo(tar);
                if (copied != entry.getSize()) {
                    throw new IOException(content + " changed while it was read");
                }
            }
        }
        tar.closeArchiveEntry();
    }

    /**
     * Unpacks a tar into {@code destination} (a directory, made when missing), each name first passed
     * through {@code rename} (a download saved under another name renames its top directory).
     *
     * @return the entries unpacked
     */
    static int unpack(InputStream in, Path destination, UnaryOperator<String> rename) throws IOException {
        Files.createDirectories(destination);
        Path root = destination.toRealPath();
        int entries = 0;
        var tar = new TarArchiveInputStream(in);
        for (TarArchiveEntry entry; (entry = tar.getNextEntry()) != null; ) {
            String name = entry.getName();
            if (name.startsWith("/") || ArchiveRules.parts(name).contains("..")) {
                throw new IOException(
                        "refusing '" + ArchiveRules.printable(name) + "': it leads out of " + destination);
            }
            List<String> parts = ArchiveRules.parts(rename.apply(String.join("/", ArchiveRules.parts(name))));
            if (parts.isEmpty()) {
                continue;
            }
            Path parent = directoryWithin(root, parts.subList(0, parts.size() - 1));
            Path target = parent.resolve(parts.getLast());
            if (entry.isDirectory()) {
                if (Files.isSymbolicLink(target)) {
                    throw new IOException("refusing to unpack through the link " + target);
                }
                Files.createDirectories(target);
            } else if (entry.isSymbolicLink()) {
                Files.deleteIfExists(target);
                Files.createSymbolicLink(target, Path.of(entry.getLinkName()));
            } else if (entry.isFile()) {
                Path partial = Files.createTempFile(parent, ".containerlease-", ".part");
                try (OutputStream out = Files.newOutputStream(partial, StandardOpenOption.TRUNCATE_EXISTING)) {
                    tar.transferTo(out);
                } catch (IOException e) {
                    Files.deleteIfExists(partial);
                    throw e;
                }
                setMode(partial, entry.getMode());
                Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } else {
                continue; // a hard link or a special file: not made here
            }
            if (!entry.isSymbolicLink()) {
                if (entry.isDirectory()) {
                    setMode(target, entry.getMode() | 0700);
                }
                Files.setLastModifiedTime(
                        target, FileTime.fromMillis(entry.getModTime().getTime()));
            }
            entries++;
        }
        return entries;
    }

    /** The directory {@code parts} below {@code root}, made as needed; a link on the way is refused. */
    private static Path directoryWithin(Path root, List<String> parts) throws IOException {
        Path at = root;
        for (String part : parts) {
            at = at.resolve(part);
            if (Files.isSymbolicLink(at)) {
                throw new IOException("refusing to unpack through the link " + at);
            }
            try {
                Files.createDirectory(at);
            } catch (FileAlreadyExistsException e) {
                if (!Files.isDirectory(at, LinkOption.NOFOLLOW_LINKS)) {
                    throw new IOException(at + " is not a directory");
                }
            }
        }
        return at;
    }

    private static void setMode(Path path, int mode) {
        try {
            Files.setPosixFilePermissions(path, permissions(mode & 0777));
        } catch (UnsupportedOperationException | IOException e) {
            // no POSIX permissions here
        }
    }

    private static final PosixFilePermission[] ORDER = {
        PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
        PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
        PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ
    };

    static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
        for (int bit = 0; bit < ORDER.length; bit++) {
            if ((mode & (1 << bit)) != 0) {
                set.add(ORDER[bit]);
            }
        }
        return set;
    }

    static int modeOf(Set<PosixFilePermission> permissions) {
        int mode = 0;
        for (int bit = 0; bit < ORDER.length; bit++) {
            if (permissions.contains(ORDER[bit])) {
                mode |= 1 << bit;
            }
        }
        return mode;
    }
}
