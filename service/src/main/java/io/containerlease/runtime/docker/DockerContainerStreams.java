package io.containerlease.runtime.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.model.StreamType;
import io.containerlease.lease.ContainerStreams;
import io.containerlease.lease.RuntimeOperationException;
import io.containerlease.lease.RuntimeUnavailableException;
import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@link ContainerStreams} on docker-java. Must be given a client without a response timeout: a
 * quiet log or an idle shell would otherwise be cut after it.
 */
public final class DockerContainerStreams implements ContainerStreams {
    /** Reading a log's history (at most the buffer's lines) is quick; longer means the engine is stuck. */
    private static final Duration HISTORY_TIMEOUT = Duration.ofSeconds(30);

    /** How long terminal input may wait for a shell that is behind before the writer gives up. */
    static final Duration INPUT_PATIENCE = Duration.ofSeconds(5);

    private final DockerClient docker;
    private final AtomicLong queuedInput = new AtomicLong();
    private final java.util.Optional<java.nio.file.Path> socket;
    private final String apiVersion;

    public DockerContainerStreams(DockerClient streamingClient) {
        this(streamingClient, java.util.Optional.empty(), "");
    }

    /**
     * @param socket     the engine's Unix socket, when it is one: transfers then use a connection of their own
     *                   ({@link HijackedExec})
     * @param apiVersion the API version the client was pinned to
     */
    public DockerContainerStreams(
            DockerClient streamingClient, java.util.Optional<java.nio.file.Path> socket, String apiVersion) {
        this.docker = streamingClient;
        this.socket = socket;
        this.apiVersion = apiVersion;
    }

    /** The Unix socket a DOCKER_HOST names ({@code unix:///var/run/docker.sock}), if it names one. */
    public static java.util.Optional<java.nio.file.Path> unixSocket(String dockerHost) {
        return dockerHost.startsWith("unix://")
                ? java.util.Optional.of(java.nio.file.Path.of(dockerHost.substring("unix://".length())))
                : java.util.Optional.empty();
    }

    @Override
    public long queuedInputBytes() {
        return queuedInput.get();
    }

    @Override
    public Closeable followLogs(String container, int tail, Instant since, LogSink sink) {
        // Docker marks no end of history in a follow: the last line written so far (one short read)
        // is the boundary, and the follow says so when it passes it. A follow from a time (after a
        // broken stream, or a restart of the container) has no history to end: no read for it.
        LastLine boundary = since == null ? lastLine(container) : null;
        var callback = new LogCallback(sink, boundary);
        try {
            var follow = docker.logContainerCmd(container)
                    .withStdOut(true)
                    .withStdErr(true)
                    .withFollowStream(true)
                    .withTimestamps(true);
            if (since != null) {
                follow.withSince((int) since.getEpochSecond()).withTailAll();
            } else {
                follow.withTail(tail);
            }
            follow.exec(callback);
        } catch (RuntimeException e) {
            throw translate("follow logs of " + container, e);
        }
        return callback;
    }

    /** The newest line a container had written when a follow began: where its history ends. */
    record LastLine(Instant timestamp, String text) {}

