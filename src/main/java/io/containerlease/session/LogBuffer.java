package io.containerlease.session;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The last lines of one lease, at most {@code capacity} of them and {@code maxChars} characters in
 * all (so a container printing huge lines cannot fill memory), numbered without gaps: the seed's
 * "buffer for missed messages". Not thread-safe: its owner guards it.
 */
final class LogBuffer {
    static final long DEFAULT_MAX_CHARS = 8L * 1024 * 1024;

    private final int capacity;
    private final long maxChars;
    private final ArrayDeque<LogLine> lines;
    private long chars;
    private long nextSeq = 1;

    LogBuffer(int capacity, long maxChars) {
        this.capacity = capacity;
        this.maxChars = maxChars;
        this.lines = new ArrayDeque<>(Math.min(capacity, 1024));
    }

    LogLine append(Instant timestamp, String level, String message) {
        LogLine line = new LogLine(nextSeq++, timestamp, level, message);
        lines.addLast(line);
        chars += message.length();
        while (lines.size() > capacity || (chars > maxChars && lines.size() > 1)) {
            chars -= lines.removeFirst().message().length();
        }
        return line;
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
