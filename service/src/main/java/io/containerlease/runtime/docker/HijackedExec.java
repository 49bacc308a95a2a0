package io.containerlease.runtime.docker;

import io.containerlease.lease.ContainerStreams;
import io.containerlease.lease.RuntimeOperationException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * An exec's input and output over a connection of our own to the engine's Unix socket, for bulk
 * transfers: docker-java copies an exec's input 1 KiB at a time with a flush after each (a write
 * to the engine per KiB), which held uploads to half the engine's rate. Here input goes out in the
 * caller's own writes, and output is read 64 KiB at a time and split by the engine's stream
 * headers (a type byte, three zero bytes, a 4-byte big-endian length), as the engine's attach
 * protocol defines them for an exec without a TTY.
 *
 * <p>A write that makes no progress for {@link #STALL_MILLIS} (a paused container, a helper that
 * stopped reading) ends the stream, so no caller waits for ever.
 */
final class HijackedExec implements ContainerStreams.Duplex {
    static final long STALL_MILLIS = 60_000;
    private static final int MAX_HEADERS = 16 * 1024;
    private static final Map<HijackedExec, Boolean> LIVE = new ConcurrentHashMap<>();

    static {
        Thread.ofPlatform().daemon().name("hijacked-exec-watchdog").start(() -> {
            while (true) {
                try {
                    Thread.sleep(1_000);
                } catch (InterruptedException e) {
                    return;
                }
                long now = System.nanoTime();
                LIVE.keySet().forEach(exec -> exec.closeIfStalled(now));
            }
        });
    }

    private final SocketChannel channel;
    private final ContainerStreams.ExecOutput output;
    private final Supplier<OptionalInt> exitStatus;
    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile long writingSince;

    private HijackedExec(SocketChannel channel, ContainerStreams.ExecOutput output, Supplier<OptionalInt> exitStatus) {
        this.channel = channel;
        this.output = output;
        this.exitStatus = exitStatus;
    }

