package io.containerlease.session;

import java.time.Instant;

/**
 * One line of a lease's output. {@code seq} numbers a lease's lines from 1 with no gaps, for as
 * long as this server process follows the lease; {@code stream} is {@code stdout} or {@code stderr};
 * {@code level} is what the line states of itself ({@code error}, {@code warn}, {@code info},
 * {@code debug}; see {@link LogLevels}), or null when it states nothing.
 */
public record LogLine(long seq, Instant timestamp, String stream, String level, String message) {
    public static final String STDOUT = "stdout";
    public static final String STDERR = "stderr";

    public boolean stderr() {
        return STDERR.equals(stream);
    }
}
