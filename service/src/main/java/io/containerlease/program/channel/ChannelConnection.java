package io.containerlease.program.channel;

import com.fasterxml.jackson.databind.JsonNode;
import io.containerlease.helper.HelperBinary;
import io.containerlease.helper.HelperFrames;
import io.containerlease.lease.ContainerStreams;
import io.containerlease.lease.ImageSpec;
import io.containerlease.program.ProgramException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The service's end of one lease's channel. The program listens on its Unix socket inside its
 * container; the service never touches that socket's path. It runs our helper's relay inside the
 * container with the engine's exec (so the path is resolved in the tenant's own namespaces, and a
 * symlink can only point into its own container), and keeps that one stream for as long as the lease
 * lives: the relay connects to the program, and again with backoff whenever it stops listening. A
 * relay that ends (the container stopped, the tenant killed it) is started again with a backoff of
 * its own, so a tenant cannot make the service exec in a loop.
 *
 * <p>Requests wait for the frame that carries their id; every other frame the program sends goes to
 * {@code unprompted}.
 */
final class ChannelConnection implements AutoCloseable {
    static final int MAX_PENDING = 64;
    static final List<String> RELAY_COMMAND = List.of(HelperBinary.PATH, "relay-unix", ImageSpec.CHANNEL_SOCKET);
    private static final Duration FIRST_RETRY = Duration.ofMillis(250);
    /** The longest wait between starts of the relay (a stopped container, a tenant killing the relay). */
    private static final Duration LAST_RETRY = Duration.ofSeconds(5);
    /** A relay that ran this long was a working one: the next start comes quickly again. */
    private static final Duration STABLE = Duration.ofSeconds(10);
    /** A reason the relay gives is the tenant's text: this much of it is kept. */
    private static final int MAX_REASON_CHARS = 120;

    private final ContainerStreams streams;
    private final String container;
    private final InstantSource clock;
    private final Consumer<ChannelFrame> unprompted;
    private final Consumer<Boolean> connectionChanged;
    private final Map<String, CompletableFuture<ChannelFrame>> pending = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong received = new AtomicLong();
    private final Thread loop;
    private final Lines lines = new Lines();
    private volatile ContainerStreams.Duplex relay;
    private volatile boolean connected;
    private volatile boolean closed;
    private volatile Instant since;
    private volatile Instant lastMessageAt;
    private volatile String lastError;

    ChannelConnection(
            ContainerStreams streams,
            String container,
            InstantSource clock,
            Consumer<ChannelFrame> unprompted,
            Consumer<Boolean> connectionChanged) {
        this.streams = streams;
        this.container = container;
        this.clock = clock;
        this.unprompted = unprompted;
        this.connectionChanged = connectionChanged;
        this.since = clock.instant();
        this.loop = Thread.ofVirtual().name("channel-" + container).unstarted(this::run);
    }

    void start() {
        loop.start();
    }

    ChannelStatus status() {
        return new ChannelStatus(
                connected,
                since,
                Optional.ofNullable(lastMessageAt),
                sent.get(),
                received.get(),
                pending.size(),
                Optional.ofNullable(lastError));
    }

