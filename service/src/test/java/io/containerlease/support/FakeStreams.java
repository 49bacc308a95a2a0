package io.containerlease.support;

import io.containerlease.lease.ContainerStreams;
import java.io.Closeable;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** Container streams a test drives: shells that echo their input, logs the test emits. */
public final class FakeStreams implements ContainerStreams {
    @Override
    public long queuedInputBytes() {
        return 0;
    }

    public final Map<String, LogSink> followers = new ConcurrentHashMap<>();
    /** What each container wrote before anyone followed it, oldest first. */
    public final Map<String, List<String>> history = new ConcurrentHashMap<>();

    public final List<FakeShell> shells = new CopyOnWriteArrayList<>();
    /** What a shell does as soon as it starts (a command that writes and exits before anyone attaches, say). */
    public volatile java.util.function.Consumer<FakeShell> onOpen = shell -> {};
    /** True plays an engine still sending the history: the follow's end of history waits for {@link #endHistory}. */
    public volatile boolean historyStillArriving;

    /** Delivers the history on the caller's thread, as Docker may deliver it before the follow's first new line. */
    @Override
    public Closeable followLogs(String container, int tail, Instant since, LogSink sink) {
        if (since == null) {
            List<String> lines = history.getOrDefault(container, List.of());
            Instant at = Instant.now().minusSeconds(60);
            for (String line : lines.subList(Math.max(0, lines.size() - tail), lines.size())) {
                at = at.plusMillis(1);
                sink.line(false, at, line);
            }
        }
        if (!historyStillArriving) {
            sink.historyEnd();
        }
        followers.put(container, sink);
        return () -> {
            if (followers.remove(container, sink)) {
                sink.closed(null);
            }
        };
    }

    /** The follow of this container has delivered all its history. */
    public void endHistory(String container) {
        followers.get(container).historyEnd();
    }

    /** Emits a line from the container, as Docker would. */
    public void emit(String container, boolean stderr, String text) {
        followers.get(container).line(stderr, Instant.now(), text);
    }

    @Override
    public Shell openShell(String container, List<String> command, int cols, int rows, ShellOutput output) {
        FakeShell shell = new FakeShell(container, command, output, cols, rows);
        shells.add(shell);
        onOpen.accept(shell);
        return shell;
    }

    public final List<FakeExec> execs = new CopyOnWriteArrayList<>();

    @Override
    public Exec openExec(String container, List<String> command, ExecOutput output) {
        FakeExec exec = new FakeExec(command, output);
        execs.add(exec);
        return exec;
    }

    public final List<FakeDuplex> duplexes = new CopyOnWriteArrayList<>();

    @Override
    public Duplex openDuplex(String container, List<String> command, ExecOutput output) {
        FakeDuplex duplex = new FakeDuplex(command, output);
        duplexes.add(duplex);
        return duplex;
    }

    /** A command with input; the test reads what was written and plays its output through {@link #output}. */
    public static final class FakeDuplex implements Duplex {
        public final List<String> command;
        public final ExecOutput output;
        public final List<byte[]> written = new CopyOnWriteArrayList<>();
        public volatile boolean closed;

        FakeDuplex(List<String> command, ExecOutput output) {
            this.command = command;
            this.output = output;
        }

        @Override
        public boolean write(byte[] data) {
            written.add(data.clone());
            return !closed;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    /** A command without a TTY; the test plays its output and its end through {@link #output}. */
    public static final class FakeExec implements Exec {
        public final List<String> command;
        public final ExecOutput output;
        public volatile boolean closed;

        FakeExec(List<String> command, ExecOutput output) {
            this.command = command;
            this.output = output;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    /** A shell that echoes what it is sent. */
    public static final class FakeShell implements Shell {
        public final String container;
        public final List<String> command;
        public final ShellOutput output;
        public volatile int cols;
        public volatile int rows;
        public volatile boolean closed;
        /** False plays a shell that has stopped reading its input. */
        public volatile boolean accepting = true;

        FakeShell(String container, List<String> command, ShellOutput output, int cols, int rows) {
            this.container = container;
            this.command = command;
            this.output = output;
            this.cols = cols;
            this.rows = rows;
        }

        @Override
        public boolean write(byte[] data) {
            if (!accepting) {
                return false;
            }
            output.bytes(data);
            return true;
        }

        @Override
        public void resize(int cols, int rows) {
            this.cols = cols;
            this.rows = rows;
        }

        @Override
        public void close() {
            closed = true;
            output.exited(java.util.OptionalInt.empty());
        }

        /** Plays the command ending by itself with {@code status}. */
        public void exit(int status) {
            output.exited(java.util.OptionalInt.of(status));
        }
    }
}
