package io.containerlease.program.channel;

import static net.logstash.logback.argument.StructuredArguments.kv;

import com.fasterxml.jackson.databind.JsonNode;
import io.containerlease.lease.ContainerStreams;
import io.containerlease.lease.EndReason;
import io.containerlease.lease.ImageSpec;
import io.containerlease.lease.ImageTypes;
import io.containerlease.lease.Lease;
import io.containerlease.lease.LeaseId;
import io.containerlease.lease.LeaseListener;
import io.containerlease.lease.LeaseLogBudget;
import io.containerlease.lease.ManagedLabels;
import io.containerlease.program.ProgramException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every live lease's channel to its program: opened when the lease runs (or is found running after
 * a restart of the service), closed when it starts ending. Callers have already checked that the
 * caller may reach the lease.
 */
public final class Channels implements LeaseListener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Channels.class);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration MAX_TIMEOUT = Duration.ofSeconds(60);

    /** Hears what every channel does, for the event channel. */
    public interface Observer {
        void message(LeaseId id, ChannelFrame frame);

        void connection(LeaseId id, boolean connected);
    }

    private final ImageTypes catalog;
    private final ContainerStreams streams;
    private final InstantSource clock;
    private final Observer observer;
    private final Map<LeaseId, ChannelConnection> open = new ConcurrentHashMap<>();
    /** A program that accepts and closes its socket in a loop is a tenant writing our log: a few lines a minute per lease. */
    private final LeaseLogBudget logBudget;
    /** A client following one lease's channel (the duplex socket). */
    public interface Reader {
        /** A frame the program sent that answers no request. */
        void frame(ChannelFrame frame);

        void connection(boolean connected);
    }

    private final Map<LeaseId, List<Reader>> readers = new ConcurrentHashMap<>();

    /**
     * Reaches the channel of a lease another server of a shared store holds (its program's socket is
     * that server's connection to keep).
     */
    public interface Elsewhere {
        Optional<ChannelFrame> send(Lease lease, String type, JsonNode payload, Duration timeout, boolean reply);

        void forward(Lease lease, ChannelFrame frame);

        ChannelStatus status(Lease lease);
    }

    /** One server alone: a lease whose channel is not open here has none open anywhere. */
    private static final Elsewhere NOWHERE = new Elsewhere() {
        @Override
        public Optional<ChannelFrame> send(
                Lease lease, String type, JsonNode payload, Duration timeout, boolean reply) {
            throw notConnected(lease.id());
        }

        @Override
        public void forward(Lease lease, ChannelFrame frame) {
            throw notConnected(lease.id());
        }

        @Override
        public ChannelStatus status(Lease lease) {
            throw notConnected(lease.id());
        }
    };

    private volatile Elsewhere elsewhere = NOWHERE;

    public Channels(ImageTypes catalog, ContainerStreams streams, InstantSource clock, Observer observer) {
        this.catalog = catalog;
        this.streams = streams;
        this.clock = clock;
        this.observer = observer;
        this.logBudget = new LeaseLogBudget(clock, 10, Duration.ofSeconds(6));
    }

    /** Channels of leases held by other servers are reached through {@code elsewhere}. */
    public void reachElsewhereThrough(Elsewhere elsewhere) {
        this.elsewhere = elsewhere;
    }

    @Override
    public void onRunning(Lease lease) {
        open(lease);
    }

    private void open(Lease lease) {
        if (!hasChannel(lease)) {
            return;
        }
        open.computeIfAbsent(lease.id(), id -> {
            var connection = new ChannelConnection(
                    streams, ManagedLabels.containerName(id), clock, frame -> unprompted(id, frame), connected -> {
                        long heldBack = logBudget.take(id);
                        if (heldBack >= 0) {
                            log.info(
                                    "channel {} {} {}",
                                    connected ? "connected" : "disconnected",
                                    kv("leaseId", id.value()),
                                    kv("linesHeldBack", heldBack));
                        }
                        observer.connection(id, connected);
                        readers.getOrDefault(id, List.of()).forEach(reader -> reader.connection(connected));
                    });
            connection.start();
            return connection;
        });
    }

    @Override
    public void onRecovered(Lease lease) {
        open(lease);
    }

    @Override
    public void onEnding(LeaseId id, EndReason reason) {
        close(id);
    }

    @Override
    public void onEnded(Lease lease) {
        close(lease.id());
    }

    private void close(LeaseId id) {
        logBudget.forget(id);
        ChannelConnection connection = open.remove(id);
        if (connection != null) {
            connection.close();
        }
        readers.remove(id);
    }

    /**
     * Sends {@code payload} to the lease's program and, when {@code reply} is set, waits for its
     * answer.
     *
     * @throws ProgramException when the image type has no channel, the payload is too big, the program
     *                          is not connected, too many requests wait already, or no reply came in time
     */
    public Optional<ChannelFrame> send(Lease lease, String type, JsonNode payload, Duration timeout, boolean reply) {
        requireChannel(lease);
        ChannelConnection here = open.get(lease.id());
        return here != null
                ? here.request(type, payload, timeout, reply)
                : elsewhere.send(lease, type, payload, timeout, reply);
    }

    /** Passes on a frame a client wrote on the duplex socket, as it is. */
    public void forward(Lease lease, ChannelFrame frame) {
        requireChannel(lease);
        ChannelConnection here = open.get(lease.id());
        if (here != null) {
            here.forward(frame);
        } else {
            elsewhere.forward(lease, frame);
        }
    }

    public ChannelStatus status(Lease lease) {
        requireChannel(lease);
        ChannelConnection here = open.get(lease.id());
        return here != null ? here.status() : elsewhere.status(lease);
    }

    /** {@link #send}, only through a connection of this server's (what another server asks of the holder). */
    Optional<ChannelFrame> sendHere(Lease lease, String type, JsonNode payload, Duration timeout, boolean reply) {
        return connectionHere(lease).request(type, payload, timeout, reply);
    }

    void forwardHere(Lease lease, ChannelFrame frame) {
        connectionHere(lease).forward(frame);
    }

    ChannelStatus statusHere(Lease lease) {
        return connectionHere(lease).status();
    }

    /** A frame the program of a lease held elsewhere sent unprompted, relayed here for this server's readers. */
    public void heardElsewhere(LeaseId id, ChannelFrame frame) {
        if (!open.containsKey(id)) {
            tellReaders(id, frame);
        }
    }

    /** The channel of a lease held elsewhere connected or went down. */
    public void connectionElsewhere(LeaseId id, boolean connected) {
        if (!open.containsKey(id)) {
            readers.getOrDefault(id, List.of()).forEach(reader -> reader.connection(connected));
        }
    }

    /**
     * Every frame the lease's program sends that answers no request goes to {@code reader} too, and
     * every change of its connection, until the returned action removes it.
     */
    public Runnable read(Lease lease, Reader reader) {
        requireChannel(lease);
        List<Reader> list = readers.computeIfAbsent(lease.id(), id -> new CopyOnWriteArrayList<>());
        list.add(reader);
        return () -> list.remove(reader);
    }

    public boolean hasChannel(Lease lease) {
        return catalog.find(lease.imageType())
                .map(ImageSpec::program)
                .map(ImageSpec.Program::channel)
                .orElse(false);
    }

    private void requireChannel(Lease lease) {
        if (!hasChannel(lease)) {
            throw new ProgramException(
                    ProgramException.Kind.NOT_ENABLED,
                    "channel_not_enabled",
                    "image type '" + lease.imageType()
                            + "' has no message channel (its catalog entry does not say channel: true)");
        }
    }

    private ChannelConnection connectionHere(Lease lease) {
        requireChannel(lease);
        ChannelConnection connection = open.get(lease.id());
        if (connection == null) {
            throw notConnected(lease.id());
        }
        return connection;
    }

    static ProgramException notConnected(LeaseId id) {
        return new ProgramException(
                ProgramException.Kind.NOT_CONNECTED,
                "channel_not_connected",
                "lease " + id + " is not running, so its program has no channel");
    }

    private void unprompted(LeaseId id, ChannelFrame frame) {
        observer.message(id, frame);
        tellReaders(id, frame);
    }

    private void tellReaders(LeaseId id, ChannelFrame frame) {
        for (Reader reader : readers.getOrDefault(id, List.of())) {
            try {
                reader.frame(frame);
            } catch (RuntimeException e) {
                log.warn("a channel reader failed {} {}", kv("leaseId", id.value()), kv("error", e.getMessage()));
            }
        }
    }

    @Override
    public void close() {
        open.keySet().forEach(this::close);
    }
}
