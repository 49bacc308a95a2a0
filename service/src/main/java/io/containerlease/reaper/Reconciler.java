package io.containerlease.reaper;

import io.containerlease.lease.Lease;
import io.containerlease.lease.LeaseId;
import io.containerlease.lease.ManagedContainer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The level-triggered safety net as a pure function: given what the engine has, what the store
 * says and what is being provisioned right now, which repairs make the two agree. It looks only at
 * the present state, never at events, so running it twice or after a crash is always safe.
 */
public final class Reconciler {
    private Reconciler() {}

    /**
     * What the reconciler sees. The containers must be listed <em>before</em> the leases are read,
     * and the in-flight set read after: a lease is stored before its container is created, so every
     * listed container's lease is then in the lease list, and no fresh container looks orphaned.
     * The same holds for the leases with resources (channel directories, code volumes), listed with
     * the containers. Only the leases this server {@code held} get decisions; every live lease, whoever
     * holds it, keeps its container and resources. A container without a live lease that another
     * server still alive made is left to that server ({@code ORPHAN_POLICY=conservative}; the
     * aggressive policy passes no servers here).
     */
    public record Snapshot(
            Instant now,
            List<ManagedContainer> containers,
            Set<LeaseId> withResources,
            List<Lease> liveLeases,
            Set<LeaseId> held,
            Set<LeaseId> inFlight,
            Set<String> otherLiveServers,
            Pools pools) {
        public Snapshot {
            otherLiveServers = Set.copyOf(otherLiveServers);
            java.util.Objects.requireNonNull(pools, "pools");
            containers = List.copyOf(containers);
            withResources = Set.copyOf(withResources);
            liveLeases = List.copyOf(liveLeases);
            held = Set.copyOf(held);
            inFlight = Set.copyOf(inFlight);
        }

        public Snapshot(
                Instant now,
                List<ManagedContainer> containers,
                Set<LeaseId> withResources,
                List<Lease> liveLeases,
                Set<LeaseId> held,
                Set<LeaseId> inFlight,
                Set<String> otherLiveServers) {
            this(now, containers, withResources, liveLeases, held, inFlight, otherLiveServers, Pools.NONE);
        }

        /** One server holding every lease, without channel directories or code volumes. */
        public Snapshot(Instant now, List<ManagedContainer> containers, List<Lease> liveLeases, Set<LeaseId> inFlight) {
            this(
                    now,
                    containers,
                    Set.of(),
                    liveLeases,
                    liveLeases.stream().map(Lease::id).collect(java.util.stream.Collectors.toSet()),
                    inFlight,
                    Set.of());
        }
    }

    /**
     * The warm pools' containers, which have no lease yet: this server's {@code members} (read after
     * the leases, with those taken since the pass began: such a container's lease may be too new for
     * the list), and the servers alive now, whose pools are theirs to look after whatever the orphan policy.
     */
    public record Pools(Set<LeaseId> members, Set<String> otherLiveServers) {
        public static final Pools NONE = new Pools(Set.of(), Set.of());

        public Pools {
            members = Set.copyOf(members);
            otherLiveServers = Set.copyOf(otherLiveServers);
        }
    }

    public static List<ReconcileAction> decide(Snapshot snapshot) {
        Set<LeaseId> withContainer = new HashSet<>();
        snapshot.containers().forEach(c -> c.leaseId().ifPresent(withContainer::add));
        Set<LeaseId> live = new HashSet<>();
        List<ReconcileAction> actions = new ArrayList<>();
        for (Lease lease : snapshot.liveLeases()) {
            live.add(lease.id());
            if (!snapshot.held().contains(lease.id())) {
                continue; // another server's to look after; its container is not an orphan either
            }
            ReconcileAction action = decide(lease, withContainer.contains(lease.id()), snapshot);
            if (action != null) {
                actions.add(action);
            }
        }
        for (LeaseId id : snapshot.withResources()) {
            if (!live.contains(id)
                    && !snapshot.inFlight().contains(id)
                    && !snapshot.pools().members().contains(id)) {
                actions.add(new ReconcileAction.ReleaseResources(id));
            }
        }
        for (ManagedContainer container : snapshot.containers()) {
            boolean madeByALiveServer = container
                    .server()
                    .map(snapshot.otherLiveServers()::contains)
                    .orElse(false);
            if (container.pooled()
                    && (container
                                    .leaseId()
                                    .map(snapshot.pools().members()::contains)
                                    .orElse(false)
                            || container
                                    .server()
                                    .map(snapshot.pools().otherLiveServers()::contains)
                                    .orElse(false))) {
                continue; // waiting in a warm pool, this server's or a live one's
            }
            if ((container.leaseId().isEmpty()
                            || !live.contains(container.leaseId().get()))
                    && !madeByALiveServer) {
                actions.add(new ReconcileAction.RemoveOrphan(container.containerId(), container.leaseId()));
            }
        }
        return actions;
    }

    private static ReconcileAction decide(Lease lease, boolean hasContainer, Snapshot snapshot) {
        return switch (lease.state()) {
            case PROVISIONING ->
                snapshot.inFlight().contains(lease.id()) ? null : new ReconcileAction.FailInterrupted(lease.id());
            case RUNNING -> {
                if (!lease.expiresAt().isAfter(snapshot.now())) {
                    yield new ReconcileAction.Expire(lease.id());
                }
                yield hasContainer ? null : new ReconcileAction.CheckLost(lease.id());
            }
            case ENDING -> new ReconcileAction.FinishEnding(lease.id());
            case ENDED -> throw new IllegalArgumentException("ended lease in the live list: " + lease.id());
        };
    }
}
