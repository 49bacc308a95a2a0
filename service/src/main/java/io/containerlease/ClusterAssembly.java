package io.containerlease;

import io.containerlease.cluster.Heartbeats;
import io.containerlease.cluster.InstanceWatch;
import io.containerlease.cluster.SharedRateLimit;
import io.containerlease.config.ServiceConfig;
import io.containerlease.containers.StopRelay;
import io.containerlease.events.EventRelay;
import io.containerlease.events.LeasesElsewhere;
import io.containerlease.program.channel.ChannelRelay;
import io.containerlease.reaper.ReaperLoop;
import io.containerlease.session.SessionRelay;
import io.containerlease.store.SharedStore;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Several servers on one shared store, decided once: when the store is shared, this is the one place
 * that beats and takes over dead servers' leases ({@link InstanceWatch}), relays what one server must
 * know of another's leases (events, sessions, channel messages, stops), and follows the leases the
 * others hold; alone, it is nothing.
 *
 * @param peers the other servers, as the reconciler sees them
 * @param rateLimit the request allowance all the servers draw from
 * @param followOthers shows the leases the others hold and starts following their changes (after the first pass)
 */
record ClusterAssembly(ReaperLoop.Peers peers, Optional<SharedRateLimit> rateLimit, Runnable followOthers) {
    static final ClusterAssembly ALONE = new ClusterAssembly(ReaperLoop.Peers.NONE, Optional.empty(), () -> {});

    static ClusterAssembly join(
            CoreAssembly core,
            EventAssembly events,
            SessionAssembly sessions,
            ProgramAssembly program,
            ContainerAssembly containers,
            Started started) {
        Optional<SharedStore> shared = core.shared();
        if (shared.isEmpty()) {
            return ALONE;
        }
        SharedStore store = shared.get();
        String self = store.serverId();
        // One event channel for all the servers of the store.
        var eventRelay = started.add(new EventRelay(events.hub(), self, store.broadcast("events")));
        eventRelay.start();
        // A channel is one connection, the holder's: other servers ask it.
        var channelRelay = started.add(new ChannelRelay(
                self, store.broadcast("channels"), program.channels(), core.store()::holder, core.store()::find));
        channelRelay.start();
        // A lease's connections and activity count wherever they arrive.
        var sessionRelay = started.add(new SessionRelay(
                self,
                store.broadcast("sessions"),
                sessions.connections(),
                sessions.idle(),
                core.scheduler(),
                core.base().clock()));
        sessionRelay.start();
        // A stop through any server is a stop to the holder, not an exit.
        var stopRelay = started.add(new StopRelay(self, store.broadcast("stops"), containers.states()));
        stopRelay.start();
        // Beats, and takes over the leases of servers that stopped beating, before this one acts on anything.
        Heartbeats heartbeats = store.heartbeats();
        var watch = started.add(new InstanceWatch(
                heartbeats,
                core.store(),
                core.leases(),
                self,
                core.engine().engineId().get(),
                core.config().heartbeat(),
                core.scheduler()));
        watch.start();
        var peers = new ReaperLoop.Peers(
                watch::actingSince,
                core.config().orphanPolicy() == ServiceConfig.OrphanPolicy.CONSERVATIVE
                        ? () -> heartbeats.alive(self)
                        : Set::of,
                () -> heartbeats.alive(self));
        // What this server keeps for a lease (sessions, channel, container state, usage) goes when it ends elsewhere.
        var elsewhere = new LeasesElsewhere(
                core.store(),
                containers.states(),
                program.channels(),
                List.of(sessions.lifecycle(), program.channels(), containers.states(), containers.usage()));
        Runnable followOthers = () -> {
            elsewhere.showRunning();
            eventRelay.onRemote(elsewhere);
        };
        return new ClusterAssembly(peers, Optional.of(store.rateLimit()), followOthers);
    }
}
