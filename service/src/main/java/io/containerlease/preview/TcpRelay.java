package io.containerlease.preview;

import io.containerlease.helper.HelperBinary;
import io.containerlease.helper.HelperFrames;
import io.containerlease.lease.ContainerStreams;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One {@code relay-tcp} run of our helper in a lease's container, carrying many connections to one
 * port of its loopback (helper/PROTOCOL.md), kept and reused: a page with 50 requests starts one
 * exec, not 50. Each connection has a window of {@link #WINDOW} each way: the helper sends no more
 * than this side has passed on, and this side sends no more than the helper has written, so one
 * slow browser stalls only its own connection and a relay holds at most a window per connection.
 */
public final class TcpRelay implements AutoCloseable {
    static final int WINDOW = 256 * 1024;
    static final int CHUNK = 64 * 1024;
    /** How long a connection may wait for room in its window, or for the program to accept it. */
    static final Duration PATIENCE = Duration.ofSeconds(60);

    private static final byte[] END = new byte[0];

    private final int port;
    private final ContainerStreams.Duplex duplex;
    private final Map<Integer, Connection> connections = new ConcurrentHashMap<>();
    private final AtomicInteger nextId = new AtomicInteger();
    private volatile boolean closed;
    private volatile long lastUsedNanos = System.nanoTime();

    private TcpRelay(ContainerStreams streams, String container, int port) {
        this.port = port;
        var reader = new HelperFrames.Reader(this::dispatch);
        this.duplex = streams.openTransfer(
                container,
                List.of(HelperBinary.PATH, "relay-tcp", Integer.toString(port)),
                new ContainerStreams.ExecOutput() {
                    @Override
                    public void stdout(byte[] data) {
                        try {
                            reader.accept(data);
                        } catch (HelperFrames.ProtocolException e) {
                            close(); // not our helper speaking: nothing it says is worth more
                        }
                    }

                    @Override
                    public void stderr(byte[] data) {
                        // notes for a person, never protocol
                    }

                    @Override
                    public void exited(OptionalInt status) {
                        close();
                    }
                });
    }

    /** Starts the relay for {@code port} in {@code container}. */
    public static TcpRelay open(ContainerStreams streams, String container, int port) {
        return new TcpRelay(streams, container, port);
    }

    public boolean alive() {
        return !closed;
    }

    /** Connections open now. */
    public int connections() {
        return connections.size();
    }

    /** When a connection last opened or ended here, for closing relays nobody uses. */
    public long lastUsedNanos() {
        return lastUsedNanos;
    }

    /**
     * A new connection to the port.
     *
     * @throws IOException when nothing listens there, the relay ended, or the program did not accept in time
     */
    public Connection connect() throws IOException {
        if (closed) {
            throw new IOException("the relay has ended");
        }
        var connection = new Connection(nextId.incrementAndGet());
        connections.put(connection.id, connection);
        lastUsedNanos = System.nanoTime();
        send('O', connection.id, new byte[0], 0, 0);
        connection.awaitConnected();
        return connection;
    }

    /** On the engine's thread: never blocks (the helper sends a connection no more than its window). */
    private void dispatch(byte type, byte[] payload) {
        if (payload.length < 4) {
            return;
        }
        int id = (payload[0] & 0xff) << 24 | (payload[1] & 0xff) << 16 | (payload[2] & 0xff) << 8 | (payload[3] & 0xff);
        Connection connection = connections.get(id);
        if (connection == null) {
            return;
        }
        switch (type) {
            case 'C' -> connection.connected(null);
            case 'E' -> {
                connections.remove(id);
                connection.connected("nothing listens on port " + port + " in the container");
            }
            case 'R' -> {
                if (connection.inboundBytes.addAndGet(payload.length - 4) > WINDOW + CHUNK) {
                    close(); // past its window: not our helper speaking
                    return;
                }
                connection.received(java.util.Arrays.copyOfRange(payload, 4, payload.length));
            }
            case 'Z' -> connection.received(END);
            case 'A' -> {
                if (payload.length >= 8) {
                    connection.acknowledged((payload[4] & 0xff) << 24
                            | (payload[5] & 0xff) << 16
                            | (payload[6] & 0xff) << 8
                            | (payload[7] & 0xff));
                }
            }
            default -> {
                // a frame of another type: skipped
            }
        }
    }

    private boolean send(char type, int id, byte[] data, int offset, int length) {
        byte[] frame = new byte[5 + 4 + length];
        frame[5] = (byte) (id >>> 24);
        frame[6] = (byte) (id >>> 16);
        frame[7] = (byte) (id >>> 8);
        frame[8] = (byte) id;
        System.arraycopy(data, offset, frame, 9, length);
        return !closed && duplex.write(HelperFrames.header(frame, (byte) type, 4 + length));
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        duplex.close();
        connections.values().forEach(c -> c.received(END));
        connections.clear();
    }

    /** One TCP connection to the program, as streams: what it writes, and what is written to it. */
    public final class Connection implements AutoCloseable {
        private final int id;
        private final LinkedBlockingQueue<byte[]> inbound = new LinkedBlockingQueue<>();
        /** What the helper sent that was not yet passed on: never more than its window. */
        private final java.util.concurrent.atomic.AtomicLong inboundBytes =
                new java.util.concurrent.atomic.AtomicLong();

        private final java.util.concurrent.CompletableFuture<String> opened =
                new java.util.concurrent.CompletableFuture<>();
        private final Object credit = new Object();
        private long unacknowledged;
        private volatile boolean ended;

        private Connection(int id) {
            this.id = id;
        }

        private void awaitConnected() throws IOException {
            String failure;
            try {
                failure = opened.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                failure = "the program did not accept the connection in time";
            } catch (java.util.concurrent.ExecutionException | InterruptedException e) {
                failure = "the relay ended";
            }
            if (failure != null) {
                close();
                throw new IOException(failure);
            }
        }

        private void connected(String failure) {
            opened.complete(failure);
        }

        private void received(byte[] data) {
            opened.complete(data == END ? "the relay ended" : null);
            inbound.add(data);
        }

        private void acknowledged(int count) {
            synchronized (credit) {
                unacknowledged = Math.max(0, unacknowledged - (count & 0xffffffffL));
                credit.notifyAll();
            }
        }

        /** What the program writes, as it comes; -1 once it closed its side (or the relay ended). */
        public InputStream input() {
            return new InputStream() {
                private byte[] current = new byte[0];
                private int position;

                @Override
                public int read() throws IOException {
                    byte[] one = new byte[1];
                    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
                }

                @Override
                public int read(byte[] buffer, int offset, int length) throws IOException {
                    if (length == 0) {
                        return 0;
                    }
                    while (position >= current.length) {
                        if (current == END) {
                            return -1;
                        }
                        if (current.length > 0) {
                            // All of it passed on: the helper may send as much again.
                            inboundBytes.addAndGet(-current.length);
                            send('A', id, count(current.length), 0, 4);
                        }
                        try {
                            current = inbound.take();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new IOException("interrupted");
                        }
                        position = 0;
                        if (current == END) {
                            return -1;
                        }
                    }
                    int n = Math.min(length, current.length - position);
                    System.arraycopy(current, position, buffer, offset, n);
                    position += n;
                    return n;
                }
            };
        }

        /** Written to the program, within the window; {@link OutputStream#close} ends this side (the helper's F). */
        public OutputStream output() {
            return new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] data, int offset, int length) throws IOException {
                    for (int at = offset; at < offset + length; ) {
                        int n = Math.min(CHUNK, offset + length - at);
                        awaitRoom(n);
                        if (!send('W', id, data, at, n)) {
                            throw new IOException("the relay ended");
                        }
                        at += n;
                    }
                }

                @Override
                public void close() {
                    send('F', id, new byte[0], 0, 0);
                }
            };
        }

        private void awaitRoom(int n) throws IOException {
            long giveUpAt = System.nanoTime() + PATIENCE.toNanos();
            synchronized (credit) {
                while (unacknowledged + n > WINDOW) {
                    long left = giveUpAt - System.nanoTime();
                    if (left <= 0 || closed || ended) {
                        throw new IOException("the program stopped reading");
                    }
                    try {
                        credit.wait(Math.max(1, left / 1_000_000));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IOException("interrupted");
                    }
                }
                unacknowledged += n;
            }
        }

        @Override
        public void close() {
            if (ended) {
                return;
            }
            ended = true;
            if (connections.remove(id) != null) {
                send('X', id, new byte[0], 0, 0);
            }
            lastUsedNanos = System.nanoTime();
            inbound.add(END);
            synchronized (credit) {
                credit.notifyAll();
            }
        }
    }

    private static byte[] count(int n) {
        return new byte[] {(byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n};
    }
}
