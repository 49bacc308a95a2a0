package io.containerlease.support;

import io.containerlease.runtime.ContainerStreams;
import java.io.Closeable;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** Container streams a test drives: shells that echo their input, logs the test emits. */
public final class FakeStreams implements ContainerStreams {
    public final Map<String, LogSink> followers = new ConcurrentHashMap<>();
    public final List<FakeShell> shells = new CopyOnWriteArrayList<>();

    @Override
    public Closeable followLogs(String container, int tail, LogSink sink) {
        followers.put(container, sink);
        return () -> {
            if (followers.remove(container, sink)) {
                sink.closed(null);
            }
        };
    }

    /** Emits a line from the container, as Docker would. */
    public void emit(String container, boolean stderr, String text) {
        followers.get(container).line(stderr, Instant.now(), text);
    }

    @Override
    public Shell openShell(String container, List<String> command, int cols, int rows, ShellOutput output) {
        FakeShell shell = new FakeShell(container, output, cols, rows);
        shells.add(shell);
        return shell;
    }

    /** A shell that echoes what it is sent. */
    public static final class FakeShell implements Shell {
        public final String container;
        public final ShellOutput output;
        public volatile int cols;
        public volatile int rows;
        public volatile boolean closed;

        FakeShell(String container, ShellOutput output, int cols, int rows) {
            this.container = container;
            this.output = output;
            this.cols = cols;
            this.rows = rows;
        }

        @Override
        public void write(byte[] data) {
            output.bytes(data);
        }

        @Override
        public void resize(int cols, int rows) {
            this.cols = cols;
            this.rows = rows;
        }

        @Override
        public void close() {
            closed = true;
            output.exited();
        }
    }
}
