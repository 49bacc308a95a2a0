package io.containerlease.runtime.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.StreamType;
import io.containerlease.lease.ContainerStreams;
import io.containerlease.lease.RuntimeOperationException;
import io.containerlease.lease.RuntimeUnavailableException;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@link ContainerStreams} on docker-java. Must be given a client without a response timeout: a
 * quiet log or an idle shell would otherwise be cut after it.
 */
public final class DockerContainerStreams implements ContainerStreams {
    /** Longer lines are cut here, so one runaway line cannot fill memory. */
    static final int MAX_LINE_BYTES = 16 * 1024;
    /** Reading a log's history (at most the buffer's lines) is quick; longer means the engine is stuck. */
    private static final Duration HISTORY_TIMEOUT = Duration.ofSeconds(30);

    /** How long terminal input may wait for a shell that is behind before the writer gives up. */
    static final Duration INPUT_PATIENCE = Duration.ofSeconds(5);

    private final DockerClient docker;
    private final AtomicLong queuedInput = new AtomicLong();

    public DockerContainerStreams(DockerClient streamingClient) {
        this.docker = streamingClient;
    }

    /** Terminal input waiting for its shells, in bytes, across every shell. */
    public long queuedInputBytes() {
        return queuedInput.get();
    }

    @Override
    public void readLogs(String container, int tail, LogSink sink) {
        // docker-java delivers on its own thread; the lines are handed over on the caller's, as promised.
        record Line(boolean stderr, Instant timestamp, String text) {}
        List<Line> lines = new java.util.ArrayList<>();
        var callback = new LogCallback(new LogSink() {
            @Override
            public void line(boolean stderr, Instant timestamp, String text) {
                synchronized (lines) {
                    lines.add(new Line(stderr, timestamp, text));
                }
            }

            @Override
            public void closed(Throwable error) {}
        }, false);
        try {
            docker.logContainerCmd(container).withStdOut(true).withStdErr(true).withFollowStream(false)
                    .withTimestamps(true).withTail(tail).exec(callback);
            if (!callback.awaitCompletion(HISTORY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new RuntimeUnavailableException("reading the log of " + container + " took longer than "
                        + HISTORY_TIMEOUT.toSeconds() + " s", null);
            }
            synchronized (lines) {
                lines.forEach(l -> sink.line(l.stderr(), l.timestamp(), l.text()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RuntimeUnavailableException("interrupted while reading the log of " + container, e);
        } catch (RuntimeUnavailableException e) {
            throw e;
        } catch (RuntimeException e) {
            throw translate("read the log of " + container, e);
        } finally {
            try {
                callback.close();
            } catch (IOException ignored) {
                // done with it either way
            }
        }
    }

    @Override
    public Closeable followLogs(String container, Instant since, LogSink sink) {
        var callback = new LogCallback(sink, true);
        try {
            docker.logContainerCmd(container).withStdOut(true).withStdErr(true).withFollowStream(true)
                    .withTimestamps(true).withSince((int) since.getEpochSecond()).exec(callback);
        } catch (RuntimeException e) {
            throw translate("follow logs of " + container, e);
        }
        return callback;
    }

    @Override
    public Shell openShell(String container, List<String> command, int cols, int rows, ShellOutput output) {
        String execId;
        try {
            execId = docker.execCreateCmd(container).withCmd(command.toArray(String[]::new)).withTty(true)
                    .withAttachStdin(true).withAttachStdout(true).withAttachStderr(true)
                    .withEnv(List.of("TERM=xterm-256color")).exec().getId();
        } catch (RuntimeException e) {
            throw translate("start a shell in " + container, e);
        }
        ShellInput input = new ShellInput(queuedInput, INPUT_PATIENCE);
        var callback = new ShellCallback(output);
        try {
            docker.execStartCmd(execId).withTty(true).withDetach(false).withStdIn(input).exec(callback);
        } catch (RuntimeException e) {
            input.close();
            throw translate("attach to a shell in " + container, e);
        }
        var shell = new DockerShell(execId, input, callback);
        shell.resize(cols, rows);
        return shell;
    }

    private static RuntimeException translate(String what, RuntimeException e) {
        if (e instanceof DockerException) {
            return new RuntimeOperationException("Docker refused to " + what, DockerClients.rootMessage(e), e);
        }
        return new RuntimeUnavailableException("Docker engine unreachable during " + what, DockerClients.rootMessage(e), e);
    }

    private final class DockerShell implements Shell {
        private final String execId;
        private final ShellInput input;
        private final ShellCallback callback;

        DockerShell(String execId, ShellInput input, ShellCallback callback) {
            this.execId = execId;
            this.input = input;
            this.callback = callback;
        }

        @Override
        public boolean write(byte[] data) {
            return input.offer(data);
        }

        @Override
        public void resize(int cols, int rows) {
            try {
                docker.resizeExecCmd(execId).withSize(rows, cols).exec();
            } catch (RuntimeException e) {
                // The shell may not have started its TTY yet, or has exited; a size is not worth failing for.
            }
        }

        @Override
        public void close() {
            input.close();
            try {
                callback.close();
            } catch (IOException ignored) {
                // closing either way
            }
        }
    }

    private static final class ShellCallback extends ResultCallback.Adapter<Frame> {
        private final ShellOutput output;
        private final AtomicBoolean exited = new AtomicBoolean();

        ShellCallback(ShellOutput output) {
            this.output = output;
        }

        @Override
        public void onNext(Frame frame) {
            if (frame.getPayload() != null && frame.getPayload().length > 0) {
                output.bytes(frame.getPayload());
            }
        }

        @Override
        public void onError(Throwable throwable) {
            exit();
            super.onError(throwable);
        }

        @Override
        public void onComplete() {
            exit();
            super.onComplete();
        }

        @Override
        public void close() throws IOException {
            exit();
            super.close();
        }

        private void exit() {
            if (exited.compareAndSet(false, true)) {
                output.exited();
            }
        }
    }

    /** Splits Docker's frames into lines and parses the timestamp Docker prefixes to each. */
    private static final class LogCallback extends EndOnceCallback<Frame> {
        private final LogSink sink;
        /** Only a follow reports its end: a history read ends when its caller returns. */
        private final boolean reportsEnd;
        private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();

        LogCallback(LogSink sink, boolean reportsEnd) {
            this.sink = sink;
            this.reportsEnd = reportsEnd;
        }

        @Override
        public void onNext(Frame frame) {
            boolean isErr = frame.getStreamType() == StreamType.STDERR;
            ByteArrayOutputStream pending = isErr ? stderr : stdout;
            byte[] payload = frame.getPayload();
            // Whole runs between newlines at once: a byte at a time costs a lock per byte.
            int start = 0;
            for (int i = 0; i < payload.length; i++) {
                if (payload[i] == '\n') {
                    keep(pending, payload, start, i - start);
                    emit(isErr, pending);
                    start = i + 1;
                }
            }
            keep(pending, payload, start, payload.length - start);
        }

        /** Adds to the line being gathered, up to its limit (the rest of an overlong line is dropped). */
        private static void keep(ByteArrayOutputStream pending, byte[] bytes, int from, int length) {
            int room = MAX_LINE_BYTES - pending.size();
            if (length > 0 && room > 0) {
                pending.write(bytes, from, Math.min(length, room));
            }
        }

        private void emit(boolean isErr, ByteArrayOutputStream pending) {
            String raw = pending.toString(StandardCharsets.UTF_8);
            pending.reset();
            int space = raw.indexOf(' ');
            Instant timestamp = Instant.now();
            String text = raw;
            if (space > 0) {
                try {
                    timestamp = Instant.parse(raw.substring(0, space));
                    text = raw.substring(space + 1);
                } catch (DateTimeParseException notATimestamp) {
                    // keep the whole line
                }
            }
            sink.line(isErr, timestamp, text);
        }

        @Override
        protected void ended(Throwable error) {
            if (reportsEnd) {
                sink.closed(error);
            }
        }
    }
}
