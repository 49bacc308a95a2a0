package io.containerlease.runtime.kubernetes;

import io.containerlease.lease.ContainerStreams;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.ContainerResource;
import io.fabric8.kubernetes.client.dsl.ExecListener;
import io.fabric8.kubernetes.client.dsl.ExecWatch;
import io.fabric8.kubernetes.client.dsl.LogWatch;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * {@link ContainerStreams} on a pod through the API server: logs from its log endpoint (stdout and
 * stderr are one log on Kubernetes), shells and commands through its exec endpoint (a TTY, and
 * resize, for shells; stdout and stderr apart, and the exit status, for commands).
 */
public final class KubernetesContainerStreams implements ContainerStreams {
    /** The most a history may bring, whatever {@code tail} says: lines are cut at 16 KiB, and a tail is bounded in bytes. */
    static final int MAX_HISTORY_BYTES = 16 << 20;

    private final KubernetesClient client;
    private final String namespace;

    public KubernetesContainerStreams(KubernetesClient client, String namespace) {
        this.client = client;
        this.namespace = namespace;
    }

    @Override
    public long queuedInputBytes() {
        return 0; // input goes out as it is written, on the writer's thread: nothing waits here
    }

    @Override
    public Closeable followLogs(String container, int tail, Instant since, LogSink sink) {
        var closed = new AtomicBoolean();
        var following = new java.util.concurrent.atomic.AtomicReference<LogWatch>();
        Thread.ofVirtual().name("pod-log-" + container).start(() -> {
            Throwable error = null;
            try {
                Instant from = since;
                Instant skipUntil = null;
                if (since == null) {
                    // The history first, then a follow from its last second (lines of that second come again: skipped).
                    var history = logs(container)
                            .usingTimestamps()
                            .limitBytes(MAX_HISTORY_BYTES)
                            .tailingLines(Math.max(0, tail))
                            .getLogInputStream();
                    Instant last;
                    try (history) {
                        last = new PodLogLines(sink, null).readAll(history);
                    }
                    sink.historyEnd();
                    from = last != null
                            ? last.truncatedTo(ChronoUnit.SECONDS)
                            : Instant.now().minusSeconds(1);
                    skipUntil = last;
                } else {
                    sink.historyEnd();
                }
                if (closed.get()) {
                    return;
                }
                LogWatch watch = logs(container)
                        .usingTimestamps()
                        .sinceTime(from.truncatedTo(ChronoUnit.SECONDS).toString())
                        .watchLog();
                following.set(watch);
                if (closed.get()) {
                    watch.close();
                    return;
                }
                try (var out = watch.getOutput()) {
                    new PodLogLines(sink, skipUntil).readAll(out);
                }
            } catch (IOException | RuntimeException e) {
                error = closed.get() ? null : e;
            } finally {
                sink.closed(error);
            }
        });
        return () -> {
            if (closed.compareAndSet(false, true)) {
                LogWatch watch = following.get();
                if (watch != null) {
                    watch.close();
                }
            }
        };
    }

    @Override
    public Shell openShell(String container, List<String> command, int cols, int rows, ShellOutput output) {
        var ended = new Once(output::exited);
        var opening = new StreamOpening();
        ExecWatch watch = KubernetesCalls.call(
                "open a shell in " + container,
                () -> pod(container)
                        .redirectingInput()
                        .writingOutput(new Forward(output::bytes))
                        .withTTY()
                        .usingListener(opening.and(listener(ended)))
                        .exec(command.toArray(String[]::new)));
        opening.await(watch, container);
        watch.resize(cols, rows);
        return new Shell() {
            @Override
            public boolean write(byte[] data) {
                return send(watch, data);
            }

            @Override
            public void resize(int c, int r) {
                watch.resize(c, r);
            }

            @Override
            public void close() {
                watch.close();
                ended.run(OptionalInt.empty());
            }
        };
    }

    @Override
    public Exec openExec(String container, List<String> command, ExecOutput output) {
        var ended = new Once(output::exited);
        var opening = new StreamOpening();
        ExecWatch watch = KubernetesCalls.call(
                "run a command in " + container,
                () -> pod(container)
                        .writingOutput(new Forward(output::stdout))
                        .writingError(new Forward(output::stderr))
                        .usingListener(opening.and(listener(ended)))
                        .exec(command.toArray(String[]::new)));
        opening.await(watch, container);
        return () -> {
            watch.close();
            ended.run(OptionalInt.empty());
        };
    }

    @Override
    public Duplex openDuplex(String container, List<String> command, ExecOutput output) {
        var ended = new Once(output::exited);
        var opening = new StreamOpening();
        ExecWatch watch = KubernetesCalls.call(
                "run a command in " + container,
                () -> pod(container)
                        .redirectingInput()
                        .writingOutput(new Forward(output::stdout))
                        .writingError(new Forward(output::stderr))
                        .usingListener(opening.and(listener(ended)))
                        .exec(command.toArray(String[]::new)));
        opening.await(watch, container);
        return new Duplex() {
            @Override
            public boolean write(byte[] data) {
                return send(watch, data);
            }

            @Override
            public void close() {
                watch.close();
                ended.run(OptionalInt.empty());
            }
        };
    }

    /**
     * Input goes out in messages of at most {@link #MAX_INPUT_MESSAGE} bytes: a WebSocket server may refuse a
     * bigger one and close the stream (the mock's, at 64 KiB, did so for a files upload's 64 KiB chunk).
     */
    private static boolean send(ExecWatch watch, byte[] data) {
        try {
            OutputStream in = watch.getInput();
            for (int at = 0; at < data.length; at += MAX_INPUT_MESSAGE) {
                in.write(data, at, Math.min(MAX_INPUT_MESSAGE, data.length - at));
                in.flush();
            }
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static ExecListener listener(Once ended) {
        return new ExecListener() {
            @Override
            public void onExit(int code, io.fabric8.kubernetes.api.model.Status status) {
                ended.run(code >= 0 ? OptionalInt.of(code) : OptionalInt.empty());
            }

            @Override
            public void onFailure(Throwable t, Response failureResponse) {
                ended.run(OptionalInt.empty());
            }

            @Override
            public void onClose(int code, String reason) {
                ended.run(OptionalInt.empty());
            }
        };
    }

    static final int MAX_INPUT_MESSAGE = 32 * 1024;

    private ContainerResource pod(String name) {
        return client.pods().inNamespace(namespace).withName(name).inContainer(LeasePods.CONTAINER);
    }

    private ContainerResource logs(String name) {
        return pod(name);
    }

    /** Calls its action once, whoever says first that the stream ended. */
    private static final class Once {
        private final Consumer<OptionalInt> action;
        private final AtomicBoolean done = new AtomicBoolean();

        Once(Consumer<OptionalInt> action) {
            this.action = action;
        }

        void run(OptionalInt status) {
            if (done.compareAndSet(false, true)) {
                action.accept(status);
            }
        }
    }

    /** Hands each write on as a copy, in order, on the client's thread. */
    private static final class Forward extends OutputStream {
        private final Consumer<byte[]> to;

        Forward(Consumer<byte[]> to) {
            this.to = to;
        }

        @Override
        public void write(int b) {
            to.accept(new byte[] {(byte) b});
        }

        @Override
        public void write(byte[] b, int off, int len) {
            if (len > 0) {
                to.accept(java.util.Arrays.copyOfRange(b, off, off + len));
            }
        }
    }
}