    /** The newest line the container has written, or null when it has written none. */
    private LastLine lastLine(String container) {
        var last = new java.util.concurrent.atomic.AtomicReference<LastLine>();
        var callback = new LogCallback(
                new LogSink() {
                    @Override
                    public void line(boolean stderr, Instant timestamp, String text) {
                        last.set(new LastLine(timestamp, text));
                    }

                    @Override
                    public void historyEnd() {}

                    @Override
                    public void closed(Throwable error) {}
                },
                null);
        try {
            docker.logContainerCmd(container)
                    .withStdOut(true)
                    .withStdErr(true)
                    .withFollowStream(false)
                    .withTimestamps(true)
                    .withTail(1)
                    .exec(callback);
            if (!callback.awaitCompletion(HISTORY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new RuntimeUnavailableException(
                        "reading the log of " + container + " took longer than " + HISTORY_TIMEOUT.toSeconds() + " s",
                        null);
            }
            return last.get();
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
    public Shell openShell(String container, List<String> command, int cols, int rows, ShellOutput output) {
        String execId;
        try {
            execId = docker.execCreateCmd(container)
                    .withCmd(command.toArray(String[]::new))
                    .withTty(true)
                    .withAttachStdin(true)
                    .withAttachStdout(true)
                    .withAttachStderr(true)
                    .withEnv(List.of("TERM=xterm-256color"))
                    .exec()
                    .getId();
        } catch (RuntimeException e) {
            throw translate("start a shell in " + container, e);
        }
        ShellInput input = new ShellInput(queuedInput, INPUT_PATIENCE);
        var callback =
                new ExecCallback(frame -> output.bytes(frame.getPayload()), output::exited, () -> exitStatus(execId));
        try {
            docker.execStartCmd(execId)
                    .withTty(true)
                    .withDetach(false)
                    .withStdIn(input)
                    .exec(callback);
        } catch (RuntimeException e) {
            input.close();
            throw translate("attach to a shell in " + container, e);
        }
        var shell = new DockerShell(execId, input, callback);
        shell.resize(cols, rows);
        return shell;
    }

    @Override
    public Exec openExec(String container, List<String> command, ExecOutput output) {
        String execId = createExec(container, command, false);
        var callback = execCallback(execId, output);
        try {
            docker.execStartCmd(execId).withTty(false).withDetach(false).exec(callback);
        } catch (RuntimeException e) {
            throw translate("attach to a command in " + container, e);
        }
        return () -> closeQuietly(callback);
    }

    @Override
    public Duplex openDuplex(String container, List<String> command, ExecOutput output) {
        String execId = createExec(container, command, true);
        var callback = execCallback(execId, output);
        ShellInput input = new ShellInput(queuedInput, INPUT_PATIENCE);
        try {
            docker.execStartCmd(execId)
                    .withTty(false)
                    .withDetach(false)
                    .withStdIn(input)
                    .exec(callback);
        } catch (RuntimeException e) {
            input.close();
            throw translate("attach to a command in " + container, e);
        }
        return new Duplex() {
            @Override
            public boolean write(byte[] data) {
                return input.offer(data);
            }

            @Override
            public void close() {
                input.close();
                closeQuietly(callback);
            }
        };
    }

    @Override
    public Duplex openTransfer(String container, List<String> command, ExecOutput output) {
        if (socket.isEmpty()) {
            return openDuplex(container, command, output);
        }
        String execId = createExec(container, command, true);
        return HijackedExec.start(socket.get(), apiVersion, execId, output, () -> exitStatus(execId));
    }

    private String createExec(String container, List<String> command, boolean withInput) {
        try {
            return docker.execCreateCmd(container)
                    .withCmd(command.toArray(String[]::new))
                    .withTty(false)
                    .withAttachStdin(withInput)
                    .withAttachStdout(true)
                    .withAttachStderr(true)
                    .exec()
                    .getId();
        } catch (RuntimeException e) {
            throw translate("run a command in " + container, e);
        }
    }

    /** Without a TTY the engine keeps stdout and stderr apart: each goes to its own side of {@code output}. */
    private ExecCallback execCallback(String execId, ExecOutput output) {
        return new ExecCallback(
                frame -> {
                    if (frame.getStreamType() == StreamType.STDERR) {
                        output.stderr(frame.getPayload());
                    } else {
                        output.stdout(frame.getPayload());
                    }
                },
                output::exited,
                () -> exitStatus(execId));
    }

    private static void closeQuietly(Closeable callback) {
        try {
            callback.close();
        } catch (IOException ignored) {
            // closing either way
        }
    }

    private static RuntimeException translate(String what, RuntimeException e) {
        if (e instanceof DockerException) {
            return new RuntimeOperationException("Docker refused to " + what, DockerClients.rootMessage(e), e);
        }
        return new RuntimeUnavailableException(
                "Docker engine unreachable during " + what, DockerClients.rootMessage(e), e);
    }

    /**
     * The exit status of a shell whose stream has ended. The engine may close the stream a moment
     * before it records the status, so a still-running answer is asked again, briefly.
     */
    private java.util.OptionalInt exitStatus(String execId) {
        try {
            for (int attempt = 0; attempt < 10; attempt++) {
                var exec = docker.inspectExecCmd(execId).exec();
                if (!Boolean.TRUE.equals(exec.isRunning()) && exec.getExitCodeLong() != null) {
                    return java.util.OptionalInt.of(exec.getExitCodeLong().intValue());
                }
                Thread.sleep(50);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // the container went with it; the shell ended without a status to report
        }
        return java.util.OptionalInt.empty();
    }

    private final class DockerShell implements Shell {
        private final String execId;
        private final ShellInput input;
        private final ExecCallback callback;

        DockerShell(String execId, ShellInput input, ExecCallback callback) {
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
            closeQuietly(callback);
        }
    }
}