    /**
     * Starts the exec {@code execId} (made with its input attached and no TTY) on the engine at
     * {@code socket}, speaking API {@code apiVersion}.
     *
     * @throws RuntimeOperationException when the engine refuses to start it
     */
    static HijackedExec start(
            Path socket,
            String apiVersion,
            String execId,
            ContainerStreams.ExecOutput output,
            Supplier<OptionalInt> exitStatus) {
        SocketChannel channel = null;
        try {
            channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            channel.connect(UnixDomainSocketAddress.of(socket));
            byte[] body = "{\"Detach\":false,\"Tty\":false}".getBytes(StandardCharsets.US_ASCII);
            String request = "POST /v" + apiVersion + "/exec/" + execId + "/start HTTP/1.1\r\n"
                    + "Host: docker\r\n"
                    + "Content-Type: application/json\r\n"
                    + "Connection: Upgrade\r\n"
                    + "Upgrade: tcp\r\n"
                    + "Content-Length: " + body.length + "\r\n\r\n";
            writeFully(channel, ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII)));
            writeFully(channel, ByteBuffer.wrap(body));
            ByteBuffer leftover = readHead(channel, execId);
            var exec = new HijackedExec(channel, output, exitStatus);
            LIVE.put(exec, Boolean.TRUE);
            // A platform thread: it blocks on the socket for as long as the command runs.
            Thread.ofPlatform()
                    .daemon()
                    .name("hijacked-exec-" + execId.substring(0, Math.min(12, execId.length())))
                    .start(() -> exec.readAll(leftover));
            return exec;
        } catch (IOException e) {
            closeQuietly(channel);
            throw new RuntimeOperationException(
                    "attach to exec " + execId + ": " + e.getMessage(), "the container engine could not run it", e);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    /** Reads the engine's answer up to its blank line; what came after it is the stream's first bytes. */
    private static ByteBuffer readHead(SocketChannel channel, String execId) throws IOException {
        var head = new ByteArrayOutputStream();
        ByteBuffer buffer = ByteBuffer.allocate(4096);
        while (head.size() < MAX_HEADERS) {
            buffer.clear();
            int n = channel.read(buffer);
            if (n < 0) {
                throw new IOException("the engine closed the connection before answering");
            }
            head.write(buffer.array(), 0, n);
            byte[] seen = head.toByteArray();
            for (int i = 3; i < seen.length; i++) {
                if (seen[i - 3] == '\r' && seen[i - 2] == '\n' && seen[i - 1] == '\r' && seen[i] == '\n') {
                    String status = new String(seen, 0, Math.min(seen.length, 16), StandardCharsets.US_ASCII);
                    if (!status.startsWith("HTTP/1.1 101") && !status.startsWith("HTTP/1.1 200")) {
                        String answer = new String(seen, 0, i, StandardCharsets.US_ASCII);
                        throw new IOException("the engine answered "
                                + answer.lines().findFirst().orElse("nothing") + " to starting exec " + execId);
                    }
                    return ByteBuffer.wrap(seen, i + 1, seen.length - i - 1).slice();
                }
            }
        }
        throw new IOException("the engine's answer has no end of its headers");
    }

    /** The engine's multiplexed output, frame by frame (a long frame in 64 KiB pieces), until it ends; then the exit status, once. */
    private void readAll(ByteBuffer leftover) {
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        buffer.put(leftover).flip();
        byte[] header = new byte[8];
        try {
            while (fill(buffer, header, header.length)) {
                int type = header[0];
                long left = ByteBuffer.wrap(header, 4, 4).getInt() & 0xffffffffL;
                while (left > 0) {
                    byte[] payload = new byte[(int) Math.min(left, buffer.capacity())];
                    if (!fill(buffer, payload, payload.length)) {
                        return;
                    }
                    deliver(type, payload);
                    left -= payload.length;
                }
            }
        } catch (IOException e) {
            // the stream broke (or we closed it): the end either way
        } finally {
            finish();
        }
    }

    /** Fills {@code into} from what is buffered, then from the socket; false at the end of the stream. */
    private boolean fill(ByteBuffer buffer, byte[] into, int length) throws IOException {
        int at = 0;
        while (at < length) {
            if (!buffer.hasRemaining()) {
                buffer.clear();
                int n = channel.read(buffer);
                buffer.flip();
                if (n < 0) {
                    return false;
                }
                continue;
            }
            int take = Math.min(buffer.remaining(), length - at);
            buffer.get(into, at, take);
            at += take;
        }
        return true;
    }

    private void deliver(int type, byte[] payload) {
        if (payload.length == 0) {
            return;
        }
        if (type == 2) {
            output.stderr(payload);
        } else {
            output.stdout(payload);
        }
    }

    private void finish() {
        LIVE.remove(this);
        closeQuietly(channel);
        if (ended.compareAndSet(false, true)) {
            output.exited(exitStatus.get());
        }
    }

    @Override
    public boolean write(byte[] data) {
        if (ended.get()) {
            return false;
        }
        synchronized (this) {
            writingSince = System.nanoTime();
            // A channel closes itself when a thread interrupted before or during a write uses it (its
            // contract): the interrupt is set aside while writing, so it ends the writer, not the stream.
            boolean interrupted = Thread.interrupted();
            try {
                writeFully(channel, ByteBuffer.wrap(data));
                return true;
            } catch (IOException e) {
                return false;
            } finally {
                writingSince = 0;
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    private void closeIfStalled(long now) {
        long since = writingSince;
        if (since != 0 && now - since > STALL_MILLIS * 1_000_000L) {
            closeQuietly(channel);
        }
    }

    @Override
    public void close() {
        LIVE.remove(this);
        closeQuietly(channel);
    }

    private static void writeFully(SocketChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    private static void closeQuietly(SocketChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing either way
            }
        }
    }
}
