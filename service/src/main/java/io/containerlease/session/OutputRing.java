package io.containerlease.session;

/**
 * The last {@code capacity} bytes a shell produced, addressed by absolute offset (bytes produced
 * since the shell started), so a client can resume exactly after the last byte it saw. Not
 * thread-safe: its owner guards it.
 */
final class OutputRing {
    private final byte[] buffer;
    private long end;

    OutputRing(int capacity) {
        buffer = new byte[capacity];
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
        int from = Math.max(0, data.length - buffer.length); // only the tail of a huge write survives anyway
        for (int i = from; i < data.length; i++) {
            buffer[(int) ((end + i) % buffer.length)] = data[i]; // data[i] lives at offset end + i
        }
        end += data.length;
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
