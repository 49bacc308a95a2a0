package io.containerlease.files;

import java.io.IOException;
import java.io.OutputStream;
import java.util.OptionalLong;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * One download under way: a file's exact bytes, or a tar of a directory (of a file, when asked)
 * whose entries are named under the directory's own name, as {@code docker cp} names them. The
 * helper declares each file's size before its bytes and keeps to it; the totals are checked again
 * here, as the tree may grow while it is read, and a download over them is cut off.
 */
public final class Download implements AutoCloseable {
    private final HelperCall call;
    private final AutoCloseable slot;
    private final String name;
    private final FileEntry root;
    private final boolean archive;
    private final long maxBytes;
    private final int maxEntries;

    private Download(
            HelperCall call,
            AutoCloseable slot,
            String name,
            FileEntry root,
            boolean archive,
            long maxBytes,
            int maxEntries) {
        this.call = call;
        this.slot = slot;
        this.name = name;
        this.root = root;
        this.archive = archive;
        this.maxBytes = maxBytes;
        this.maxEntries = maxEntries;
    }

    /** Reads what the helper says before the bytes: where the path led, and what is there (or why not). */
    static Download open(
            HelperCall call, AutoCloseable slot, String path, boolean archive, long maxBytes, int maxEntries) {
        String resolved = path;
        for (HelperCall.Frame frame = call.next(); ; frame = call.next()) {
            switch (frame.type()) {
                case 'P' -> resolved = frame.text();
                case 'S' -> {
                    // A directory's totals, counted before it is sent (the helper refuses one over the limits).
                }
                case 'N' -> {
                    FileEntry root = LeaseFiles.entry(frame);
                    return new Download(
                            call, slot, baseName(resolved), root, archive || root.type() == 'd', maxBytes, maxEntries);
                }
                case 'E' -> throw HelperErrors.from(frame, path);
                default ->
                    throw frame == HelperCall.END
                            ? HelperCall.failed("the container did not start the transfer")
                            : LeaseFiles.protocol();
            }
        }
    }

    /** The name a client saves it under: the last part of the path the container resolved. */
    public String name() {
        return name;
    }

    /** True when the body is a tar (a directory, or a file asked for as one). */
    public boolean archive() {
        return archive;
    }

    /** The body's length, known for a file's own bytes. */
    public OptionalLong length() {
        return archive ? OptionalLong.empty() : OptionalLong.of(root.size());
    }

    /** Streams the body; an {@link IOException} mid-way means the client must not trust what it got. */
    public void writeTo(OutputStream out) throws IOException {
        if (!archive) {
            copyData(out, root.size());
            expectEnd();
            return;
        }
        var tar = new TarArchiveOutputStream(out);
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        tar.setAddPaxHeadersForNonAsciiNames(true);
        long bytes = 0;
        int entries = 0;
        FileEntry entry = root;
        while (entry != null) {
            if (++entries > maxEntries) {
                throw new IOException("more entries than one transfer carries");
            }
            bytes += entry.type() == 'f' ? entry.size() : 0;
            if (bytes > maxBytes) {
                throw new IOException("more bytes than one transfer carries");
            }
            tar.putArchiveEntry(tarEntry(entry));
            if (entry.type() == 'f') {
                copyData(tar, entry.size());
            }
            tar.closeArchiveEntry();
            entry = nextEntry();
        }
        tar.finish();
    }

    private TarArchiveEntry tarEntry(FileEntry entry) {
        String path = entry.path().isEmpty() ? name : name + "/" + entry.path();
        TarArchiveEntry tarEntry = switch (entry.type()) {
            case 'd' -> new TarArchiveEntry(path + "/");
            case 'l' -> {
                var link = new TarArchiveEntry(path, TarConstants.LF_SYMLINK);
                link.setLinkName(entry.target());
                yield link;
            }
            default -> {
                var file = new TarArchiveEntry(path);
                file.setSize(entry.size());
                yield file;
            }
        };
        tarEntry.setMode(entry.mode());
        tarEntry.setModTime(entry.modified().toEpochMilli());
        return tarEntry;
    }

    /** The next entry, or null at the end of a whole tree. */
    private FileEntry nextEntry() throws IOException {
        HelperCall.Frame frame = nextFrame();
        return switch (frame.type()) {
            case 'N' -> LeaseFiles.entry(frame);
            case 'Z' -> null;
            default -> throw new IOException("the container's helper answered out of turn");
        };
    }

    private void copyData(OutputStream out, long size) throws IOException {
        long left = size;
        while (left > 0) {
            HelperCall.Frame frame = nextFrame();
            if (frame.type() != 'B' || frame.payload().length > left) {
                throw new IOException("the container's helper broke off a file");
            }
            out.write(frame.payload());
            left -= frame.payload().length;
        }
    }

    private void expectEnd() throws IOException {
        if (nextFrame().type() != 'Z') {
            throw new IOException("the container's helper answered out of turn");
        }
    }

    private HelperCall.Frame nextFrame() throws IOException {
        try {
            HelperCall.Frame frame = call.next();
            if (frame == HelperCall.END) {
                throw new IOException("the container ended the transfer");
            }
            return frame;
        } catch (FileException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    private static String baseName(String resolved) {
        String trimmed = resolved.replaceAll("/+$", "");
        String last = trimmed.substring(trimmed.lastIndexOf('/') + 1);
        return last.isEmpty() || last.equals(".") || last.equals("..") ? "root" : last;
    }

    @Override
    public void close() {
        call.close();
        try {
            slot.close();
        } catch (Exception ignored) {
            // A slot's close cannot fail.
        }
    }
}
