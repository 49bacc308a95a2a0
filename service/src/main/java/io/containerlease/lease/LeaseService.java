package io.containerlease.lease;

import static net.logstash.logback.argument.StructuredArguments.kv;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The only writer of lease state. Every change goes through a conditional transition in the
 * store, so the API, the expiry timers and the reconciler can race on one lease and exactly one
 * of them wins each step. Container removal is handed to {@link ContainerRemovals}, which retries
 * until it succeeds; a lease is marked ENDED only once its container is confirmed gone.
 */
public final class LeaseService {
    private static final Logger log = LoggerFactory.getLogger(LeaseService.class);
    /** How soon an expiry the store could not record is tried again. */
    static final Duration STORE_RETRY = Duration.ofMillis(500);

    /**
     * How a lease's container is made and removed: the catalog's spec, the engine, what is made
     * before the container (its code volume), the retried removal, and whether its image can be had.
     */
    public record Containers(
            ImageTypes catalog,
            ContainerRuntime runtime,
            LeaseResources resources,
            ContainerRemovals removals,
            ImageReadiness images) {
        /** With readiness of its own (tests, and tools that do not show a catalog). */
        public Containers(
                ImageTypes catalog, ContainerRuntime runtime, LeaseResources resources, ContainerRemovals removals) {
            this(catalog, runtime, resources, removals, new ImageReadiness(runtime));
        }
    }

    /**
     * The rules of leasing, from configuration; {@code releaseWait}: how long a release waits for its
     * container to go before answering that removal is still pending (it carries on in the background).
     */
    public record Rules(LeasePolicy policy, Quota quota, Duration releaseWait) {}

    private final LeaseStore store;
    private final Containers containers;
    private final Rules rules;
    private final LeaseTimers timers;
    private final InstantSource clock;
    private final LeaseMeters metrics;
    private final List<LeaseListener> listeners = new CopyOnWriteArrayList<>();
    private final LeaseProvisioning provisioning;

    public LeaseService(
            LeaseStore store,
            Containers containers,
            Rules rules,
            LeaseTimers timers,
            InstantSource clock,
            RandomGenerator random,
            LeaseMeters metrics,
            Redactor redactor) {
        this.store = store;
        this.containers = containers;
        this.rules = rules;
        this.timers = timers;
        this.clock = clock;
        this.metrics = metrics;
        this.provisioning = new LeaseProvisioning(
                store, containers, rules, clock, random, metrics, redactor, new LeaseProvisioning.Service() {
                    @Override
                    public void tell(Consumer<LeaseListener> event) {
                        LeaseService.this.tell(event);
                    }

                    @Override
                    public void armExpiry(LeaseId id, Instant at) {
                        timers.schedule(id, at, () -> expireOrRetry(id));
                    }

                    @Override
                    public CompletableFuture<Void> finishEnding(LeaseId id) {
                        return LeaseService.this.finishEnding(id);
                    }
                });
    }

    /** Whether a provision is being made now (work that can wait leaves the engine to it). */
    public boolean provisionsUnderWay() {
        return provisioning.underWay();
    }

    /** Provisions take a warm pool's container when one can serve them; done while wiring. */
    public void takeWarmContainersFrom(WarmContainers pool) {
        provisioning.takeWarmContainersFrom(pool);
    }

    /** Adds a listener; done while wiring, before the service is used. */
    public void addListener(LeaseListener listener) {
        listeners.add(listener);
    }

    /**
     * Records the lease, then creates and starts its container, then marks it running and arms its
     * expiry timer; or hands over a warm pool's container. On any failure the lease ends as
     * {@code failed} and whatever was created is removed, so a failed provision leaves no container
     * and no live lease.
     *
     * @throws InvalidRequestException for an unknown image type or a duration out of bounds
     * @throws QuotaExceededException  when the caller or the service already has its most live leases
     */
    public Lease provision(ProvisionRequest request, Caller caller) {
        return provisioning.provision(request, caller);
    }

    /** The lease, if the caller may see it; someone else's lease is "not found", so its existence does not leak. */
    public Lease get(LeaseId id, Caller caller) {
        Lease lease = require(id);
        if (!caller.canSee(lease)) {
            throw new LeaseNotFoundException(id);
        }
        return lease;
    }

