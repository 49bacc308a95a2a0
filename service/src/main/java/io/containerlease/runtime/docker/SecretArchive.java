package io.containerlease.runtime.docker;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Secret files as the tar stream the engine's copy API takes: one regular file per name, mode 0400,
 * built in memory (it never touches the host's disk).
 */
final class SecretArchive {
    static final int MODE = 0100400; // a regular file, readable by its owner only

    private SecretArchive() {}

    /** The files' owner: a numeric uid and gid the archive states itself. */
    record Owner(long uid, long gid) {
        static final Owner ROOT = new Owner(0, 0);

        /** A catalog user given as {@code uid} or {@code uid:gid}; empty for a user name, which only the engine can resolve. */
        static java.util.Optional<Owner> numeric(String user) {
            var m = java.util.regex.Pattern.compile("(\\d{1,10})(?::(\\d{1,10}))?")
                    .matcher(user);
            if (!m.matches()) {
                return java.util.Optional.empty();
            }
            long uid = Long.parseLong(m.group(1));
            return java.util.Optional.of(new Owner(uid, m.group(2) == null ? uid : Long.parseLong(m.group(2))));
        }
    }

    static byte[] of(Map<String, String> files, Owner owner) {
        Map<String, byte[]> contents = new TreeMap<>();
        files.forEach((name, text) -> contents.put(name, text.getBytes(StandardCharsets.UTF_8)));
        return tar(contents, MODE, owner);
    }

    /** Regular files with one mode and owner, as a tar stream built in memory. */
    static byte[] tar(Map<String, byte[]> files, int mode, Owner owner) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (var file : new TreeMap<>(files).entrySet()) {
                TarArchiveEntry entry = new TarArchiveEntry(file.getKey());
                entry.setMode(mode);
                entry.setUserId(owner.uid());
                entry.setGroupId(owner.gid());
                entry.setSize(file.getValue().length);
                tar.putArchiveEntry(entry);
                tar.write(file.getValue());
                tar.closeArchiveEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("building an in-memory archive cannot fail", e);
        }
        return out.toByteArray();
    }
}
