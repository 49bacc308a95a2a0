package io.containerlease.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.containerlease.cluster.Broadcast;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the event channel one for all the servers sharing a store: each event published here goes
 * out to the others, and each one they publish is recorded here (with an id of this server's) for
 * this server's subscribers. An event is published once, by the server where it happened.
 */
public final class EventRelay implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EventRelay.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final EventHub hub;
    private final String origin;
    private final Broadcast broadcast;
    /** Hears each event another server published, off the broadcast's own thread (it may block). */
    private volatile java.util.function.Consumer<Event> remoteListener = event -> {};

    /** A relayed event as it travels: who sent it, and the event without its (per-server) id. */
    record Wire(String origin, String type, String leaseId, String user, String at, Map<String, Object> data) {}

    public EventRelay(EventHub hub, String origin, Broadcast broadcast) {
        this.hub = hub;
        this.origin = origin;
        this.broadcast = broadcast;
    }

    /** Tells {@code listener} of each event another server publishes (on a thread of its own). */
    public void onRemote(java.util.function.Consumer<Event> listener) {
        this.remoteListener = listener;
    }

    public void start() {
        broadcast.listen(this::receive);
        hub.relayTo(this::send);
    }

    private void send(Event event) {
        try {
            broadcast.send(JSON.writeValueAsString(new Wire(
                    origin,
                    event.type(),
                    event.leaseId(),
                    event.user(),
                    event.at().toString(),
                    event.data())));
        } catch (JsonProcessingException | RuntimeException e) {
            log.warn("an event could not be relayed to the other servers: {}", e.getMessage());
        }
    }

    private void receive(String message) {
        try {
            Wire wire = JSON.readValue(message, new TypeReference<Wire>() {});
            if (wire == null || wire.type() == null || wire.at() == null) {
                // Not an event of a server of ours: nothing is recorded, and no id is spent on it.
                log.warn("a relayed message was not an event; ignored");
                return;
            }
            if (!origin.equals(wire.origin())) {
                Event event = hub.receive(
                        wire.type(),
                        wire.leaseId(),
                        wire.user(),
                        java.time.Instant.parse(wire.at()),
                        wire.data() == null ? Map.of() : new LinkedHashMap<>(wire.data()));
                java.util.function.Consumer<Event> listener = remoteListener;
                Thread.ofVirtual().start(() -> listener.accept(event));
            }
        } catch (JsonProcessingException | RuntimeException e) {
            log.warn("a relayed event could not be read: {}", e.getMessage());
        }
    }

    @Override
    public void close() {
        broadcast.close();
    }
}
