package io.containerlease.files;

import io.containerlease.archive.ArchiveRefusedException;
import io.containerlease.archive.ArchiveRules;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.Arrays;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * An uploaded tar, read as it arrives and checked entry by entry ({@link ArchiveRules}) before each
 * entry goes to the helper, which unpacks it aside; the checks that need the whole archive run
 * before the helper is told to move it in. Set-user-ID, set-group-ID and sticky bits are dropped.
 */
final class ArchiveUpload {
    private static final int CHUNK = 64 * 1024;

    private ArchiveUpload() {}

    /**
     * Sends every entry and its data.
     *
     * @return the entries sent, or -1 when the helper stopped taking them (its frames say why)
     * @throws FileException for an archive over the limits or breaking a rule
     */
    static int send(HelperCall call, InputStream body, boolean gzip, long maxBytes, int maxEntries) {
        var rules = new ArchiveRules("the target directory", maxEntries);
        long unpacked = 0;
        int sent = 0;
        byte[] chunk = new byte[CHUNK];
        try {
            InputStream in = gzip ? new GzipCompressorInputStream(body, true) : body;
            var tar = new TarArchiveInputStream(in);
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                rules.check(entry);
                String path = String.join("/", ArchiveRules.parts(entry.getName()));
                if (path.isEmpty()) {
                    continue; // "./": the target directory itself
                }
                char type = entry.isDirectory() ? 'd' : entry.isSymbolicLink() ? 'l' : entry.isLink() ? 'h' : 'f';
                String target = type == 'l'
                        ? entry.getLinkName()
                        : type == 'h' ? String.join("/", ArchiveRules.parts(entry.getLinkName())) : "";
                long size = type == 'f' ? entry.getSize() : 0;
                unpacked += size;
                if (unpacked > maxBytes) {
                    throw LeaseFiles.tooLarge(maxBytes);
                }
                var described = new FileEntry(
                        type,
                        size,
                        entry.getMode() & 0777,
                        Instant.ofEpochMilli(Math.max(0, entry.getModTime().getTime())),
                        path,
                        target);
                if (!call.send((byte) 'N', described.encode())) {
                    return -1;
                }
                for (long left = size; left > 0; ) {
                    int n = tar.readNBytes(chunk, 0, (int) Math.min(CHUNK, left));
                    if (n <= 0) {
                        throw new IOException("the archive ends inside a file");
                    }
                    if (!call.send((byte) 'B', Arrays.copyOf(chunk, n))) {
                        return -1;
                    }
                    left -= n;
                }
                sent++;
            }
            rules.finish();
            return sent;
        } catch (ArchiveRefusedException e) {
            throw new FileException(
                    FileException.Kind.INVALID,
                    "invalid_archive",
                    "the archive was refused: " + e.getMessage() + "; nothing was changed");
        } catch (IOException | IllegalArgumentException e) {
            throw new FileException(
                    FileException.Kind.INVALID,
                    "invalid_archive",
                    "the archive was refused: it is not a " + (gzip ? "gzip-compressed " : "")
                            + "tar, or it was cut off; nothing was changed");
        }
    }
}
