package io.containerlease.program.channel;

import static net.logstash.logback.argument.StructuredArguments.kv;

import com.fasterxml.jackson.databind.JsonNode;
import io.containerlease.lease.EndReason;
import io.containerlease.lease.ImageSpec;
import io.containerlease.lease.ImageTypes;
import io.containerlease.lease.Lease;
import io.containerlease.lease.LeaseId;
import io.containerlease.lease.LeaseListener;
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
    private final ChannelDirectories directories;
    private final InstantSource clock;
    private final Observer observer;
    private final Map<LeaseId, ChannelConnection> open = new ConcurrentHashMap<>();
    /** A client following one lease's channel (the duplex socket). */
    public interface Reader {
        /** A frame the program sent that answers no request. */
        void frame(ChannelFrame frame);

        void connection(boolean connected);
    }

    private final Map<LeaseId, List<Reader>> readers = new ConcurrentHashMap<>();

    public Channels(ImageTypes catalog, ChannelDirectories directories, InstantSource clock, Observer observer) {
        this.catalog = catalog;
        this.directories = directories;
        this.clock = clock;
        this.observer = observer;
    }

    @Override
    public void onRunning(Lease lease) {
        if (!hasChannel(lease)) {
            return;
        }
        open.computeIfAbsent(lease.id(), id -> {
            var connection = new ChannelConnection(directories.socket(id), clock, frame -> unprompted(id, frame),
                    connected -> {
                        log.info("channel {} {}", connected ? "connected" : "disconnected", kv("leaseId", id.value()));
                        observer.connection(id, connected);
                        readers.getOrDefault(id, List.of()).forEach(reader -> reader.connection(connected));
                    });
            connection.start();
            return connection;
        });
    }

    @Override
    public void onRecovered(Lease lease) {
        onRunning(lease);
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
        return connection(lease).request(type, payload, timeout, reply);
    }

    /** Passes on a frame a client wrote on the duplex socket, as it is. */
    public void forward(Lease lease, ChannelFrame frame) {
        connection(lease).forward(frame, DEFAULT_TIMEOUT);
    }

    public ChannelStatus status(Lease lease) {
        return connection(lease).status();
    }

    /**
     * Every frame the lease's program sends that answers no request goes to {@code reader} too, and
     * every change of its connection, until the returned action removes it.
     */
    public Runnable read(Lease lease, Reader reader) {
        connection(lease);
        List<Reader> list = readers.computeIfAbsent(lease.id(), id -> new CopyOnWriteArrayList<>());
        list.add(reader);
        return () -> list.remove(reader);
    }

    public boolean hasChannel(Lease lease) {
        return catalog.find(lease.imageType()).map(ImageSpec::program).map(ImageSpec.Program::channel).orElse(false);
    }

    private ChannelConnection connection(Lease lease) {
        if (!hasChannel(lease)) {
            throw new ProgramException(ProgramException.Kind.NOT_ENABLED, "channel_not_enabled",
                    "image type '" + lease.imageType() + "' has no message channel (its catalog entry does not say channel: true)");
        }
        ChannelConnection connection = open.get(lease.id());
        if (connection == null) {
            throw new ProgramException(ProgramException.Kind.NOT_CONNECTED, "channel_not_connected",
                    "lease " + lease.id() + " is not running, so its program has no channel");
        }
        return connection;
    }

    private void unprompted(LeaseId id, ChannelFrame frame) {
        observer.message(id, frame);
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
