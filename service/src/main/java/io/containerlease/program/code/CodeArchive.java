package io.containerlease.program.code;

import io.containerlease.program.ProgramException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * An uploaded {@code .tar.gz}, checked as the hostile input it may be before anything of it is
 * copied: every entry must stay under the code path (no {@code ..}, no absolute name, no link
 * leading out), be a file, a directory or a link (no devices, no FIFOs), and the whole must stay
 * within {@link #MAX_ENTRIES} entries and {@link #EXPANSION} times the upload limit once unpacked.
 */
public record CodeArchive(byte[] tarGz, String sha256, int entries, long unpackedBytes) {
    public static final int MAX_ENTRIES = 10_000;
    public static final int EXPANSION = 8;

    /** @throws ProgramException (INVALID) naming the first entry that breaks a rule */
    public static CodeArchive check(byte[] tarGz, long maxBytes) {
        long maxUnpacked = maxBytes * EXPANSION;
        int entries = 0;
        long unpacked = 0;
        try (InputStream gz = new GzipCompressorInputStream(new ByteArrayInputStream(tarGz), true);
             TarArchiveInputStream tar = new TarArchiveInputStream(gz)) {
            TarArchiveEntry entry;
            byte[] sink = new byte[8192];
            while ((entry = tar.getNextEntry()) != null) {
                if (++entries > MAX_ENTRIES) {
                    throw refused("more than " + MAX_ENTRIES + " entries");
                }
                String name = entry.getName();
                checkName(name);
                if (entry.isSymbolicLink() || entry.isLink()) {
                    checkLink(name, entry.getLinkName(), entry.isLink());
                } else if (entry.isCharacterDevice() || entry.isBlockDevice() || entry.isFIFO()
                        || (!entry.isFile() && !entry.isDirectory())) {
                    throw refused("'" + printable(name) + "' is a device, a FIFO or another special file");
                }
                int n;
                while ((n = tar.read(sink)) > 0) {
                    unpacked += n;
                    if (unpacked > maxUnpacked) {
                        throw refused("it unpacks to more than " + maxUnpacked / (1024 * 1024) + " MiB ("
                                + EXPANSION + " times the upload limit)");
                    }
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            throw refused("it is not a gzip-compressed tar");
        }
        if (entries == 0) {
            throw refused("it holds no files");
        }
        return new CodeArchive(tarGz, sha256(tarGz), entries, unpacked);
    }

    private static void checkName(String name) {
        if (name.startsWith("/")) {
            throw refused("'" + printable(name) + "' is an absolute path");
        }
        for (String part : name.split("/")) {
            if (part.equals("..")) {
                throw refused("'" + printable(name) + "' climbs out of the code path with '..'");
            }
        }
    }

    /**
     * A symbolic link resolves from its own directory; a hard link names another entry of the
     * archive. Either must end up inside the code path.
     */
    private static void checkLink(String name, String target, boolean hard) {
        if (target == null || target.isEmpty() || target.startsWith("/")) {
            throw refused("'" + printable(name) + "' links to an absolute path");
        }
        String base = hard || !name.contains("/") ? "" : name.substring(0, name.lastIndexOf('/'));
        int depth = 0;
        for (String part : (base.isEmpty() ? target : base + "/" + target).split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            depth += part.equals("..") ? -1 : 1;
            if (depth < 0) {
                throw refused("'" + printable(name) + "' links outside the code path");
            }
        }
    }

    private static ProgramException refused(String why) {
        return new ProgramException(ProgramException.Kind.INVALID, "invalid_archive", "the archive was refused: " + why
                + "; nothing was changed");
    }

    private static String printable(String raw) {
        String clean = raw.replaceAll("\\p{Cntrl}", "?");
        return clean.length() > 120 ? clean.substring(0, 120) + "…" : clean;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
