package io.containerlease.containers;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.containerlease.lease.ContainerRuntime;
import io.containerlease.lease.EndReason;
import io.containerlease.lease.Lease;
import io.containerlease.lease.LeaseId;
import io.containerlease.lease.LeaseListener;
import io.containerlease.lease.ManagedLabels;
import io.containerlease.lease.RuntimeUnavailableException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What each live lease's container is doing, as last asked of the engine. It is refreshed whenever
 * the engine says something happened to a container (see {@link EngineWatcher}) and after each
 * control action; a refresh asks the engine, so the state held is the engine's, never a guess from
 * an event. Only live leases are tracked: a lease that ends is forgotten, and later events for its
 * container are ignored.
 */
public final class ContainerStates implements LeaseListener {
    private static final Logger log = LoggerFactory.getLogger(ContainerStates.class);

    /** A container's state changed. */
    public record Change(LeaseId id, ContainerStatus from, ContainerStatus to) {}

    /** A container just created and started, until the engine is first asked: its first change is told from here. */
    private static final ContainerStatus FRESH = new ContainerStatus(
            ContainerStatus.State.RUNNING,
            java.util.Optional.empty(),
            false,
            java.util.Optional.empty(),
            java.util.Optional.empty(),
            0,
            java.util.Optional.empty());

    private final ContainerRuntime runtime;
    private final Map<LeaseId, ContainerStatus> statuses = new ConcurrentHashMap<>();
    /** Leases whose container the service stopped (and has not started since): their exit is a stop. */
    private final Set<LeaseId> stoppedByApi = ConcurrentHashMap.newKeySet();
    /** Live leases, each with the lock its refreshes take, so two refreshes never store out of order. */
    private final Map<LeaseId, Object> live = new ConcurrentHashMap<>();

    private final List<Consumer<Change>> listeners = new CopyOnWriteArrayList<>();
    /** Leases another server of a shared store holds: their state is kept here to be read, their changes are that server's to tell. */
    private final Set<LeaseId> quiet = ConcurrentHashMap.newKeySet();

    private volatile java.util.function.BiConsumer<LeaseId, Boolean> stopsElsewhere = (id, stopped) -> {};

    /** A program that crashes and is restarted in a loop is a tenant writing our log: a few lines a minute per lease. */
    private final io.containerlease.lease.LeaseLogBudget logBudget = new io.containerlease.lease.LeaseLogBudget(
            java.time.InstantSource.system(), 10, java.time.Duration.ofSeconds(6));

    public ContainerStates(ContainerRuntime runtime) {
        this.runtime = runtime;
    }

    public void addListener(Consumer<Change> listener) {
        listeners.add(listener);
    }

    /** The last state seen; empty for a lease that is not live (or not seen yet). */
    public Optional<ContainerStatus> status(LeaseId id) {
        return Optional.ofNullable(statuses.get(id));
    }

    /** How many live leases' containers are in each state (every state named, zeros too). */
    public Map<String, Long> countByState() {
        Map<String, Long> counts = new java.util.LinkedHashMap<>();
        for (ContainerStatus.State state : ContainerStatus.State.values()) {
            counts.put(state.wireName(), 0L);
        }
        statuses.values().forEach(s -> counts.merge(s.state().wireName(), 1L, Long::sum));
        return counts;
    }

    /** The live leases tracked here. */
    public Set<LeaseId> tracked() {
        return Set.copyOf(live.keySet());
    }

    /**
     * Asks the engine for the container's state, records it and tells the listeners if it changed.
     * A lease that is not live is left alone (and answers empty).
     *
     * @throws RuntimeUnavailableException when the engine cannot be asked
     */
    public Optional<ContainerStatus> refresh(LeaseId id) {
        Object lock = live.get(id);
        if (lock == null) {
            return Optional.empty();
        }
        ContainerStatus before;
        ContainerStatus now;
        synchronized (lock) {
            if (!live.containsKey(id)) {
                return Optional.empty();
            }
            now = ContainerStatus.of(runtime.inspect(ManagedLabels.containerName(id)), stoppedByApi.contains(id));
            before = statuses.put(id, now);
        }
        if (before != null && !before.equals(now) && !quiet.contains(id) && !firstLookConfirms(before, now)) {
            long heldBack = logBudget.take(id);
            if (heldBack >= 0) {
                log.info(
                        "container state changed {} {} {} {}",
                        kv("leaseId", id.value()),
                        kv("from", before.state().wireName()),
                        kv("to", now.state().wireName()),
                        kv("linesHeldBack", heldBack));
            }
            Change change = new Change(id, before, now);
            for (Consumer<Change> listener : listeners) {
                try {
                    listener.accept(change);
                } catch (RuntimeException e) {
                    log.error("a container state listener failed {}", kv("leaseId", id.value()), e);
                }
            }
        }
        return Optional.of(now);
    }

