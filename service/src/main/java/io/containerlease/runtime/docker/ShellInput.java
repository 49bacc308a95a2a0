package io.containerlease.runtime.docker;

import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The stdin docker-java copies into an exec's hijacked connection (a shell's, the channel relay's). A queue, not a
 * PipedInputStream: those break ("write end dead") once the thread that wrote last has ended,
 * and here every WebSocket message may arrive on a different, short-lived thread.
 *
 * <p>The queue is bounded in bytes: a writer waits while the shell is behind, and gives up (so the
 * caller can close the connection) when it stays behind too long. A client flooding a terminal
 * therefore holds at most {@link #MAX_QUEUED_BYTES} of the server's memory.
 */
final class ShellInput extends InputStream {
    static final int MAX_QUEUED_BYTES = 1 << 20;
    private static final Chunk END = new Chunk(new byte[0], 0);

    private record Chunk(byte[] data, int permits) {}

    private final LinkedBlockingQueue<Chunk> chunks = new LinkedBlockingQueue<>();
    private final Semaphore room = new Semaphore(MAX_QUEUED_BYTES);
    private final AtomicLong queuedEverywhere;
    private final Duration patience;
    private byte[] current = new byte[0];
    private int position;
    private volatile boolean closed;

    /**
     * @param queuedEverywhere the bytes queued in every shell's input, kept up to date for metrics
     * @param patience         how long a writer waits for the shell to catch up
     */
    ShellInput(AtomicLong queuedEverywhere, Duration patience) {
        this.queuedEverywhere = queuedEverywhere;
        this.patience = patience;
    }

    /**
     * Queues a copy of {@code data}. Returns false, queuing nothing, when the shell stayed too far
     * behind for the whole patience, or the input is closed.
     */
    boolean offer(byte[] data) {
        if (closed) {
            return false;
        }
        if (data.length == 0) {
            return true;
        }
        int permits = Math.min(data.length, MAX_QUEUED_BYTES);
        try {
            if (!room.tryAcquire(permits, patience.toMillis(), TimeUnit.MILLISECONDS)) {
                return false;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        queuedEverywhere.addAndGet(permits);
        chunks.add(new Chunk(data.clone(), permits));
        return true;
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
                Chunk next = chunks.take();
                if (next == END) {
                    chunks.add(END); // stay at end for later reads
                    return -1;
                }
                release(next);
                current = next.data();
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

    private void release(Chunk chunk) {
        room.release(chunk.permits());
        queuedEverywhere.addAndGet(-chunk.permits());
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            Chunk left;
            while ((left = chunks.poll()) != null) {
                release(left);
            }
            chunks.add(END);
        }
    }
}
