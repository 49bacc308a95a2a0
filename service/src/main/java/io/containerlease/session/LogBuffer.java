package io.containerlease.session;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The last lines of one lease, at most {@code capacity} of them and about {@code maxBytes} of heap
 * in all (so a container printing huge lines cannot fill memory), numbered without gaps: the seed's
 * "buffer for missed messages". Its owner may also trim it further, oldest lines first, to keep
 * every lease's buffers together within a global budget. Not thread-safe: its owner guards it.
 */
final class LogBuffer {
    /** What a line costs beyond its text: the line, its string and its timestamp objects. */
    static final int LINE_OVERHEAD_BYTES = 96;

    private final int capacity;
    private final long maxBytes;
    private final ArrayDeque<LogLine> lines;
    private long bytes;
    private long nextSeq = 1;

    LogBuffer(int capacity, long maxBytes) {
        this.capacity = capacity;
        this.maxBytes = maxBytes;
        this.lines = new ArrayDeque<>(Math.min(capacity, 1024));
    }

    /** The heap a line is counted as: its characters (two bytes each) and the objects around them. */
    static long cost(LogLine line) {
        return LINE_OVERHEAD_BYTES + 2L * line.message().length();
    }

    LogLine append(Instant timestamp, String level, String message) {
        LogLine line = new LogLine(nextSeq++, timestamp, level, message);
        lines.addLast(line);
        bytes += cost(line);
        while (lines.size() > capacity || (bytes > maxBytes && lines.size() > 1)) {
            bytes -= cost(lines.removeFirst());
        }
        return line;
    }

    /**
     * Drops the oldest lines until at least {@code atLeast} bytes are freed or only the newest line
     * is left. Returns the bytes freed.
     */
    long trimOldest(long atLeast) {
        long freed = 0;
        while (freed < atLeast && lines.size() > 1) {
            long cost = cost(lines.removeFirst());
            bytes -= cost;
            freed += cost;
        }
        return freed;
    }

    /** The heap the held lines are counted as. */
    long bytes() {
        return bytes;
    }

    /** The sequence number of the oldest line still held (or of the next line, when empty). */
    long firstSeq() {
        return lines.isEmpty() ? nextSeq : lines.getFirst().seq();
    }

    long lastSeq() {
        return nextSeq - 1;
    }

    /** Every held line with a sequence number above {@code seq}. */
    List<LogLine> after(long seq) {
        List<LogLine> out = new ArrayList<>();
        for (LogLine line : lines) {
            if (line.seq() > seq) {
                out.add(line);
            }
        }
        return out;
    }

    /** The last {@code n} held lines. */
    List<LogLine> tail(int n) {
        return after(Math.max(firstSeq() - 1, lastSeq() - n));
    }
}
