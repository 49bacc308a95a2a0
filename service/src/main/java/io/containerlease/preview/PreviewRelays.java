package io.containerlease.preview;

import io.containerlease.lease.ContainerStreams;
import io.containerlease.lease.EndReason;
import io.containerlease.lease.LeaseId;
import io.containerlease.lease.LeaseListener;
import io.containerlease.lease.ManagedLabels;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The relays of every (lease, port) previewed now: one each, made on first use and reused by every
 * connection after it, closed when unused for {@link #IDLE} and when their lease ends (which ends
 * every connection through them).
 */
public final class PreviewRelays implements LeaseListener, AutoCloseable {
    static final Duration IDLE = Duration.ofSeconds(60);

    private record Key(LeaseId lease, int port) {}

    private final ContainerStreams streams;
    private final Map<Key, TcpRelay> relays = new ConcurrentHashMap<>();
    private final Thread sweeper;
    private volatile boolean closed;

    public PreviewRelays(ContainerStreams streams) {
        this.streams = streams;
        this.sweeper = Thread.ofPlatform().daemon().name("preview-relay-sweep").start(this::sweep);
    }

    /** A connection to {@code port} in the lease's container, through its relay (made when there is none). */
    public TcpRelay.Connection connect(LeaseId lease, int port) throws IOException {
        var key = new Key(lease, port);
        for (int attempt = 0; attempt < 2; attempt++) {
            TcpRelay relay = relays.compute(
                    key,
                    (k, old) -> old != null && old.alive()
                            ? old
                            : TcpRelay.open(streams, ManagedLabels.containerName(lease), port));
            try {
                return relay.connect();
            } catch (IOException e) {
                if (relay.alive()) {
                    throw e; // the relay is fine: nothing listens there
                }
                relays.remove(key, relay); // it ended under us: once more with a new one
            }
        }
        throw new IOException("the container's relay ended");
    }

    /** Relays open now (one per previewed lease and port). */
    public int open() {
        return relays.size();
    }

    @Override
    public void onEnding(LeaseId id, EndReason reason) {
        relays.entrySet().removeIf(entry -> {
            if (entry.getKey().lease().equals(id)) {
                entry.getValue().close();
                return true;
            }
            return false;
        });
    }

    private void sweep() {
        while (!closed) {
            try {
                Thread.sleep(5_000);
            } catch (InterruptedException e) {
                return;
            }
            long idleBefore = System.nanoTime() - IDLE.toNanos();
            relays.entrySet().removeIf(entry -> {
                TcpRelay relay = entry.getValue();
                boolean unused = !relay.alive() || (relay.connections() == 0 && relay.lastUsedNanos() - idleBefore < 0);
                if (unused) {
                    relay.close();
                }
                return unused;
            });
        }
    }

    @Override
    public void close() {
        closed = true;
        sweeper.interrupt();
        relays.values().forEach(TcpRelay::close);
        relays.clear();
    }
}
