package io.containerlease.reaper;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.containerlease.lease.ContainerRemovals;
import io.containerlease.lease.ContainerRuntime;
import io.containerlease.lease.LeaseId;
import io.containerlease.lease.LeaseResources;
import io.containerlease.lease.LeaseService;
import io.containerlease.lease.LeaseStore;
import io.containerlease.lease.ManagedContainer;
import io.containerlease.metrics.LeaseMetrics;
import io.containerlease.schedule.PeriodicTask;
import io.containerlease.schedule.TaskScheduler;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the reconcile pass at start and then every interval: takes a {@link Reconciler.Snapshot},
 * asks the {@link Reconciler} what to repair, and applies each action through the lease service.
 * A pass that fails (Docker down, say) is logged and the next one runs on schedule.
 */
public final class ReaperLoop implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ReaperLoop.class);

    /** Actions that failed, with their cause: one that keeps failing the same way is logged once, not every pass. */
    private final java.util.Map<ReconcileAction, String> failing = new java.util.concurrent.ConcurrentHashMap<>();

    private final ContainerRuntime runtime;
    private final LeaseStore store;
    private final LeaseService leases;
    private final ContainerRemovals removals;
    private final Duration interval;
    private final InstantSource clock;
    private final LeaseMetrics metrics;
    private final PeriodicTask periodic;
    private final LeaseResources resources;
    private final Peers peers;

    /**
     * What the reconciler needs to know of the other servers on a shared store: whether this one's
     * heartbeat has been current all along since a moment ({@link System#nanoTime()}), and which
     * other servers are alive: under the conservative policy their orphans are theirs to judge
     * ({@code otherLiveServers}, empty under the aggressive one), and under either their warm pools
     * are theirs ({@code liveServers}).
     */
    public record Peers(
            java.util.function.LongPredicate actingSince,
            java.util.function.Supplier<Set<String>> otherLiveServers,
            java.util.function.Supplier<Set<String>> liveServers) {
        /** A server that has its store alone. */
        public static final Peers NONE = new Peers(since -> true, Set::of, Set::of);
    }

    /** This server's warm-pool containers (and those taken since a pass began, given in {@link System#nanoTime}): none by default. */
    private volatile java.util.function.LongFunction<Set<LeaseId>> pooled = since -> Set.of();

    /** The warm pool's containers are its own, not orphans. */
    public void keepPooled(java.util.function.LongFunction<Set<LeaseId>> pooled) {
        this.pooled = pooled;
    }

    /**
     * @param containers the engine whose containers are ours by label, their removal, and what is made
     *     beside each (volumes) and goes with it
     */
    public ReaperLoop(
            LeaseStore store,
            LeaseService leases,
            LeaseService.Containers containers,
            TaskScheduler scheduler,
            Duration interval,
            InstantSource clock,
            LeaseMetrics metrics,
            Peers peers) {
        this.resources = containers.resources();
        this.peers = peers;
        this.runtime = containers.runtime();
        this.store = store;
        this.leases = leases;
        this.removals = containers.removals();
        this.interval = interval;
        this.clock = clock;
        this.metrics = metrics;
        this.periodic = new PeriodicTask(scheduler, interval, this::runOnce, e -> {
            metrics.reconcilePass("failed");
            log.warn(
                    "reconcile pass failed; retrying next interval {} {}",
                    kv("intervalS", interval.toSeconds()),
                    kv("error", e.getMessage()));
        });
    }

    /**
     * What a pass found: every repair but expiries, started ({@code repairs}: orphans, interrupted
     * provisions...; completes when their containers are gone), and the leases it found past their
     * expiry, ended by {@code expire} (recorded in one write, removals queued earliest due first;
     * what it returns completes when they are gone). The start-up pass runs {@code expire} once the
     * API is open, so hundreds of removals after a downtime do not slow the start.
     */
    public record Pass(
            CompletableFuture<Void> repairs,
            Set<LeaseId> expired,
            java.util.function.Supplier<CompletableFuture<Void>> expire) {}

    /**
     * One reconcile pass. Returns a future that completes when every removal the pass started has
     * finished.
     *
     * @throws RuntimeException when the engine or the store cannot be read; nothing was changed then
     */
    public CompletableFuture<Void> runOnce() {
        Pass pass = pass();
        return CompletableFuture.allOf(pass.repairs(), pass.expire().get());
    }

    /**
     * One reconcile pass, its expiries apart: the start-up pass waits a moment for its repairs (so
     * the API opens without the orphans it found), and ends what expired while the server was down
     * once the API is open.
     *
     * @throws RuntimeException when the engine or the store cannot be read; nothing was changed then
     */
    public Pass pass() {
        long seenAt = System.nanoTime();
        // Order matters; see Reconciler.Snapshot.
        List<ManagedContainer> containers = runtime.listManaged(store.instanceId());
        var withResources = resources.held();
        List<io.containerlease.lease.Lease> live = store.listLive();
        var snapshot = new Reconciler.Snapshot(
                clock.instant(),
                containers,
                withResources,
                live,
                store.held(),
                leases.inFlight(),
                peers.otherLiveServers().get(),
                new Reconciler.Pools(pooled.apply(seenAt), peers.liveServers().get()));
        List<ReconcileAction> actions = Reconciler.decide(snapshot);
        if (!actions.isEmpty() && !peers.actingSince().test(seenAt)) {
            // Paused past its heartbeat (another server may have taken over): what it saw may be stale.
            log.warn(
                    "reconcile pass skipped: this server's heartbeat is not current {}", kv("actions", actions.size()));
            metrics.reconcilePass("failed");
            return new Pass(
                    CompletableFuture.completedFuture(null), Set.of(), () -> CompletableFuture.completedFuture(null));
        }
        List<CompletableFuture<Void>> started = new ArrayList<>();
        failing.keySet().retainAll(actions); // what no longer needs doing is no longer failing
        boolean onlyRepeats = !actions.isEmpty() && failing.keySet().containsAll(actions);
        for (ReconcileAction action : actions) {
            if (action instanceof ReconcileAction.Expire) {
                continue; // all of them together, by the pass's expire step (below)
            }
            if (!peers.actingSince().test(seenAt)) {
                break; // paused meanwhile: the rest waits for a pass on fresh eyes
            }
            try {
                started.add(apply(action));
                failing.remove(action);
            } catch (RuntimeException e) {
                String cause = String.valueOf(e.getMessage());
                if (!cause.equals(failing.put(action, cause))) {
                    log.warn(
                            "reconcile action failed; every pass retries it, and it is reported again only if its cause changes {} {}",
                            kv("action", action.toString()),
                            kv("error", cause));
                }
            }
        }
        if (!actions.isEmpty() && !onlyRepeats) {
            log.info(
                    "reconcile pass repaired differences {} {} {}",
                    kv("containers", containers.size()),
                    kv("liveLeases", snapshot.liveLeases().size()),
                    kv("actions", actions.size()));
        }
        metrics.reconcilePass(actions.isEmpty() ? "clean" : "repaired");
        List<ReconcileAction.Expire> due = actions.stream()
                .filter(ReconcileAction.Expire.class::isInstance)
                .map(ReconcileAction.Expire.class::cast)
                .toList();
        Set<LeaseId> expired = due.stream()
                .map(ReconcileAction.Expire::leaseId)
                .collect(java.util.stream.Collectors.toUnmodifiableSet());
        return new Pass(CompletableFuture.allOf(started.toArray(CompletableFuture[]::new)), expired, () -> {
            if (!peers.actingSince().test(seenAt)) {
                return CompletableFuture.completedFuture(null); // paused meanwhile: the next pass sees afresh
            }
            return CompletableFuture.allOf(expireAll(due).toArray(CompletableFuture[]::new));
        });
    }

    /**
     * The pass's expiries, recorded in one write (after a downtime, hundreds may be due at once) and
     * removed earliest due first; a failure marks each of them failing, as one action's would.
     */
    private List<CompletableFuture<Void>> expireAll(List<ReconcileAction.Expire> due) {
        if (due.isEmpty()) {
            return List.of();
        }
        try {
            List<CompletableFuture<Void>> removals = leases.expireAll(
                    due.stream().map(ReconcileAction.Expire::leaseId).toList());
            due.forEach(failing::remove);
            return removals;
        } catch (RuntimeException e) {
            String cause = String.valueOf(e.getMessage());
            boolean changed = false;
            for (ReconcileAction.Expire action : due) {
                changed |= !cause.equals(failing.put(action, cause));
            }
            if (changed) {
                log.warn(
                        "recording expiries failed; every pass retries them {} {}",
                        kv("leases", due.size()),
                        kv("error", cause));
            }
            return List.of();
        }
    }

    private CompletableFuture<Void> apply(ReconcileAction action) {
        return switch (action) {
            case ReconcileAction.Expire a ->
                throw new IllegalStateException("expiries are ended together by the pass, not one by one");
            case ReconcileAction.CheckLost a -> {
                leases.endIfLost(a.leaseId());
                yield CompletableFuture.completedFuture(null);
            }
            case ReconcileAction.FailInterrupted a -> leases.failInterrupted(a.leaseId());
            case ReconcileAction.FinishEnding a -> leases.finishEnding(a.leaseId());
            case ReconcileAction.ReleaseResources a -> {
                if (!failing.containsKey(a)) {
                    log.info(
                            "removing an ended lease's code volume and kept versions {}",
                            kv("leaseId", a.leaseId().value()));
                }
                resources.release(a.leaseId());
                yield CompletableFuture.completedFuture(null);
            }
            case ReconcileAction.RemoveOrphan a -> {
                log.info(
                        "removing orphan container {} {}",
                        kv("containerId", a.containerId()),
                        kv("leaseId", a.leaseId().map(LeaseId::value).orElse("none")));
                yield removals.removeUntilGone(a.containerId(), clock.instant());
            }
        };
    }

    /** Schedules passes every interval, the first one interval from now. */
    public void start() {
        periodic.start(interval);
    }

    @Override
    public void close() {
        periodic.close();
    }
}
