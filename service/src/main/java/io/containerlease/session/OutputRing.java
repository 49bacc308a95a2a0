package io.containerlease.session;

/**
 * The last {@code capacity} bytes a shell produced, addressed by absolute offset (bytes produced
 * since the shell started), so a client can resume exactly after the last byte it saw. The buffer
 * starts small and doubles as output arrives, up to the capacity: most shells print a few kilobytes,
 * and a lease may hold several, so a full megabyte each from the start would be memory for nothing.
 * Not thread-safe: its owner guards it.
 */
final class OutputRing {
    static final int INITIAL_BYTES = 4096;

    private final int capacity;
    private byte[] buffer;
    private long end;

    OutputRing(int capacity) {
        this.capacity = capacity;
        this.buffer = new byte[Math.min(capacity, INITIAL_BYTES)];
    }

    /** The bytes allocated now (for tests: it grows only with output). */
    int allocated() {
        return buffer.length;
    }

    /** The offset just after the last byte produced. */
    long end() {
        return end;
    }

    /** The oldest offset still held. */
    long start() {
        return Math.max(0, end - buffer.length);
    }

    void append(byte[] data) {
        growFor(data.length);
        int from = Math.max(0, data.length - buffer.length); // only the tail of a huge write survives anyway
        for (int i = from; i < data.length; i++) {
            buffer[(int) ((end + i) % buffer.length)] = data[i]; // data[i] lives at offset end + i
        }
        end += data.length;
    }

    /**
     * Before the buffer reaches its capacity it has never wrapped (it grows first), so its bytes
     * are {@code [0, end)} in place and a larger copy keeps every offset where it was.
     */
    private void growFor(int incoming) {
        if (buffer.length == capacity || end + incoming <= buffer.length) {
            return;
        }
        long needed = Math.min(capacity, end + incoming);
        int size = buffer.length;
        while (size < needed) {
            size = (int) Math.min(capacity, size * 2L);
        }
        buffer = java.util.Arrays.copyOf(buffer, size);
    }

    /** The bytes from {@code offset} (at least {@link #start()}) to the end. */
    byte[] copyFrom(long offset) {
        if (offset < start() || offset > end) {
            throw new IllegalArgumentException("offset " + offset + " outside [" + start() + ", " + end + "]");
        }
        byte[] out = new byte[(int) (end - offset)];
        for (int i = 0; i < out.length; i++) {
            out[i] = buffer[(int) ((offset + i) % buffer.length)];
        }
        return out;
    }
}
