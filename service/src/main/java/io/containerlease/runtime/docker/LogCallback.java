package io.containerlease.runtime.docker;

import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.StreamType;
import io.containerlease.lease.ContainerStreams.LogSink;
import io.containerlease.runtime.docker.DockerContainerStreams.LastLine;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * Splits Docker's frames into lines, parses the timestamp Docker prefixes to each, and tells the
 * sink when the follow has passed the newest line written before it started.
 */
final class LogCallback extends EndOnceCallback<Frame> {
    /** Longer lines are cut here, so one runaway line cannot fill memory. */
    static final int MAX_LINE_BYTES = 16 * 1024;

    private final LogSink sink;
    /** The last line of the history; null once passed (or when there was none, or for a plain read). */
    private LastLine boundary;

    private final LineBytes stdout = new LineBytes();
    private final LineBytes stderr = new LineBytes();

    /** {@code boundary} null: the history is over before the first line (a follow) or is not asked about (a read). */
    LogCallback(LogSink sink, LastLine boundary) {
        this.sink = sink;
        this.boundary = boundary;
        if (boundary == null) {
            sink.historyEnd();
        }
    }

    @Override
    public void onNext(Frame frame) {
        boolean isErr = frame.getStreamType() == StreamType.STDERR;
        LineBytes pending = isErr ? stderr : stdout;
        byte[] payload = frame.getPayload();
        // Whole runs between newlines at once, not a byte at a time.
        int start = 0;
        for (int i = 0; i < payload.length; i++) {
            if (payload[i] == '\n') {
                pending.keep(payload, start, i - start);
                emit(isErr, pending);
                start = i + 1;
            }
        }
        pending.keep(payload, start, payload.length - start);
    }

    private void emit(boolean isErr, LineBytes pending) {
        int space = pending.indexOf((byte) ' ');
        Instant timestamp = space > 0 ? DockerTimestamps.parse(pending.bytes, space) : null;
        String text;
        if (timestamp == null) {
            timestamp = Instant.now();
            text = pending.text(0);
        } else {
            text = pending.text(space + 1);
        }
        pending.length = 0;
        LastLine last = boundary;
        if (last != null && timestamp.isAfter(last.timestamp())) {
            boundary = null; // the history's last line was not among them (cut by the tail): it is over anyway
            sink.historyEnd();
        }
        sink.line(isErr, timestamp, text);
        if (last != null && boundary != null && timestamp.equals(last.timestamp()) && text.equals(last.text())) {
            boundary = null;
            sink.historyEnd();
        }
    }

    @Override
    protected void ended(Throwable error) {
        sink.closed(error);
    }

    /** The bytes of the line being gathered, up to {@link #MAX_LINE_BYTES} (the rest of a longer line is dropped). */
    static final class LineBytes {
        byte[] bytes = new byte[256];
        int length;

        void keep(byte[] from, int offset, int count) {
            int take = Math.min(count, MAX_LINE_BYTES - length);
            if (take <= 0) {
                return;
            }
            if (length + take > bytes.length) {
                bytes = java.util.Arrays.copyOf(
                        bytes, Math.min(MAX_LINE_BYTES, Math.max(bytes.length * 2, length + take)));
            }
            System.arraycopy(from, offset, bytes, length, take);
            length += take;
        }

        int indexOf(byte b) {
            for (int i = 0; i < length; i++) {
                if (bytes[i] == b) {
                    return i;
                }
            }
            return -1;
        }

        String text(int from) {
            return new String(bytes, from, length - from, StandardCharsets.UTF_8);
        }
    }
}
