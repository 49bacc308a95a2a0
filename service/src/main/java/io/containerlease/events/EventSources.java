package io.containerlease.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.containerlease.activity.ActivityEntry;
import io.containerlease.containers.ContainerStates;
import io.containerlease.containers.ContainerStatus;
import io.containerlease.lease.EndReason;
import io.containerlease.lease.Lease;
import io.containerlease.lease.LeaseId;
import io.containerlease.lease.LeaseListener;
import io.containerlease.lease.LeaseStore;
import io.containerlease.program.channel.ChannelFrame;
import io.containerlease.program.channel.Channels;
import io.containerlease.program.code.CodeUpdates;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Turns what happens in the service into events on the hub: the lease's life (provisioning,
 * running, extended, expiring, ending, ended), its container's state and health, its program's
 * channel (connected, disconnected, messages) and code updates, and each new activity entry.
 */
public final class EventSources implements LeaseListener, Channels.Observer, CodeUpdates.Observer {
    /** A channel frame's payload is kept in its event up to this many bytes of JSON. */
    public static final int MAX_EVENT_PAYLOAD_BYTES = 16 * 1024;

    private static final ObjectMapper JSON = new ObjectMapper();
    private final EventHub hub;
    private final LeaseStore store;

    public EventSources(EventHub hub, LeaseStore store) {
        this.hub = hub;
        this.store = store;
    }

    @Override
    public void onProvisioning(Lease lease) {
        hub.publish(
                "lease.provisioning",
                lease.id().value(),
                lease.owner(),
                Map.of(
                        "imageType",
                        lease.imageType(),
                        "expiryTime",
                        lease.expiresAt().toString()));
    }

    @Override
    public void onRunning(Lease lease) {
        hub.publish(
                "lease.running",
                lease.id().value(),
                lease.owner(),
                Map.of(
                        "imageType",
                        lease.imageType(),
                        "expiryTime",
                        lease.expiresAt().toString()));
    }

    @Override
    public void onRecovered(Lease lease) {
        // Still running after a restart of the service: nothing changed for its user.
    }

    @Override
    public void onExtended(Lease lease) {
        hub.publish(
                "lease.extended",
                lease.id().value(),
                lease.owner(),
                Map.of("expiryTime", lease.expiresAt().toString()));
    }

    @Override
    public void onEnding(LeaseId id, EndReason reason) {
        hub.publish("lease.ending", id.value(), owner(id), Map.of("reason", reason.wireName()));
    }

    @Override
    public void onEnded(Lease lease) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("reason", lease.endReason().wireName());
        if (lease.detail() != null) {
            data.put("detail", lease.detail());
        }
        hub.publish("lease.ended", lease.id().value(), lease.owner(), data);
    }

    /** An expiry warning went out to the lease's sockets. */
    public void expiring(LeaseId id, Instant expiry, long secondsLeft) {
        hub.publish(
                "lease.expiring",
                id.value(),
                owner(id),
                Map.of("expiryTime", expiry.toString(), "secondsLeft", secondsLeft));
    }

    public void containerChanged(ContainerStates.Change change) {
        String owner = owner(change.id());
        ContainerStatus from = change.from();
        ContainerStatus to = change.to();
        if (from.state() != to.state()
                || from.oomKilled() != to.oomKilled()
                || from.restartCount() != to.restartCount()) {
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("from", from.state().wireName());
            data.put("to", to.state().wireName());
            to.exitCode().ifPresent(code -> data.put("exitCode", code));
            data.put("oomKilled", to.oomKilled());
            data.put("restartCount", to.restartCount());
            hub.publish("container.state", change.id().value(), owner, data);
        }
        if (!from.health().equals(to.health()) && to.health().isPresent()) {
            hub.publish(
                    "container.health",
                    change.id().value(),
                    owner,
                    Map.of("health", to.health().get().wireName()));
        }
    }

    /**
     * A frame the program sent unprompted. Its payload is kept in the event only up to
     * {@link #MAX_EVENT_PAYLOAD_BYTES} of JSON: a larger one is named by its size ({@code truncated:
     * true, payloadBytes}), so a program's big frames cost the history and every subscriber little
     * (the lease's duplex socket still carries them whole).
     */
    @Override
    public void message(LeaseId id, ChannelFrame frame) {
        Map<String, Object> data = new LinkedHashMap<>();
        if (frame.id() != null) {
            data.put("id", frame.id());
        }
        data.put("type", frame.type());
        long payloadBytes = jsonBytesOver(frame.payload(), MAX_EVENT_PAYLOAD_BYTES);
        if (payloadBytes <= MAX_EVENT_PAYLOAD_BYTES) {
            data.put("payload", frame.payload());
        } else {
            data.put("payload", null);
            data.put("truncated", true);
            data.put("payloadBytes", payloadBytes);
        }
        hub.publish("channel.message", id.value(), owner(id), data);
    }

    /** The frame a {@code channel.message} event carries (its payload null when it was too big to keep). */
    static ChannelFrame channelFrameOf(Event event) {
        return new ChannelFrame(
                event.data().get("id") instanceof String frameId ? frameId : null,
                String.valueOf(event.data().getOrDefault("type", "message")),
                JSON.valueToTree(event.data().get("payload")));
    }

    /** The bytes of {@code payload} as JSON, measured exactly only when its in-memory estimate says it may be over {@code limit}. */
    private static long jsonBytesOver(JsonNode payload, long limit) {
        if (EventSizes.json(payload, limit + 1) <= limit) {
            return 0;
        }
        try {
            return JSON.writeValueAsBytes(payload).length;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serialises", e);
        }
    }

    @Override
    public void connection(LeaseId id, boolean connected) {
        hub.publish(connected ? "channel.connected" : "channel.disconnected", id.value(), owner(id), Map.of());
    }

    @Override
    public void updating(Lease lease, int version, String origin) {
        hub.publish("code.updating", lease.id().value(), lease.owner(), Map.of("version", version, "origin", origin));
    }

    @Override
    public void finished(Lease lease, CodeUpdates.Outcome outcome) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("version", outcome.version());
        outcome.reason().ifPresent(reason -> data.put("reason", reason));
        hub.publish("code." + outcome.status(), lease.id().value(), lease.owner(), data);
    }

    public void activity(ActivityEntry entry) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("action", entry.action());
        data.put("outcome", entry.outcome());
        if (entry.reason() != null) {
            data.put("reason", entry.reason());
        }
        hub.publish("activity", entry.leaseId(), entry.user(), data);
    }

    private String owner(LeaseId id) {
        return store.find(id).map(Lease::owner).orElse(null);
    }
}
