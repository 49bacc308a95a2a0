package io.containerlease.program.code;

import io.containerlease.archive.ArchiveRefusedException;
import io.containerlease.archive.ArchiveRules;
import io.containerlease.program.ProgramException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

/**
 * An uploaded {@code .tar.gz}, checked as the hostile input it may be before anything of it is
 * copied, by {@link ArchiveRules}: every entry must stay under the code path (no {@code ..}, no absolute name, no link
 * leading out, whether alone or through other links of the archive: an entry placed under a link,
 * or a link resolved through one, is refused), be a file, a directory or a link (no devices, no
 * FIFOs), and the whole must stay within {@link #MAX_ENTRIES} entries and {@link #EXPANSION} times
 * the upload limit once unpacked. Set-user-ID, set-group-ID and sticky bits are taken off (the
 * archive is packed again only when one was set, so an ordinary upload keeps its bytes and hash).
 */
public record CodeArchive(byte[] tarGz, String sha256, int entries, long unpackedBytes) {
    public static final int MAX_ENTRIES = 10_000;
    public static final int EXPANSION = 8;
    private static final int SPECIAL_BITS = ArchiveRules.SPECIAL_BITS;

    /** @throws ProgramException (INVALID) naming the first entry that breaks a rule */
    public static CodeArchive check(byte[] tarGz, long maxBytes) {
        long maxUnpacked = maxBytes * EXPANSION;
        var rules = new ArchiveRules("the code path", MAX_ENTRIES);
        long unpacked = 0;
        boolean specialBits = false;
        try (InputStream gz = new GzipCompressorInputStream(new ByteArrayInputStream(tarGz), true);
                TarArchiveInputStream tar = new TarArchiveInputStream(gz)) {
            TarArchiveEntry entry;
            byte[] sink = new byte[8192];
            while ((entry = tar.getNextEntry()) != null) {
                rules.check(entry);
                specialBits |= (entry.getMode() & SPECIAL_BITS) != 0;
                int n;
                while ((n = tar.read(sink)) > 0) {
                    unpacked += n;
                    if (unpacked > maxUnpacked) {
                        throw refused("it unpacks to more than " + maxUnpacked / (1024 * 1024) + " MiB (" + EXPANSION
                                + " times the upload limit)");
                    }
                }
            }
            rules.finish();
        } catch (ArchiveRefusedException e) {
            throw refused(e.getMessage());
        } catch (IOException | IllegalArgumentException e) {
            throw refused("it is not a gzip-compressed tar");
        }
        int entries = rules.entries();
        if (entries == 0) {
            throw refused("it holds no files");
        }
        byte[] kept = specialBits ? withoutSpecialBits(tarGz) : tarGz;
        return new CodeArchive(kept, sha256(kept), entries, unpacked);
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

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
