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

    /**
     * A container just created and started, until the engine is first asked (or says it started):
     * running, its health check (where its image type has one) starting.
     */
    private static ContainerStatus fresh(boolean healthChecked) {
        return new ContainerStatus(
                ContainerStatus.State.RUNNING,
                Optional.empty(),
                false,
                Optional.empty(),
                Optional.empty(),
                0,
                healthChecked ? Optional.of(ContainerStatus.Health.STARTING) : Optional.empty());
    }

    /**
     * What the engine's events say about a container without changing its state: a shell, a file
     * transfer or a preview starts an exec, and asking the engine for each would be three calls for nothing.
     */
    private static final Set<String> STATELESS_ACTIONS =
            Set.of("attach", "detach", "resize", "top", "copy", "archive-path", "extract-to-dir", "export", "commit");

    /** Most leases remembered as heard of before they were tracked (a bound in entries, each a few dozen bytes). */
    private static final int HEARD_EARLY_MAX = 1024;

    private final ContainerRuntime runtime;
    /** Whether an image type's containers have a health check. */
    private final java.util.function.Predicate<String> healthChecked;
    /** Leases whose state is assumed (fresh, or told by a start event), not yet read from the engine. */
    private final Set<LeaseId> assumed = ConcurrentHashMap.newKeySet();
    /**
     * Leases the engine told of (a stop, a death) before they were tracked here: a provision's
     * container whose program ended at once. Their first tracking asks the engine. The value says
     * whether one of those events was an out-of-memory kill.
     */
    private final Map<LeaseId, Boolean> heardEarly = new java.util.LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<LeaseId, Boolean> eldest) {
            return size() > HEARD_EARLY_MAX;
        }
    };

    private final Map<LeaseId, ContainerStatus> statuses = new ConcurrentHashMap<>();
    /**
     * Leases whose container had a process killed for memory since it last started, as the engine's
     * {@code oom} event said. The engine's own flag is set only when the container ends, and only
     * where its exit was heard after the kill (the two come apart under load, and a program whose child
     * was killed goes on running): the event is what the service goes by.
     */
    private final Set<LeaseId> killedForMemory = ConcurrentHashMap.newKeySet();
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

    /** @param healthChecked whether an image type's containers have a health check (their fresh state says it starts) */
    public ContainerStates(ContainerRuntime runtime, java.util.function.Predicate<String> healthChecked) {
        this.runtime = runtime;
        this.healthChecked = healthChecked;
    }

    /** For image types without health checks. */
    public ContainerStates(ContainerRuntime runtime) {
        this(runtime, type -> false);
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
        boolean wasAssumed;
        synchronized (lock) {
            if (!live.containsKey(id)) {
                return Optional.empty();
            }
            now = ContainerStatus.of(runtime.inspect(ManagedLabels.containerName(id)), stoppedByApi.contains(id));
            if (killedForMemory.contains(id)) {
                now = now.killedForMemory();
            }
            before = statuses.put(id, now);
            wasAssumed = assumed.remove(id);
        }
        if (before != null
                && !before.equals(now)
                && !quiet.contains(id)
                && !(wasAssumed && firstLookConfirms(before, now))) {
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
     * The first look at a container whose state was assumed that finds it running as assumed (only
     * its start time and such become known) is no change to tell: telling it made a
     * {@code running → running} event for every provision and every lease found again at start.
     */
    private static boolean firstLookConfirms(ContainerStatus before, ContainerStatus now) {
        return now.state() == before.state() && now.health().equals(before.health());
    }

    /**
     * What the engine's event stream said happened to a lease's container. Most events make the
     * state be read again; a start of a container whose state is assumed running says all there is
     * (its time), and events that change no state are let pass, so a provision costs the engine no
     * more calls than a raw create and start. Runs on the watcher's one worker, in the engine's order.
     */
    public void engineSaid(LeaseId id, String action, java.time.Instant at) {
        if (action.startsWith("exec_") || STATELESS_ACTIONS.contains(action)) {
            return;
        }
        boolean beginning = action.equals("create") || action.equals("start");
        boolean oom = action.equals("oom");
        if (!beginning) {
            // Remembered before looking whether it is tracked; track() looks here after tracking: one of the two sees
            // it.
            synchronized (heardEarly) {
                heardEarly.merge(id, oom, Boolean::logicalOr);
            }
        }
        Object lock = live.get(id);
        if (lock == null) {
            return;
        }
        if (oom && !killedForMemory.add(id)) {
            // Known already since its start: a program killed for memory in a loop costs one engine call, not one each.
            return;
        }
        if (action.equals("start")) {
            killedForMemory.remove(id); // a new run, as the engine's own flag
        }
        if (beginning) {
            synchronized (lock) {
                ContainerStatus known = statuses.get(id);
                if (known != null && assumed.contains(id)) {
                    if (action.equals("start")) {
                        statuses.put(id, startedAt(known, at));
                    }
                    return;
                }
            }
        }
        refreshQuietly(id);
    }

    private static ContainerStatus startedAt(ContainerStatus s, java.time.Instant at) {
        return new ContainerStatus(
                s.state(), s.exitCode(), s.oomKilled(), Optional.of(at), s.finishedAt(), s.restartCount(), s.health());
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
     * Just provisioned: running, as the engine's answer to the start said (its health check starting
     * where it has one). The engine is asked only when it told of something else before the lease was
     * tracked here (its program ended at once); its start event gives the start time.
     */
    @Override
    public void onRunning(Lease lease) {
        quiet.remove(lease.id());
        track(lease);
        Boolean heard;
        synchronized (heardEarly) {
            heard = heardEarly.remove(lease.id());
        }
        if (heard != null) {
            if (heard) {
                killedForMemory.add(lease.id());
            }
            refreshQuietly(lease.id());
        }
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
        Object lock = live.computeIfAbsent(lease.id(), id -> new Object());
        synchronized (lock) {
            // never over what a refresh already found
            if (statuses.putIfAbsent(lease.id(), fresh(healthChecked.test(lease.imageType()))) == null) {
                assumed.add(lease.id());
            }
        }
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
                assumed.remove(id);
                killedForMemory.remove(id);
            }
        }
    }
}
