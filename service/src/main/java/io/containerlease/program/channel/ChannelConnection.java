package io.containerlease.program.channel;

import io.containerlease.program.ProgramException;
import java.io.IOException;
import java.io.InputStream;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The service's end of one lease's channel: connects to the program's socket, and reconnects
 * with backoff whenever the program is not (or no longer) listening, for as long as the lease
 * lives. Requests wait for the frame that carries their id; every other frame the program sends
 * goes to {@code unprompted}.
 */
final class ChannelConnection implements AutoCloseable {
    static final int MAX_PENDING = 64;
    private static final Duration FIRST_RETRY = Duration.ofMillis(50);
    /** The longest wait between tries: how soon a program that (re)started is reached at worst. */
    private static final Duration LAST_RETRY = Duration.ofSeconds(1);

    private final Path socket;
    private final InstantSource clock;
    private final Consumer<ChannelFrame> unprompted;
    private final Consumer<Boolean> connectionChanged;
    private final Map<String, CompletableFuture<ChannelFrame>> pending = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong received = new AtomicLong();
    private final Object writeLock = new Object();
    private final Thread loop;
    private volatile SocketChannel channel;
    private volatile boolean closed;
    private volatile Instant since;
    private volatile Instant lastMessageAt;
    private volatile String lastError;

    ChannelConnection(Path socket, InstantSource clock, Consumer<ChannelFrame> unprompted, Consumer<Boolean> connectionChanged) {
        this.socket = socket;
        this.clock = clock;
        this.unprompted = unprompted;
        this.connectionChanged = connectionChanged;
        this.since = clock.instant();
        this.loop = Thread.ofVirtual().name("channel-" + socket.getParent().getFileName()).unstarted(this::run);
    }

    void start() {
        loop.start();
    }