    /** The caller's leases (an admin's: everyone's). */
    public List<Lease> page(Caller caller, boolean includeEnded, Optional<LeaseId> after, int limit) {
        return store.page(caller.admin() ? Optional.empty() : Optional.of(caller.user()), includeEnded, after, limit);
    }

    /**
     * Adds {@code extension} to the lease's current expiry, clamped to its cap. Concurrent
     * extensions each add their time (compare-and-set on the old expiry, retried).
     *
     * @throws LeaseConflictException when the lease is not running or its time is already up
     */
    public Extended extend(LeaseId id, Duration extension, Caller caller) {
        Lease lease = get(id, caller);
        for (int attempt = 0; attempt < 10; attempt++, lease = require(id)) {
            Instant now = clock.instant();
            if (lease.state() != LeaseState.RUNNING || !lease.expiresAt().isAfter(now)) {
                throw new LeaseConflictException(
                        "lease_not_running",
                        "lease " + id + " is " + describeState(lease, now) + "; only a running lease can be extended");
            }
            LeasePolicy.Extension granted = rules.policy().extend(lease, extension);
            if (granted.expiresAt().equals(lease.expiresAt())) {
                return new Extended(lease, granted);
            }
            if (store.updateExpiry(id, lease.expiresAt(), granted.expiresAt(), now)) {
                timers.schedule(id, granted.expiresAt(), () -> expireOrRetry(id));
                log.info(
                        "lease extended {} {} {}",
                        kv("leaseId", id.value()),
                        kv("expiresAt", granted.expiresAt()),
                        kv("clamped", granted.clamped()));
                Lease extended = require(id);
                tell(l -> l.onExtended(extended));
                return new Extended(extended, granted);
            }
        }
        throw new LeaseConflictException("concurrent_update", "lease " + id + " kept changing; try again");
    }