    /**
     * The first look at a container tracked as {@link #FRESH} that finds it running as assumed (only
     * its start time and such become known) is no change to tell: telling it made a
     * {@code running → running} event for every provision and every lease found again at start.
     */
    private static boolean firstLookConfirms(ContainerStatus before, ContainerStatus now) {
        return before == FRESH && now.state() == FRESH.state() && now.health().equals(FRESH.health());
    }

    /** Refreshes, but an engine that cannot be reached leaves the last state in place (the next event or resync repairs it). */
    public void refreshQuietly(LeaseId id) {
        try {
            refresh(id);
        } catch (RuntimeException e) {
            log.warn("container state not refreshed {} {}", kv("leaseId", id.value()), kv("error", e.getMessage()));
        }
    }

    /** The service is about to stop this container ({@code true}) or start it again ({@code false}). */
    public void stoppedByApi(LeaseId id, boolean stopped) {
        mark(id, stopped);
        stopsElsewhere.accept(id, stopped);
    }

    /**
     * Another server of a shared store is about to stop (or start) the container: the mark counts
     * here too. The caller reads the state again afterwards, in case it was read without the mark.
     */
    public void stoppedElsewhere(LeaseId id, boolean stopped) {
        if (live.containsKey(id)) {
            mark(id, stopped);
        }
    }

    /** Each stop or start through this server's API goes to {@code others} as well (the other servers of a shared store). */
    public void reportStopsTo(java.util.function.BiConsumer<LeaseId, Boolean> others) {
        this.stopsElsewhere = others;
    }

    private void mark(LeaseId id, boolean stopped) {
        if (stopped) {
            stoppedByApi.add(id);
        } else {
            stoppedByApi.remove(id);
        }
    }

    /**
     * Just provisioned: the engine is asked once, so the provision's answer already shows the
     * container as it is (its health check starting, or its program already ended: an event about
     * that may have come before the lease was live here, and been ignored).
     */
    @Override
    public void onRunning(Lease lease) {
        quiet.remove(lease.id());
        track(lease);
        refreshQuietly(lease.id());
    }

    /**
     * A warm pool's container has been running for a while (the pool drops those that stop): the
     * provision answers without asking the engine, which is asked right after, off the request.
     */
    @Override
    public void onRunningFromPool(Lease lease) {
        quiet.remove(lease.id());
        track(lease);
        Thread.ofVirtual().start(() -> refreshQuietly(lease.id()));
    }

    /** Still running after a restart of the service: the event watcher's first pass asks for every such lease. */
    @Override
    public void onRecovered(Lease lease) {
        quiet.remove(lease.id());
        track(lease);
    }

    /**
     * A running lease another server of a shared store holds: its container's state is kept here so
     * that this server shows it too, without telling anyone of its changes (its holder does). Like a
     * recovered lease, it is asked about by the next refresh (the watcher's pass, or its own event).
     */
    public void observe(Lease lease) {
        quiet.add(lease.id());
        track(lease);
    }

    /** A lease that ended on another server: forgotten here too. */
    public void forget(LeaseId id) {
        onEnding(id, EndReason.RELEASED);
    }

    private void track(Lease lease) {
        statuses.putIfAbsent(lease.id(), FRESH); // never over what a refresh already found
        live.putIfAbsent(lease.id(), new Object());
    }

    @Override
    public void onEnding(LeaseId id, EndReason reason) {
        quiet.remove(id);
        logBudget.forget(id);
        Object lock = live.remove(id);
        if (lock != null) {
            synchronized (lock) {
                statuses.remove(id);
                stoppedByApi.remove(id);
            }
        }
    }
}
