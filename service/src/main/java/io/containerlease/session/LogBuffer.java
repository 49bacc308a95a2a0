package io.containerlease.session;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The last lines of one lease, at most {@code capacity} of them and about {@code maxBytes} of heap
 * in all (so a container printing huge lines cannot fill memory), numbered without gaps: the seed's
 * "buffer for missed messages". Its owner may also trim it further, oldest lines first, to keep
 * every lease's buffers together within a global budget. Readers read it at their own pace by
 * sequence number (a ring, so finding a line is arithmetic). Not thread-safe: its owner guards it.
 */
final class LogBuffer {
    /** What a line costs beyond its text: the line, its string and its timestamp objects. */
    static final int LINE_OVERHEAD_BYTES = 96;

    private static final int INITIAL_SLOTS = 256;

    private final int capacity;
    private final long maxBytes;
    /** The held lines, oldest at {@code head}; grows up to {@code capacity} slots as lines come. */
    private LogLine[] ring;

    private int head;
    private int size;
    private long bytes;
    private long nextSeq = 1;

    LogBuffer(int capacity, long maxBytes) {
        this.capacity = capacity;
        this.maxBytes = maxBytes;
        this.ring = new LogLine[Math.min(capacity, INITIAL_SLOTS)];
    }

    /** The heap a line is counted as: its characters (two bytes each) and the objects around them. */
    static long cost(LogLine line) {
        return LINE_OVERHEAD_BYTES + 2L * line.message().length();
    }

    LogLine append(Instant timestamp, String stream, String message) {
        LogLine line = new LogLine(nextSeq++, timestamp, stream, LogLevels.stated(message), message);
        if (size == capacity) {
            removeFirst();
        } else if (size == ring.length) {
            grow();
        }
        ring[(head + size) % ring.length] = line;
        size++;
        bytes += cost(line);
        while (bytes > maxBytes && size > 1) {
            removeFirst();
        }
        return line;
    }

    private void grow() {
        LogLine[] larger = new LogLine[(int) Math.min(capacity, 2L * ring.length)];
        for (int i = 0; i < size; i++) {
            larger[i] = ring[(head + i) % ring.length];
        }
        ring = larger;
        head = 0;
    }

    private long removeFirst() {
        long cost = cost(ring[head]);
        ring[head] = null;
        head = (head + 1) % ring.length;
        size--;
        bytes -= cost;
        return cost;
    }

    /**
     * Drops the oldest lines until at least {@code atLeast} bytes are freed or only the newest line
     * is left. Returns the bytes freed.
     */
    long trimOldest(long atLeast) {
        long freed = 0;
        while (freed < atLeast && size > 1) {
            freed += removeFirst();
        }
        return freed;
    }

    /** The heap the held lines are counted as. */
    long bytes() {
        return bytes;
    }

    /** The sequence number of the oldest line still held (or of the next line, when empty). */
    long firstSeq() {
        return nextSeq - size;
    }

    long lastSeq() {
        return nextSeq - 1;
    }

    /** Every held line with a sequence number above {@code seq}. */
    List<LogLine> after(long seq) {
        return after(seq, Integer.MAX_VALUE);
    }

    /** At most {@code max} held lines with a sequence number above {@code seq}, oldest first. */
    List<LogLine> after(long seq, int max) {
        long from = Math.max(seq + 1, firstSeq());
        int count = (int) Math.max(0, Math.min(max, nextSeq - from));
        List<LogLine> out = new ArrayList<>(count);
        int offset = (int) (from - firstSeq());
        for (int i = 0; i < count; i++) {
            out.add(ring[(head + offset + i) % ring.length]);
        }
        return out;
    }

    /** The last {@code n} held lines. */
    List<LogLine> tail(int n) {
        return after(Math.max(firstSeq() - 1, lastSeq() - n));
    }
}
