package io.containerlease.runtime.docker;

import java.io.InputStream;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The stdin docker-java copies into a shell's hijacked connection. A queue, not a
 * PipedInputStream: those break ("write end dead") once the thread that wrote last has ended,
 * and here every WebSocket message may arrive on a different, short-lived thread.
 */
final class ShellInput extends InputStream {
    private static final byte[] END = new byte[0];
    private final LinkedBlockingQueue<byte[]> chunks = new LinkedBlockingQueue<>();
    private byte[] current = new byte[0];
    private int position;
    private volatile boolean closed;

    void offer(byte[] data) {
        if (!closed && data.length > 0) {
            chunks.add(data.clone());
        }
    }

    @Override
    public int read() {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) {
        if (length == 0) {
            return 0;
        }
        try {
            while (position >= current.length) {
                byte[] next = chunks.take();
                if (next == END) {
                    chunks.add(END); // stay at end for later reads
                    return -1;
                }
                current = next;
                position = 0;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
        int n = Math.min(length, current.length - position);
        System.arraycopy(current, position, buffer, offset, n);
        position += n;
        return n;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            chunks.add(END);
        }
    }
}
