package io.containerlease.support;

import io.containerlease.helper.HelperBinary;
import io.containerlease.lease.ContainerStreams;
import io.containerlease.lease.ImageSpec;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Runs the command of {@link #openDuplex} as a process on this machine instead of in a container:
 * the real helper binary the build made, with the container's channel socket path swapped for a
 * socket the test serves. What it proves: the helper and the service's end of the channel speak one
 * protocol; what it does not: anything about the engine's exec (ProgramIT covers that).
 */
public final class LocalHelperStreams implements ContainerStreams {
    @Override
    public long queuedInputBytes() {
        return 0;
    }

    private final Path helper;
    private final Path socket;
    public final List<Process> started = new CopyOnWriteArrayList<>();

    public LocalHelperStreams(Path socket) {
        this.helper =
                Path.of("target", "classes", "helper", HelperBinary.FILE_NAME).toAbsolutePath();
        this.socket = socket;
    }

    @Override
    public Duplex openDuplex(String container, List<String> command, ExecOutput output) {
        List<String> local = command.stream()
                .map(arg -> arg.equals(HelperBinary.PATH)
                        ? helper.toString()
                        : arg.equals(ImageSpec.CHANNEL_SOCKET) ? socket.toString() : arg)
                .toList();
        Process process;
        try {
            process = new ProcessBuilder(local).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        started.add(process);
        Thread.ofVirtual().start(() -> pump(process.getErrorStream(), output::stderr));
        Thread.ofVirtual().start(() -> {
            pump(process.getInputStream(), output::stdout);
            try {
                output.exited(OptionalInt.of(process.waitFor()));
            } catch (InterruptedException e) {
                output.exited(OptionalInt.empty());
            }
        });
        OutputStream in = process.getOutputStream();
        return new Duplex() {
            @Override
            public synchronized boolean write(byte[] data) {
                try {
                    in.write(data);
                    in.flush();
                    return true;
                } catch (IOException e) {
                    return false;
                }
            }

            @Override
            public void close() {
                try {
                    in.close();
                } catch (IOException ignored) {
                    // the helper is gone already
                }
            }
        };
    }

    private static void pump(InputStream from, Consumer<byte[]> to) {
        byte[] buffer = new byte[8192];
        try {
            int n;
            while ((n = from.read(buffer)) > 0) {
                to.accept(java.util.Arrays.copyOf(buffer, n));
            }
        } catch (IOException e) {
            // the process ended
        }
    }

    @Override
    public Closeable followLogs(String container, int tail, Instant since, LogSink sink) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Shell openShell(String container, List<String> command, int cols, int rows, ShellOutput output) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Exec openExec(String container, List<String> command, ExecOutput output) {
        throw new UnsupportedOperationException();
    }
}
