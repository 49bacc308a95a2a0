package io.containerlease.runtime.kubernetes;

import io.containerlease.lease.ContainerStreams.LogSink;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * Reads a pod's log, as the API server sends it with timestamps ({@code 2026-12-04T10:00:00.123456789Z text}),
 * a whole line at a time, each cut at {@link #MAX_LINE_BYTES} so one runaway line cannot fill memory.
 * Kubernetes keeps a container's stdout and stderr in one log: every line arrives as stdout.
 */
final class PodLogLines {
    static final int MAX_LINE_BYTES = 16 * 1024;

    private final LogSink sink;
    /** Lines at or before this time were delivered already (the follow after a history starts at its second). */
    private Instant skipUntil;

    private Instant last;

    PodLogLines(LogSink sink, Instant skipUntil) {
        this.sink = sink;
        this.skipUntil = skipUntil;
    }

    /** Delivers each line of {@code in} until it ends; returns the time of the last line delivered, or null. */
    Instant readAll(InputStream in) throws IOException {
        var line = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        int n;
        while ((n = in.read(buffer)) >= 0) {
            int start = 0;
            for (int i = 0; i < n; i++) {
                if (buffer[i] == '\n') {
                    keep(line, buffer, start, i - start);
                    emit(line.toByteArray());
                    line.reset();
                    start = i + 1;
                }
            }
            keep(line, buffer, start, n - start);
        }
        if (line.size() > 0) {
            emit(line.toByteArray());
        }
        return last;
    }

    private static void keep(ByteArrayOutputStream line, byte[] buffer, int from, int count) {
        int room = MAX_LINE_BYTES + 64 - line.size(); // the timestamp comes before the text's share
        if (room > 0) {
            line.write(buffer, from, Math.min(count, room));
        }
    }

    private void emit(byte[] raw) {
        String text = new String(raw, StandardCharsets.UTF_8);
        int space = text.indexOf(' ');
        Instant at = null;
        if (space > 0) {
            try {
                at = Instant.parse(text.substring(0, space));
                text = text.substring(space + 1);
            } catch (DateTimeParseException e) {
                at = null;
            }
        }
        if (at == null) {
            at = Instant.now();
        } else if (skipUntil != null) {
            if (!at.isAfter(skipUntil)) {
                return;
            }
            skipUntil = null;
        }
        if (text.length() > MAX_LINE_BYTES) {
            text = text.substring(0, MAX_LINE_BYTES);
        }
        last = at;
        sink.line(false, at, text);
    }
}
