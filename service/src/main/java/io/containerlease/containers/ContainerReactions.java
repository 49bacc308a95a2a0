package io.containerlease.containers;

import io.containerlease.lease.EndReason;
import io.containerlease.lease.ImageSpec;
import io.containerlease.lease.ImageTypes;
import io.containerlease.lease.LeaseId;
import io.containerlease.lease.LeaseService;
import io.containerlease.lease.LeaseStore;
import io.containerlease.session.IdleTimers;
import io.containerlease.session.LeaseConnections;
import io.containerlease.session.LogStreams;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * What follows from a container changing state: its lease's open sockets are told; a log stream
 * picks up again when the container runs again; a lease whose image type says {@code onExit: end}
 * ends when its program ends by itself; and, where the image type asks for it, time spent paused
 * does not count as idle.
 */
public final class ContainerReactions implements Consumer<ContainerStates.Change> {
    private final LeaseService leases;
    private final LeaseStore store;
    private final ImageTypes catalog;
    private final LeaseConnections connections;
    private final LogStreams logs;
    private final IdleTimers idle;

    public ContainerReactions(
            LeaseService leases,
            LeaseStore store,
            ImageTypes catalog,
            LeaseConnections connections,
            LogStreams logs,
            IdleTimers idle) {
        this.leases = leases;
        this.store = store;
        this.catalog = catalog;
        this.connections = connections;
        this.logs = logs;
        this.idle = idle;
    }

    @Override
    public void accept(ContainerStates.Change change) {
        LeaseId id = change.id();
        ContainerStatus.State from = change.from().state();
        ContainerStatus.State to = change.to().state();
        connections.broadcast(id, message(change.to()));
        if (to == ContainerStatus.State.RUNNING && from != ContainerStatus.State.PAUSED) {
            logs.containerStarted(id);
        }
        ImageSpec.Lifecycle lifecycle = lifecycle(id);
        if (to == ContainerStatus.State.EXITED && lifecycle.onExit() == ImageSpec.OnExit.END) {
            leases.end(id, EndReason.EXITED);
        }
        if (lifecycle.pauseStopsIdle()) {
            if (to == ContainerStatus.State.PAUSED) {
                idle.forget(id);
            } else if (from == ContainerStatus.State.PAUSED) {
                store.find(id).ifPresent(idle::start); // the idle clock starts afresh: paused time never counted
            }
        }
    }

    private ImageSpec.Lifecycle lifecycle(LeaseId id) {
        return store.find(id)
                .flatMap(lease -> catalog.find(lease.imageType()))
                .map(ImageSpec::lifecycle)
                .orElse(ImageSpec.Lifecycle.DEFAULT);
    }

    /**
     * {@code {type: "container", state, exitCode?, oomKilled, health?}} to the lease's terminals and log
     * readers ({@code oomKilled} always: a start clears it, and a reader merging messages must hear that).
     */
    static Map<String, Object> message(ContainerStatus status) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("type", "container");
        out.put("state", status.state().wireName());
        status.exitCode().ifPresent(code -> out.put("exitCode", code));
        out.put("oomKilled", status.oomKilled());
        status.health().ifPresent(h -> out.put("health", h.wireName()));
        return out;
    }
}
