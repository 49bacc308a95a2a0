package io.containerlease.events;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.containerlease.containers.ContainerStates;
import io.containerlease.lease.EndReason;
import io.containerlease.lease.LeaseId;
import io.containerlease.lease.LeaseListener;
import io.containerlease.lease.LeaseState;
import io.containerlease.lease.LeaseStore;
import io.containerlease.program.channel.Channels;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows what happens to leases on the other servers of a shared store, from the events they
 * publish: a lease that runs there is shown here too, its program's messages and connection are
 * heard here, and one that ends there loses what this server kept for it (its connections here are
 * told why and closed).
 */
public final class LeasesElsewhere implements Consumer<Event> {
    private static final Logger log = LoggerFactory.getLogger(LeasesElsewhere.class);

    private final LeaseStore store;
    private final ContainerStates containers;
    private final Channels channels;
    /** What this server keeps for a lease (sessions, channel, container state, usage). */
    private final List<LeaseListener> keptHere;

    public LeasesElsewhere(
            LeaseStore store, ContainerStates containers, Channels channels, List<LeaseListener> keptHere) {
        this.store = store;
        this.containers = containers;
        this.channels = channels;
        this.keptHere = List.copyOf(keptHere);
    }

    /** Shows the containers of the running leases other servers hold (their holders tell their changes). */
    public void showRunning() {
        Set<LeaseId> held = store.held();
        store.listLive().stream()
                .filter(l -> l.state() == LeaseState.RUNNING && !held.contains(l.id()))
                .forEach(containers::observe);
    }

    @Override
    public void accept(Event event) {
        if (event.leaseId() == null || !LeaseId.isValid(event.leaseId())) {
            return;
        }
        LeaseId id = new LeaseId(event.leaseId());
        switch (event.type()) {
            case "lease.running" ->
                store.find(id).filter(l -> l.state() == LeaseState.RUNNING).ifPresent(lease -> {
                    containers.observe(lease);
                    containers.refreshQuietly(id); // it started after this server's watcher first asked
                });
            case "channel.message" -> channels.heardElsewhere(id, EventSources.channelFrameOf(event));
            case "channel.connected", "channel.disconnected" ->
                channels.connectionElsewhere(id, event.type().equals("channel.connected"));
            case "lease.ending", "lease.ended" -> {
                EndReason reason =
                        event.data().get("reason") instanceof String r ? EndReason.fromWireName(r) : EndReason.RELEASED;
                ended(id, reason);
            }
            default -> {}
        }
    }

    private void ended(LeaseId id, EndReason reason) {
        for (LeaseListener listener : keptHere) {
            try {
                listener.onEnding(id, reason);
            } catch (RuntimeException e) {
                log.warn(
                        "could not drop what this server kept for a lease that ended elsewhere {}",
                        kv("leaseId", id.value()),
                        e);
            }
        }
    }
}