    ChannelStatus status() {
        return new ChannelStatus(channel != null, since, Optional.ofNullable(lastMessageAt), sent.get(), received.get(), pending.size(),
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
    Optional<ChannelFrame> request(String type, com.fasterxml.jackson.databind.JsonNode payload, Duration timeout, boolean reply) {
        String id = Long.toString(ids.incrementAndGet());
        byte[] bytes = new ChannelFrame(id, type, payload).encode();
        if (bytes.length > ChannelFrame.MAX_BYTES) {
            throw new ProgramException(ProgramException.Kind.TOO_LARGE, "payload_too_large",
                    "a frame may be at most " + ChannelFrame.MAX_BYTES + " bytes as JSON; this one is " + bytes.length);
        }
        CompletableFuture<ChannelFrame> answer = new CompletableFuture<>();
        if (reply) {
            if (pending.size() >= MAX_PENDING) {
                throw new ProgramException(ProgramException.Kind.BUSY, "channel_busy", MAX_PENDING
                        + " requests already wait for the program's reply; wait for one to finish");
            }
            pending.put(id, answer);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            write(bytes, timeout);
            if (!reply) {
                return Optional.empty();
            }
            return Optional.of(answer.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
        } catch (TimeoutException e) {
            throw new ProgramException(ProgramException.Kind.TIMEOUT, "channel_timeout",
                    "the program did not reply within " + timeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof ProgramException p ? p : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProgramException(ProgramException.Kind.TIMEOUT, "channel_timeout", "interrupted while waiting for the reply");
        } finally {
            pending.remove(id);
        }
    }

    /** Sends a frame as the client wrote it (from the duplex socket); no reply is awaited here. */
    void forward(ChannelFrame frame, Duration timeout) {
        byte[] bytes = frame.encode();
        if (bytes.length > ChannelFrame.MAX_BYTES) {
            throw new ProgramException(ProgramException.Kind.TOO_LARGE, "payload_too_large",
                    "a frame may be at most " + ChannelFrame.MAX_BYTES + " bytes as JSON");
        }
        write(bytes, timeout);
    }

    /**
     * Writes a whole frame. A program that stops reading would block the write for ever: past the
     * timeout the connection is dropped (and made again), which unblocks it.
     */
    private void write(byte[] bytes, Duration timeout) {
        SocketChannel current = channel;
        if (current == null) {
            throw notConnected();
        }
        CompletableFuture<Void> written = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            synchronized (writeLock) {
                try {
                    ByteBuffer buffer = ByteBuffer.wrap(bytes);
                    while (buffer.hasRemaining()) {
                        current.write(buffer);
                    }
                    sent.incrementAndGet();
                    written.complete(null);
                } catch (IOException e) {
                    written.completeExceptionally(notConnected());
                }
            }
        });
        try {
            written.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            lastError = "the program stopped reading its channel";
            closeQuietly(current);
            throw new ProgramException(ProgramException.Kind.TIMEOUT, "channel_timeout",
                    "the program did not take the message within " + timeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            throw (ProgramException) e.getCause();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw notConnected();
        }
    }

    private ProgramException notConnected() {
        long downMs = Duration.between(since, clock.instant()).toMillis();
        return new ProgramException(ProgramException.Kind.NOT_CONNECTED, "channel_not_connected",
                "the program is not listening on its channel (down for " + downMs / 1000 + " s"
                        + (lastError == null ? "" : ": " + lastError) + ")",
                Map.of("downSince", since.toString(), "downForMs", downMs));
    }

    private void run() {
        Duration retry = FIRST_RETRY;
        while (!closed) {
            try (SocketChannel connected = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
                channel = connected;
                since = clock.instant();
                lastError = null;
                retry = FIRST_RETRY;
                connectionChanged.accept(true);
                read(java.nio.channels.Channels.newInputStream(connected));
                if (!closed) {
                    lastError = "the program closed its end";
                }
            } catch (IOException e) {
                if (channel == null) {
                    // Not listening (yet): the usual state before the program has made its socket.
                    lastError = e instanceof java.net.ConnectException || e instanceof java.net.SocketException
                            ? "nothing listens on " + ChannelDirectories.SOCKET_NAME : "cannot connect";
                } else if (!closed && lastError == null) {
                    lastError = "the connection broke";
                }
            } finally {
                if (channel != null) {
                    channel = null;
                    since = clock.instant();
                    failPending();
                    if (!closed) {
                        connectionChanged.accept(false);
                    }
                }
            }
            if (!closed) {
                try {
                    Thread.sleep(retry);
                } catch (InterruptedException e) {
                    return;
                }
                retry = retry.multipliedBy(2).compareTo(LAST_RETRY) > 0 ? LAST_RETRY : retry.multipliedBy(2);
            }
        }
    }

    /** Reads frames until the program closes its end. An oversize or malformed line is skipped and noted. */
    private void read(InputStream in) throws IOException {
        byte[] line = new byte[8192];
        int length = 0;
        boolean oversize = false;
        byte[] chunk = new byte[8192];
        int n;
        while ((n = in.read(chunk)) > 0) {
            for (int i = 0; i < n; i++) {
                byte b = chunk[i];
                if (b != '\n') {
                    if (length < ChannelFrame.MAX_BYTES) {
                        if (length == line.length) {
                            line = java.util.Arrays.copyOf(line, Math.min(line.length * 2, ChannelFrame.MAX_BYTES));
                        }
                        line[length++] = b;
                    } else {
                        oversize = true;
                    }
                    continue;
                }
                if (oversize) {
                    lastError = "the program sent a frame over " + ChannelFrame.MAX_BYTES + " bytes; it was dropped";
                } else if (length > 0) {
                    deliver(line, length);
                }
                length = 0;
                oversize = false;
            }
        }
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
            waiting.completeExceptionally(new ProgramException(ProgramException.Kind.NOT_CONNECTED, "channel_not_connected",
                    "the program's channel closed before it replied"));
        }
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // closing is all that was wanted
        }
    }

    @Override
    public void close() {
        closed = true;
        SocketChannel current = channel;
        if (current != null) {
            closeQuietly(current);
        }
        loop.interrupt();
    }
}