    /**
     * Sends one frame with a fresh id and, when {@code reply} is set, waits up to {@code timeout}
     * for the program's frame with the same id.
     *
     * @return the reply, or empty when none was asked for
     * @throws ProgramException when the program is not connected, too many requests wait already,
     *                          or no reply came in time
     */
    Optional<ChannelFrame> request(String type, JsonNode payload, Duration timeout, boolean reply) {
        String id = Long.toString(ids.incrementAndGet());
        byte[] bytes = new ChannelFrame(id, type, payload).encode();
        if (bytes.length > ChannelFrame.MAX_BYTES) {
            throw new ProgramException(
                    ProgramException.Kind.TOO_LARGE,
                    "payload_too_large",
                    "a frame may be at most " + ChannelFrame.MAX_BYTES + " bytes as JSON; this one is " + bytes.length);
        }
        CompletableFuture<ChannelFrame> answer = new CompletableFuture<>();
        if (reply) {
            if (pending.size() >= MAX_PENDING) {
                throw new ProgramException(
                        ProgramException.Kind.BUSY,
                        "channel_busy",
                        MAX_PENDING + " requests already wait for the program's reply; wait for one to finish");
            }
            pending.put(id, answer);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            write(bytes);
            if (!reply) {
                return Optional.empty();
            }
            return Optional.of(answer.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
        } catch (TimeoutException e) {
            throw new ProgramException(
                    ProgramException.Kind.TIMEOUT,
                    "channel_timeout",
                    "the program did not reply within " + timeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof ProgramException p ? p : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProgramException(
                    ProgramException.Kind.TIMEOUT, "channel_timeout", "interrupted while waiting for the reply");
        } finally {
            pending.remove(id);
        }
    }

    /** Sends a frame as the client wrote it (from the duplex socket); no reply is awaited here. */
    void forward(ChannelFrame frame) {
        byte[] bytes = frame.encode();
        if (bytes.length > ChannelFrame.MAX_BYTES) {
            throw new ProgramException(
                    ProgramException.Kind.TOO_LARGE,
                    "payload_too_large",
                    "a frame may be at most " + ChannelFrame.MAX_BYTES + " bytes as JSON");
        }
        write(bytes);
    }

    /**
     * Hands a whole frame to the relay. The relay stops taking input while the program does not take
     * a message (and ends that connection after 5 s), so a program that stops reading holds at most
     * the relay's input queue; a write that finds the queue full for too long restarts the relay.
     */
    private void write(byte[] bytes) {
        ContainerStreams.Duplex current = relay;
        if (current == null || !connected) {
            throw notConnected();
        }
        // The relay's input queue waits a few seconds for room (not the caller's timeout: the reply's wait is that).
        if (!current.write(HelperFrames.message(bytes))) {
            lastError = "the program stopped reading its channel";
            current.close();
            throw new ProgramException(
                    ProgramException.Kind.TIMEOUT,
                    "channel_timeout",
                    "the program did not take the message: it stopped reading its channel");
        }
        sent.incrementAndGet();
    }

    private ProgramException notConnected() {
        long downMs = Duration.between(since, clock.instant()).toMillis();
        return new ProgramException(
                ProgramException.Kind.NOT_CONNECTED,
                "channel_not_connected",
                "the program is not listening on its channel (down for " + downMs / 1000 + " s"
                        + (lastError == null ? "" : ": " + lastError) + ")",
                Map.of("downSince", since.toString(), "downForMs", downMs));
    }

    private void run() {
        Duration retry = FIRST_RETRY;
        while (!closed) {
            long startedAt = System.nanoTime();
            runRelayOnce();
            if (closed) {
                return;
            }
            if (System.nanoTime() - startedAt >= STABLE.toNanos()) {
                retry = FIRST_RETRY;
            }
            try {
                Thread.sleep(retry);
            } catch (InterruptedException e) {
                return;
            }
            retry = retry.multipliedBy(2).compareTo(LAST_RETRY) > 0 ? LAST_RETRY : retry.multipliedBy(2);
        }
    }

    /** Runs the relay until its stream ends. */
    private void runRelayOnce() {
        var ended = new CompletableFuture<Void>();
        var frames = new HelperFrames.Reader(this::frame);
        ContainerStreams.Duplex started = null;
        try {
            started = streams.openDuplex(container, RELAY_COMMAND, new ContainerStreams.ExecOutput() {
                @Override
                public void stdout(byte[] data) {
                    try {
                        frames.accept(data);
                    } catch (HelperFrames.ProtocolException e) {
                        lastError = "the channel's relay stopped speaking its protocol";
                        ended.complete(null);
                    }
                }

                @Override
                public void stderr(byte[] data) {
                    // Notes for a person (a usage error); never protocol, never kept: the tenant can write here.
                }

                @Override
                public void exited(OptionalInt status) {
                    if (!closed && lastError == null) {
                        lastError = "the channel's relay ended";
                    }
                    ended.complete(null);
                }
            });
            relay = started;
            if (closed) {
                return;
            }
            ended.get();
        } catch (RuntimeException e) {
            // The container is stopped, paused or gone, or the engine is away: tried again after the backoff.
            lastError = "the container does not run the channel's relay now";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            throw new IllegalStateException("completed without a cause", e);
        } finally {
            relay = null;
            if (started != null) {
                started.close();
            }
            down(connected ? lastError : null);
        }
    }

    /** One frame from the relay, on the engine stream's thread. */
    private void frame(byte type, byte[] payload) {
        switch (type) {
            case HelperFrames.CONNECTED -> {
                lines.clear();
                lastError = null;
                since = clock.instant();
                connected = true;
                connectionChanged.accept(true);
            }
            case HelperFrames.DISCONNECTED -> down(reason(payload));
            case HelperFrames.MESSAGE -> {
                if (connected) {
                    lines.accept(payload);
                }
            }
            default -> {
                // a frame of a later protocol revision: nothing to do with it
            }
        }
    }

    /** The program's connection ended (or the relay did while connected); {@code reason} null when it was not up. */
    private synchronized void down(String reason) {
        if (!connected) {
            return;
        }
        connected = false;
        since = clock.instant();
        if (reason != null) {
            lastError = reason;
        }
        lines.clear();
        failPending();
        if (!closed) {
            connectionChanged.accept(false);
        }
    }

    private static String reason(byte[] payload) {
        String text = new String(payload, 0, Math.min(payload.length, MAX_REASON_CHARS * 4), StandardCharsets.UTF_8);
        text = text.codePoints()
                .filter(c -> !Character.isISOControl(c))
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
                .toString();
        return text.length() > MAX_REASON_CHARS ? text.substring(0, MAX_REASON_CHARS) : text;
    }

    private void deliver(byte[] line, int length) {
        ChannelFrame frame;
        try {
            frame = ChannelFrame.parse(line, length);
        } catch (IllegalArgumentException e) {
            lastError = "the program sent " + e.getMessage() + "; it was dropped";
            return;
        }
        received.incrementAndGet();
        lastMessageAt = clock.instant();
        CompletableFuture<ChannelFrame> waiting = frame.id() == null ? null : pending.remove(frame.id());
        if (waiting != null) {
            waiting.complete(frame);
        } else {
            unprompted.accept(frame);
        }
    }

    private void failPending() {
        for (var waiting : pending.values()) {
            waiting.completeExceptionally(new ProgramException(
                    ProgramException.Kind.NOT_CONNECTED,
                    "channel_not_connected",
                    "the program's channel closed before it replied"));
        }
    }

    /** The program's bytes cut into lines, each at most {@link ChannelFrame#MAX_BYTES}; a longer one is dropped and noted. */
    private final class Lines {
        private byte[] line = new byte[8192];
        private int length;
        private boolean oversize;

        void clear() {
            length = 0;
            oversize = false;
            if (line.length > 8192) {
                line = new byte[8192]; // one long line does not keep its buffer for the lease's life
            }
        }

        void accept(byte[] chunk) {
            int start = 0;
            for (int i = 0; i < chunk.length; i++) {
                if (chunk[i] == '\n') {
                    keep(chunk, start, i - start);
                    end();
                    start = i + 1;
                }
            }
            keep(chunk, start, chunk.length - start);
        }

        private void keep(byte[] from, int offset, int count) {
            if (count == 0 || oversize) {
                return;
            }
            if (length + count > ChannelFrame.MAX_BYTES) {
                oversize = true;
                return;
            }
            if (length + count > line.length) {
                line = java.util.Arrays.copyOf(
                        line, Math.min(ChannelFrame.MAX_BYTES, Math.max(line.length * 2, length + count)));
            }
            System.arraycopy(from, offset, line, length, count);
            length += count;
        }

        private void end() {
            if (oversize) {
                lastError = "the program sent a frame over " + ChannelFrame.MAX_BYTES + " bytes; it was dropped";
            } else if (length > 0) {
                deliver(line, length);
            }
            clear();
        }
    }

    @Override
    public void close() {
        closed = true;
        ContainerStreams.Duplex current = relay;
        if (current != null) {
            current.close();
        }
        loop.interrupt();
    }
}
