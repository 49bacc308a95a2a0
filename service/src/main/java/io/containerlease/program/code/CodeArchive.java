package io.containerlease.program.code;

import io.containerlease.program.ProgramException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

/**
 * An uploaded {@code .tar.gz}, checked as the hostile input it may be before anything of it is
 * copied: every entry must stay under the code path (no {@code ..}, no absolute name, no link
 * leading out, whether alone or through other links of the archive: an entry placed under a link,
 * or a link resolved through one, is refused), be a file, a directory or a link (no devices, no
 * FIFOs), and the whole must stay within {@link #MAX_ENTRIES} entries and {@link #EXPANSION} times
 * the upload limit once unpacked. Set-user-ID, set-group-ID and sticky bits are taken off (the
 * archive is packed again only when one was set, so an ordinary upload keeps its bytes and hash).
 */
public record CodeArchive(byte[] tarGz, String sha256, int entries, long unpackedBytes) {
    public static final int MAX_ENTRIES = 10_000;
    public static final int EXPANSION = 8;
    private static final int SPECIAL_BITS = 07000;

    /** What the link checks need of an entry: its path's parts, and a link's target. */
    private record Seen(List<String> path, String linkTarget, boolean symbolic, boolean hard) {}

    /** @throws ProgramException (INVALID) naming the first entry that breaks a rule */
    public static CodeArchive check(byte[] tarGz, long maxBytes) {
        long maxUnpacked = maxBytes * EXPANSION;
        int entries = 0;
        long unpacked = 0;
        boolean specialBits = false;
        List<Seen> seen = new ArrayList<>();
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
                } else if (entry.isCharacterDevice()
                        || entry.isBlockDevice()
                        || entry.isFIFO()
                        || (!entry.isFile() && !entry.isDirectory())) {
                    throw refused("'" + printable(name) + "' is a device, a FIFO or another special file");
                }
                specialBits |= (entry.getMode() & SPECIAL_BITS) != 0;
                seen.add(new Seen(parts(name), entry.getLinkName(), entry.isSymbolicLink(), entry.isLink()));
                int n;
                while ((n = tar.read(sink)) > 0) {
                    unpacked += n;
                    if (unpacked > maxUnpacked) {
                        throw refused("it unpacks to more than " + maxUnpacked / (1024 * 1024) + " MiB (" + EXPANSION
                                + " times the upload limit)");
                    }
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            throw refused("it is not a gzip-compressed tar");
        }
        if (entries == 0) {
            throw refused("it holds no files");
        }
        checkLinksAgainstEachOther(seen);
        byte[] kept = specialBits ? withoutSpecialBits(tarGz) : tarGz;
        return new CodeArchive(kept, sha256(kept), entries, unpacked);
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

    /**
     * Each link was checked alone, as if every directory it names were a directory; but a directory
     * may be a link of the archive itself ({@code d -> .}, then {@code d/d/e -> ../../etc}). So no
     * entry may be placed under a symbolic link of the archive, and no link may resolve through one.
     */
    private static void checkLinksAgainstEachOther(List<Seen> seen) {
        Set<List<String>> symlinks = new HashSet<>();
        for (Seen s : seen) {
            if (s.symbolic()) {
                symlinks.add(s.path());
            }
        }
        if (symlinks.isEmpty()) {
            return;
        }
        for (Seen s : seen) {
            for (int i = 1; i < s.path().size(); i++) {
                if (symlinks.contains(s.path().subList(0, i))) {
                    throw refused("'" + printable(String.join("/", s.path())) + "' is placed under the link '"
                            + printable(String.join("/", s.path().subList(0, i))) + "'");
                }
            }
            if (s.symbolic() || s.hard()) {
                Deque<String> at = new ArrayDeque<>(
                        s.symbolic() ? s.path().subList(0, s.path().size() - 1) : List.of());
                List<String> target = parts(s.linkTarget());
                for (int i = 0; i < target.size(); i++) {
                    if (target.get(i).equals("..")) {
                        at.pollLast();
                        continue;
                    }
                    at.addLast(target.get(i));
                    if (i < target.size() - 1 && symlinks.contains(List.copyOf(at))) {
                        throw refused("'" + printable(String.join("/", s.path())) + "' links through the link '"
                                + printable(String.join("/", at)) + "'");
                    }
                }
            }
        }
    }

    /** A relative path's parts, without empty and {@code .} ones. */
    private static List<String> parts(String path) {
        List<String> parts = new ArrayList<>();
        for (String part : path.split("/")) {
            if (!part.isEmpty() && !part.equals(".")) {
                parts.add(part);
            }
        }
        return parts;
    }

    /** The same archive with set-user-ID, set-group-ID and sticky bits off every entry (already checked, so read without checks). */
    private static byte[] withoutSpecialBits(byte[] tarGz) {
        var out = new ByteArrayOutputStream(tarGz.length);
        try (InputStream gz = new GzipCompressorInputStream(new ByteArrayInputStream(tarGz), true);
                TarArchiveInputStream in = new TarArchiveInputStream(gz);
                TarArchiveOutputStream repacked = new TarArchiveOutputStream(new GzipCompressorOutputStream(out))) {
            repacked.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            repacked.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            TarArchiveEntry entry;
            while ((entry = in.getNextEntry()) != null) {
                entry.setMode(entry.getMode() & ~SPECIAL_BITS);
                repacked.putArchiveEntry(entry);
                in.transferTo(repacked);
                repacked.closeArchiveEntry();
            }
        } catch (IOException e) {
            throw new IllegalStateException("an archive that was read once reads again", e);
        }
        return out.toByteArray();
    }

    private static ProgramException refused(String why) {
        return new ProgramException(
                ProgramException.Kind.INVALID,
                "invalid_archive",
                "the archive was refused: " + why + "; nothing was changed");
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
