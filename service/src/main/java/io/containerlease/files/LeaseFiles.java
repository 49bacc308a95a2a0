package io.containerlease.files;

import io.containerlease.helper.HelperFrames;
import io.containerlease.lease.ContainerStreams;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Files in and out of a lease's container, through our helper run by the engine's exec as the
 * container's own user: every path is resolved inside the container (its symlinks included), never
 * on the host, and what is written belongs to the container's user. Transfers stream both ways: at
 * most {@link HelperCall#MAX_BUFFERED} of a download and one 64 KiB chunk of an upload are in the
 * server's memory, and each carries at most FILES_MAX_BYTES of file data and {@link #MAX_ENTRIES}
 * entries.
 */
public final class LeaseFiles {
    public static final int MAX_ENTRIES = 100_000;
    /** A listing shows at most this many entries (and says it was cut). */
    public static final int MAX_LISTED = 10_000;
    /** Transfers of one lease at once; more wait for none and are refused. */
    public static final int MAX_TRANSFERS_PER_LEASE = 4;
    /** An upload's chunk: the most the helper reads in one frame. */
    private static final int CHUNK = 64 * 1024;

    private static final int HEADER = 5;

    /**
     * A directory's entries as the container resolves its path, sorted directories first (a file's own
     * entry when the path is a file); {@code itself} is what the path leads to.
     */
    public record Listing(String path, FileEntry itself, List<FileEntry> entries, boolean truncated) {}

    private final ContainerStreams streams;
    private final long maxBytes;
    private final ConcurrentHashMap<String, AtomicInteger> transfers = new ConcurrentHashMap<>();

    /** @param maxBytes FILES_MAX_BYTES: the most file data one transfer carries */
    public LeaseFiles(ContainerStreams streams, long maxBytes) {
        this.streams = streams;
        this.maxBytes = maxBytes;
    }

    public long maxBytes() {
        return maxBytes;
    }

    public Listing list(String container, String path) {
        checkPath(path);
        try (var slot = slot(container);
                var call = HelperCall.open(streams, container, List.of("list", path, Integer.toString(MAX_LISTED)))) {
            String resolved = path;
            FileEntry itself = null;
            List<FileEntry> entries = new ArrayList<>();
            boolean truncated = false;
            for (HelperCall.Frame frame = call.next(); ; frame = call.next()) {
                switch (frame.type()) {
                    case 'P' -> resolved = frame.text();
                    case 'I' -> itself = entry(frame);
                    case 'N' -> {
                        if (entries.size() >= MAX_LISTED) {
                            throw protocol();
                        }
                        entries.add(entry(frame));
                    }
                    case 'T' -> truncated = true;
                    case 'E' -> throw HelperErrors.from(frame, path);
                    case 'Z' -> {
                        if (itself == null) {
                            throw protocol();
                        }
                        entries.sort(Comparator.comparing((FileEntry e) -> e.type() != 'd')
                                .thenComparing(FileEntry::path));
                        return new Listing(resolved, itself, List.copyOf(entries), truncated);
                    }
                    default -> throw protocol();
                }
            }
        }
    }

    /**
     * Opens a download: a file's bytes, or a directory (or a file, when {@code archive}) as a tar.
     * Refusals (no such path, too large) come from here, before anything is sent; the caller streams
     * it with {@link Download#writeTo} and closes it.
     */
    public Download download(String container, String path, boolean archive) {
        checkPath(path);
        var slot = slot(container);
        HelperCall call = null;
        try {
            call = HelperCall.open(
                    streams, container, List.of("get", path, Long.toString(maxBytes), Integer.toString(MAX_ENTRIES)));
            return Download.open(call, slot, path, archive, maxBytes, MAX_ENTRIES);
        } catch (RuntimeException e) {
            if (call != null) {
                call.close();
            }
            slot.close();
            throw e;
        }
    }

    /**
     * Writes {@code body} to the file at {@code path} (through a link there, as {@code cp} does): written
     * beside it and renamed over it only once whole, so a broken upload changes nothing.
     *
     * @return the bytes written
     */
    public long upload(String container, String path, InputStream body) {
        checkPath(path);
        try (var slot = slot(container);
                var call = HelperCall.open(streams, container, List.of("put", path))) {
            awaitReady(call, path);
            // Read straight into a frame: a full chunk goes out as it is (only the last, shorter one is copied).
            byte[] frame = new byte[HEADER + CHUNK];
            long total = 0;
            try {
                for (int n; (n = body.readNBytes(frame, HEADER, CHUNK)) > 0; ) {
                    total += n;
                    if (total > maxBytes) {
                        throw tooLarge();
                    }
                    boolean sent = n == CHUNK
                            ? call.sendFrame(HelperFrames.header(frame, (byte) 'B', n))
                            : call.send((byte) 'B', java.util.Arrays.copyOfRange(frame, HEADER, HEADER + n));
                    if (!sent) {
                        throw failure(call, path);
                    }
                }
            } catch (IOException e) {
                throw HelperCall.failed("the upload was cut off before its end");
            }
            if (!call.send((byte) 'Z', new byte[0])) {
                throw failure(call, path);
            }
            awaitDone(call, path);
            return total;
        }
    }

    /**
     * Unpacks a tar (gzip-compressed when {@code gzip}) into the directory {@code path}, made when
     * missing, under the same rules as a code update ({@link io.containerlease.archive.ArchiveRules}):
     * the helper unpacks into a new directory beside and moves it in only once the whole archive
     * passed, so a refused or broken upload changes nothing.
     *
     * @return the entries unpacked
     */
    public int extract(String container, String path, InputStream tar, boolean gzip) {
        checkPath(path);
        try (var slot = slot(container);
                var call = HelperCall.open(streams, container, List.of("extract", path))) {
            awaitReady(call, path);
            int entries = ArchiveUpload.send(call, tar, gzip, maxBytes, MAX_ENTRIES);
            if (entries < 0 || !call.send((byte) 'Z', new byte[0])) {
                throw failure(call, path);
            }
            awaitDone(call, path);
            return entries;
        }
    }

    /** Removes a file, a link (not what it points to) or a directory with everything in it. */
    public void remove(String container, String path) {
        checkPath(path);
        simple(container, "remove", path);
    }

    /** Makes a directory and its missing parents; one that is already there is a conflict. */
    public void makeDirectory(String container, String path) {
        checkPath(path);
        simple(container, "mkdir", path);
    }

    private void simple(String container, String operation, String path) {
        try (var slot = slot(container);
                var call = HelperCall.open(streams, container, List.of(operation, path))) {
            awaitDone(call, path);
        }
    }

    private static void awaitReady(HelperCall call, String path) {
        HelperCall.Frame frame = call.next();
        if (frame.type() == 'E') {
            throw HelperErrors.from(frame, path);
        }
        if (frame.type() != 'R') {
            throw frame == HelperCall.END ? HelperCall.failed("the container did not start the transfer") : protocol();
        }
    }

    private static void awaitDone(HelperCall call, String path) {
        HelperCall.Frame frame = call.next();
        if (frame.type() == 'E') {
            throw HelperErrors.from(frame, path);
        }
        if (frame.type() != 'K') {
            throw frame == HelperCall.END ? HelperCall.failed("the container ended the transfer") : protocol();
        }
    }

    /** The helper stopped taking input: its last frame says why (or it ended without a word). */
    private static FileException failure(HelperCall call, String path) {
        for (HelperCall.Frame frame = call.next(); frame != HelperCall.END; frame = call.next()) {
            if (frame.type() == 'E') {
                return HelperErrors.from(frame, path);
            }
        }
        return HelperCall.failed("the container ended the transfer");
    }

    static FileEntry entry(HelperCall.Frame frame) {
        try {
            return FileEntry.parse(frame.payload());
        } catch (IllegalArgumentException e) {
            throw protocol();
        }
    }

    static FileException protocol() {
        return HelperCall.failed("the container's helper answered out of turn");
    }

    FileException tooLarge() {
        return tooLarge(maxBytes);
    }

    static FileException tooLarge(long maxBytes) {
        return new FileException(
                FileException.Kind.TOO_LARGE,
                "payload_too_large",
                "one transfer carries at most " + human(maxBytes) + " (FILES_MAX_BYTES)");
    }

    static String human(long bytes) {
        return bytes % (1L << 30) == 0
                ? bytes / (1L << 30) + " GiB"
                : bytes % (1L << 20) == 0 ? bytes / (1L << 20) + " MiB" : bytes / 1024 + " KiB";
    }

    /** A path as the client gave it: resolved by the container, but never empty, with NUL, or over 4 KiB. */
    static void checkPath(String path) {
        if (path == null || path.isEmpty()) {
            throw new FileException(FileException.Kind.INVALID, "missing_path", "give a path: ?path=/some/file");
        }
        if (path.indexOf('\0') >= 0 || path.getBytes(StandardCharsets.UTF_8).length > FileEntry.MAX_PATH_BYTES) {
            throw new FileException(
                    FileException.Kind.INVALID, "invalid_path", "a path has no NUL byte and at most 4096 bytes");
        }
    }

    /** A place among the lease's transfers at once, given back on close. */
    final class Slot implements AutoCloseable {
        private final String container;
        private boolean closed;

        private Slot(String container) {
            this.container = container;
        }

        @Override
        public synchronized void close() {
            if (!closed) {
                closed = true;
                transfers.computeIfPresent(container, (k, n) -> n.decrementAndGet() == 0 ? null : n);
            }
        }
    }

    private Slot slot(String container) {
        boolean[] taken = {false};
        transfers.compute(container, (k, n) -> {
            AtomicInteger count = n == null ? new AtomicInteger() : n;
            if (count.get() < MAX_TRANSFERS_PER_LEASE) {
                count.incrementAndGet();
                taken[0] = true;
            }
            return count.get() == 0 ? null : count;
        });
        if (!taken[0]) {
            throw new FileException(
                    FileException.Kind.BUSY,
                    "too_many_transfers",
                    "this lease has " + MAX_TRANSFERS_PER_LEASE + " transfers under way; try again when one ends");
        }
        return new Slot(container);
    }
}