    /**
     * Ends the lease with reason {@code released} and waits until its container is gone.
     * Idempotent: releasing an ending or ended lease waits for (or reports) the same end.
     *
     * @throws RemovalPendingException when the container is not gone within the release wait;
     *                                 its removal carries on in the background
     */
    public Lease release(LeaseId id, Caller caller) {
        Lease lease = get(id, caller);
        provisioning.awaitProvisioning(id, rules.releaseWait());
        if (lease.state() == LeaseState.ENDED) {
            return lease;
        }
        if (store.beginEnd(id, Set.of(LeaseState.PROVISIONING, LeaseState.RUNNING), EndReason.RELEASED, null)) {
            log.info("lease releasing {}", kv("leaseId", id.value()));
            notifyEnding(id, EndReason.RELEASED);
        }
        timers.cancel(id);
        try {
            finishEnding(id).get(rules.releaseWait().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new RemovalPendingException("the container of lease " + id
                    + " could not be removed yet (is Docker reachable?); removal is retried in the background");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RemovalPendingException("interrupted while removing lease " + id);
        } catch (ExecutionException e) {
            throw new IllegalStateException("ending lease " + id + " failed", e.getCause());
        }
        return require(id);
    }

    /**
     * The expiry timer's callback: starts ending the lease if its stored expiry has passed, or
     * re-arms the timer if the lease was extended (or the timer fired a hair early).
     */
    public CompletableFuture<Void> expire(LeaseId id) {
        Instant now = clock.instant();
        if (store.beginEndIfExpired(id, now)) {
            Lease lease = require(id);
            notifyExpiring(lease, now);
            return finishEnding(id, lease.expiresAt());
        }
        rearmIfExtended(id, now);
        return CompletableFuture.completedFuture(null);
    }

    /**
     * The reconciler's expiries (leases found past their expiry, as after a downtime): recorded in one
     * write, and their removals queued earliest due first, so the removals go at the engine's rate
     * and none waits behind a later one.
     *
     * @return each removal started, completing once its container is gone and its lease ended
     */
    public List<CompletableFuture<Void>> expireAll(List<LeaseId> ids) {
        Instant now = clock.instant();
        Set<LeaseId> moved = store.beginEndIfExpired(ids, now);
        List<Lease> due = moved.stream().map(this::require).toList();
        // Told side by side (what listeners write, such as the activity log, is committed together), each
        // removal queued once its lease is told (an end is never heard before its beginning), by its due time.
        List<CompletableFuture<Void>> removals = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (var telling = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            due.forEach(lease -> telling.execute(() -> {
                notifyExpiring(lease, now);
                removals.add(finishEnding(lease.id(), lease.expiresAt()));
            }));
        }
        ids.stream().filter(id -> !moved.contains(id)).forEach(id -> rearmIfExtended(id, now));
        return removals;
    }

    /** An expired lease recorded as ending: counted, logged and told. */
    private void notifyExpiring(Lease lease, Instant now) {
        metrics.expiryRemovalStarted(Duration.between(lease.expiresAt(), now));
        log.info("lease expiring {}", kv("leaseId", lease.id().value()));
        notifyEnding(lease.id(), EndReason.EXPIRED);
    }

    /** A lease that was not expired after all: extended meanwhile (or a timer fired a hair early), its timer set anew. */
    private void rearmIfExtended(LeaseId id, Instant now) {
        store.find(id)
                .filter(l -> l.state() == LeaseState.RUNNING && l.expiresAt().isAfter(now))
                .ifPresent(l -> timers.schedule(id, l.expiresAt(), () -> expireOrRetry(id)));
    }

    /**
     * What an expiry timer runs: {@link #expire}, asked again every {@link #STORE_RETRY} while the
     * store does not answer, so a lease that came due during an outage ends as soon as the store is back.
     */
    private void expireOrRetry(LeaseId id) {
        try {
            expire(id);
        } catch (StoreException e) {
            log.debug(
                    "lease not expired yet: the store did not answer; trying again {} {}",
                    kv("leaseId", id.value()),
                    kv("error", e.getMessage()));
            timers.schedule(id, clock.instant().plus(STORE_RETRY), () -> expireOrRetry(id));
        }
    }

    /** Removes an ending lease's container (retrying as long as it takes), then marks the lease ended. */
    public CompletableFuture<Void> finishEnding(LeaseId id) {
        return finishEnding(id, clock.instant());
    }

    /** The same, for a container that was due to go at {@code due}: among removals waiting, the earliest due go first. */
    private CompletableFuture<Void> finishEnding(LeaseId id, Instant due) {
        return containers
                .removals()
                .removeUntilGone(ManagedLabels.containerName(id), due)
                .thenRun(() -> markEnded(id));
    }

    /**
     * Ends a running lease as {@code lost} if its container is really gone. The reconciler lists
     * containers before leases, so a container created in between looks missing: checking by name
     * first keeps such a lease alive.
     */
    public void endIfLost(LeaseId id) {
        if (containers.runtime().exists(ManagedLabels.containerName(id))) {
            return;
        }
        if (store.endNow(id, LeaseState.RUNNING, EndReason.LOST, "the container disappeared", clock.instant())) {
            timers.cancel(id);
            metrics.leaseEnded(EndReason.LOST.wireName());
            log.warn("lease lost, its container disappeared {}", kv("leaseId", id.value()));
            notifyEnding(id, EndReason.LOST);
            notifyEnded(id);
        }
    }

    /** Ends a lease left in provisioning by an earlier process, removing anything it created. */
    public CompletableFuture<Void> failInterrupted(LeaseId id) {
        if (provisioning.isInFlight(id)) {
            return CompletableFuture.completedFuture(null);
        }
        if (store.beginEnd(
                id,
                Set.of(LeaseState.PROVISIONING),
                EndReason.FAILED,
                "provisioning was interrupted by a server restart")) {
            log.warn("lease failed, provisioning was interrupted {}", kv("leaseId", id.value()));
            notifyEnding(id, EndReason.FAILED);
            return finishEnding(id);
        }
        return CompletableFuture.completedFuture(null);
    }

    /**
     * Ends a running lease because a session rule fired ({@code disconnected} or {@code idle}), or its
     * program ended and its image type says such a lease ends ({@code exited}), and removes its
     * container. Does nothing if the lease already left RUNNING.
     *
     * @return completes when the container is gone (or at once when nothing was to be done)
     */
    public CompletableFuture<Void> end(LeaseId id, EndReason reason) {
        if (reason != EndReason.DISCONNECTED && reason != EndReason.IDLE && reason != EndReason.EXITED) {
            throw new IllegalArgumentException(
                    "session and exit rules end leases as disconnected, idle or exited, not " + reason);
        }
        if (!store.beginEnd(id, Set.of(LeaseState.RUNNING), reason, null)) {
            return CompletableFuture.completedFuture(null);
        }
        timers.cancel(id);
        log.info("lease ending {} {}", kv("leaseId", id.value()), kv("reason", reason.wireName()));
        notifyEnding(id, reason);
        return finishEnding(id);
    }

    /**
     * Arms an expiry timer for every running lease this server holds and tells listeners they run
     * (its session rules and container state are this server's to keep); called once at start,
     * after the first reconcile pass.
     *
     * @param expiredByThePass leases the first pass found expired and ends itself (no timer for them)
     */
    public void armTimers(Set<LeaseId> expiredByThePass) {
        Set<LeaseId> held = store.held();
        for (Lease lease : store.listLive()) {
            if (lease.state() == LeaseState.RUNNING && held.contains(lease.id())) {
                if (!expiredByThePass.contains(lease.id())) {
                    timers.schedule(lease.id(), lease.expiresAt(), () -> expireOrRetry(lease.id()));
                }
                tell(l -> l.onRecovered(lease));
            }
        }
    }

    /**
     * Takes responsibility for leases another server held until it died: arms the running ones'
     * expiry timers (one that is already due ends at once) and tells listeners they run. Provisioning
     * and ending ones are finished by the next reconcile pass, which now counts them as this server's.
     */
    public void adopt(List<LeaseId> ids) {
        for (LeaseId id : ids) {
            store.find(id).filter(lease -> lease.state() == LeaseState.RUNNING).ifPresent(lease -> {
                timers.schedule(id, lease.expiresAt(), () -> expireOrRetry(id));
                tell(l -> l.onRecovered(lease));
            });
        }
    }

    /** The leases being provisioned by this process at this moment. */
    public Set<LeaseId> inFlight() {
        return provisioning.inFlight();
    }

    public long countLive() {
        return store.countLive();
    }

    private void markEnded(LeaseId id) {
        Instant now = clock.instant();
        if (!store.markEnded(id, now)) {
            return;
        }
        Lease lease = require(id);
        metrics.leaseEnded(lease.endReason().wireName());
        if (lease.endReason() == EndReason.EXPIRED) {
            Duration lag = Duration.between(lease.expiresAt(), now);
            metrics.expiredContainerRemoved(lag);
            log.info(
                    "lease ended {} {} {}",
                    kv("leaseId", id.value()),
                    kv("reason", "expired"),
                    kv("expiryLagMs", lag.toMillis()));
        } else {
            log.info(
                    "lease ended {} {}",
                    kv("leaseId", id.value()),
                    kv("reason", lease.endReason().wireName()));
        }
        tell(l -> l.onEnded(lease));
    }

    /** For a lease that ended at once (nothing to remove). */
    private void notifyEnded(LeaseId id) {
        Lease lease = require(id);
        tell(l -> l.onEnded(lease));
    }

    private void notifyEnding(LeaseId id, EndReason reason) {
        tell(l -> l.onEnding(id, reason));
    }

    private void tell(Consumer<LeaseListener> event) {
        for (LeaseListener listener : listeners) {
            try {
                event.accept(listener);
            } catch (RuntimeException e) {
                log.error("lease listener failed; the lease change stands", e);
            }
        }
    }

    private Lease require(LeaseId id) {
        return store.find(id).orElseThrow(() -> new LeaseNotFoundException(id));
    }

    private static String describeState(Lease lease, Instant now) {
        if (lease.state() == LeaseState.RUNNING) {
            return "expiring";
        }
        return lease.endReason() == null
                ? lease.state().wireName()
                : lease.state().wireName() + " (" + lease.endReason().wireName() + ")";
    }

    /** The outcome of an extension: the lease as stored now, and what was granted. */
    public record Extended(Lease lease, LeasePolicy.Extension granted) {}
}
