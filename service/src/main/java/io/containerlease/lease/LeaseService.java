package io.containerlease.lease;

import static net.logstash.logback.argument.StructuredArguments.kv;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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

    private final LeaseStore store;
    private final ContainerRuntime runtime;
    private final ImageTypes catalog;
    private final LeasePolicy policy;
    private final LeaseTimers timers;
    private final ContainerRemovals removals;
    private final InstantSource clock;
    private final RandomGenerator random;
    private final LeaseMeters metrics;
    private final Duration releaseWait;
    private final Quota quota;
    private final Redactor redactor;
    private final LeaseResources resources;
    private volatile WarmContainers warm = WarmContainers.NONE;
    private final List<LeaseListener> listeners = new CopyOnWriteArrayList<>();
    /** Leases this process is provisioning right now, completed when provisioning returns. */
    private final ConcurrentHashMap<LeaseId, CompletableFuture<Void>> inFlight = new ConcurrentHashMap<>();

    /**
     * @param releaseWait how long a release waits for its container to go before answering that
     *                    removal is still pending (it carries on in the background)
     */
    public LeaseService(
            LeaseStore store,
            ContainerRuntime runtime,
            ImageTypes catalog,
            LeasePolicy policy,
            LeaseTimers timers,
            ContainerRemovals removals,
            InstantSource clock,
            RandomGenerator random,
            LeaseMeters metrics,
            Duration releaseWait,
            Quota quota,
            Redactor redactor,
            LeaseResources resources) {
        this.store = store;
        this.runtime = runtime;
        this.catalog = catalog;
        this.policy = policy;
        this.timers = timers;
        this.removals = removals;
        this.clock = clock;
        this.random = random;
        this.metrics = metrics;
        this.releaseWait = releaseWait;
        this.quota = quota;
        this.redactor = redactor;
        this.resources = resources;
    }

    /** Provisions take a warm pool's container when one can serve them; done while wiring. */
    public void takeWarmContainersFrom(WarmContainers pool) {
        this.warm = pool;
    }

    /** Adds a listener; done while wiring, before the service is used. */
    public void addListener(LeaseListener listener) {
        listeners.add(listener);
    }

    /**
     * Records the lease, then creates and starts its container, then marks it running and arms its
     * expiry timer. On any failure the lease ends as {@code failed} and whatever was created is
     * removed, so a failed provision leaves no container and no live lease.
     *
     * @throws InvalidRequestException for an unknown image type or a duration out of bounds
     * @throws QuotaExceededException  when the caller or the service already has its most live leases
     */
    public Lease provision(ProvisionRequest request, Caller caller) {
        ImageSpec spec = catalog.find(request.imageType())
                .orElseThrow(() -> new InvalidRequestException(
                        "unknown_image_type",
                        "unknown imageType '" + request.imageType() + "'; allowed: "
                                + String.join(", ", catalog.imageTypes())));
        Duration duration = policy.checkDuration(request.duration());
        long startNanos = System.nanoTime();
        Optional<WarmContainers.Warm> ready = warm.take(spec, request);
        if (ready.isPresent()) {
            return provisionWarm(spec, duration, request, caller, ready.get(), startNanos);
        }
        // The store keeps milliseconds; trimming here keeps the timer and the record in agreement.
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        Lease lease = Lease.provisioning(
                LeaseId.generate(now, random),
                spec.imageType(),
                now,
                duration,
                policy.maxLife(),
                request.rules().orElse(spec.sessionDefaults()),
                caller.user());
        LeaseId id = lease.id();
        CompletableFuture<Void> done = new CompletableFuture<>();
        // Registered before the insert, so the reconciler never sees this lease as abandoned.
        inFlight.put(id, done);
        redactor.register(request.secretValues());
        try {
            requireInserted(store.insert(lease, quota), caller);
            log.info(
                    "lease provisioning {} {} {}",
                    kv("leaseId", id.value()),
                    kv("imageType", spec.imageType()),
                    kv("expiresAt", lease.expiresAt()));
            notify(l -> l.onProvisioning(lease));
            try {
                runtime.ensureImage(spec);
            } catch (RuntimeException raw) {
                RuntimeException e = scrubbed(raw);
                // Nothing was created, so the lease can end at once.
                if (store.endNow(id, LeaseState.PROVISIONING, EndReason.FAILED, clientDetail(e), clock.instant())) {
                    metrics.leaseEnded(EndReason.FAILED.wireName());
                    notifyEnding(id, EndReason.FAILED);
                    notifyEnded(id);
                }
                log.warn(
                        "lease failed before its container was created {} {}",
                        kv("leaseId", id.value()),
                        kv("error", e.getMessage()));
                throw e;
            }
            String containerId;
            try {
                ContainerSpec.Mounts mounts = resources.prepare(lease, spec);
                containerId = runtime.createAndStart(new ContainerSpec(
                        ManagedLabels.containerName(id),
                        spec,
                        request.containerEnv(),
                        ManagedLabels.forLease(lease, store.instanceId(), store.serverId()),
                        request.secretFiles(),
                        mounts,
                        Optional.of(policy.containerHardDeadline(lease))));
            } catch (RuntimeException raw) {
                RuntimeException e = scrubbed(raw);
                // The engine may have created the container before failing: remove by name to be sure.
                if (store.beginEnd(id, Set.of(LeaseState.PROVISIONING), EndReason.FAILED, clientDetail(e))) {
                    notifyEnding(id, EndReason.FAILED);
                }
                log.warn(
                        "lease failed, container not started {} {}",
                        kv("leaseId", id.value()),
                        kv("error", e.getMessage()));
                finishEnding(id);
                throw e;
            }
            if (!store.markRunning(id, containerId)) {
                // Released while we were creating it: the release owns the ending, we remove what we made.
                finishEnding(id);
                throw new LeaseConflictException(
                        "lease_ended", "lease " + id + " was released while it was being provisioned");
            }
            metrics.provisioned(Duration.ofNanos(System.nanoTime() - startNanos));
            log.info("lease running {} {}", kv("leaseId", id.value()), kv("containerId", containerId));
            timers.schedule(id, lease.expiresAt(), () -> expireOrRetry(id));
            Lease running = require(id);
            notify(l -> l.onRunning(running));
            return running;
        } finally {
            redactor.forget(request.secretValues());
            inFlight.remove(id);
            done.complete(null);
        }
    }

    private void requireInserted(Quota.Outcome outcome, Caller caller) {
        switch (outcome) {
            case OWNER_FULL ->
                throw new QuotaExceededException(
                        "quota_exceeded",
                        caller.user() + " already has " + quota.perOwner()
                                + " live leases, the most allowed per user (MAX_LEASES_PER_USER); release one first");
            case SERVICE_FULL ->
                throw new QuotaExceededException(
                        "service_full",
                        "the service already runs its most leases (" + quota.total()
                                + ", MAX_LEASES); try again when one ends");
            case INSERTED -> {}
        }
    }

    /**
     * A provision served by a warm pool's container: it runs already, and carries the lease's id, so
     * recording the lease as running (one write) is the whole provision. A kill at any moment leaves
     * either no lease (the container is still the pool's, and is found again at start) or a running
     * lease with its container; never both.
     */
    private Lease provisionWarm(
            ImageSpec spec,
            Duration duration,
            ProvisionRequest request,
            Caller caller,
            WarmContainers.Warm ready,
            long startNanos) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        LeaseId id = ready.leaseId();
        Lease lease = Lease.provisioning(
                        id,
                        spec.imageType(),
                        now,
                        duration,
                        policy.maxLife(),
                        request.rules().orElse(spec.sessionDefaults()),
                        caller.user())
                .runningIn(ready.containerId());
        CompletableFuture<Void> done = new CompletableFuture<>();
        inFlight.put(id, done);
        try {
            Quota.Outcome outcome;
            try {
                outcome = store.insert(lease, quota);
            } catch (RuntimeException e) {
                warm.discard(ready); // recorded or not, no one can tell now: it is never handed out again
                throw e;
            }
            if (outcome != Quota.Outcome.INSERTED) {
                warm.giveBack(ready);
                requireInserted(outcome, caller);
            }
            warm.used(ready);
            metrics.provisioned(Duration.ofNanos(System.nanoTime() - startNanos));
            log.info(
                    "lease running from the warm pool {} {} {}",
                    kv("leaseId", id.value()),
                    kv("imageType", spec.imageType()),
                    kv("expiresAt", lease.expiresAt()));
            timers.schedule(id, lease.expiresAt(), () -> expireOrRetry(id));
            notify(l -> l.onProvisioning(lease));
            notify(l -> l.onRunningFromPool(lease));
            return lease;
        } finally {
            inFlight.remove(id);
            done.complete(null);
        }
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
            LeasePolicy.Extension granted = policy.extend(lease, extension);
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
                notify(l -> l.onExtended(extended));
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
        awaitProvisioning(id);
        if (lease.state() == LeaseState.ENDED) {
            return lease;
        }
        if (store.beginEnd(id, Set.of(LeaseState.PROVISIONING, LeaseState.RUNNING), EndReason.RELEASED, null)) {
            log.info("lease releasing {}", kv("leaseId", id.value()));
            notifyEnding(id, EndReason.RELEASED);
        }
        timers.cancel(id);
        try {
            finishEnding(id).get(releaseWait.toMillis(), TimeUnit.MILLISECONDS);
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
            metrics.expiryRemovalStarted(Duration.between(lease.expiresAt(), now));
            log.info("lease expiring {}", kv("leaseId", id.value()));
            notifyEnding(id, EndReason.EXPIRED);
            return finishEnding(id);
        }
        store.find(id)
                .filter(l -> l.state() == LeaseState.RUNNING && l.expiresAt().isAfter(now))
                .ifPresent(l -> timers.schedule(id, l.expiresAt(), () -> expireOrRetry(id)));
        return CompletableFuture.completedFuture(null);
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
        return removals.removeUntilGone(ManagedLabels.containerName(id)).thenRun(() -> markEnded(id));
    }

    /**
     * Ends a running lease as {@code lost} if its container is really gone. The reconciler lists
     * containers before leases, so a container created in between looks missing: checking by name
     * first keeps such a lease alive.
     */
    public void endIfLost(LeaseId id) {
        if (runtime.exists(ManagedLabels.containerName(id))) {
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
        if (inFlight.containsKey(id)) {
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
     */
    public void armTimers() {
        Set<LeaseId> held = store.held();
        for (Lease lease : store.listLive()) {
            if (lease.state() == LeaseState.RUNNING && held.contains(lease.id())) {
                timers.schedule(lease.id(), lease.expiresAt(), () -> expireOrRetry(lease.id()));
                notify(l -> l.onRecovered(lease));
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
                notify(l -> l.onRecovered(lease));
            });
        }
    }

    /** The leases being provisioned by this process at this moment. */
    public Set<LeaseId> inFlight() {
        return Set.copyOf(inFlight.keySet());
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
        notify(l -> l.onEnded(lease));
    }

    /** For a lease that ended at once (nothing to remove). */
    private void notifyEnded(LeaseId id) {
        Lease lease = require(id);
        notify(l -> l.onEnded(lease));
    }

    /** The same failure with every secret value masked in its message; the cause, which may hold them too, is dropped. */
    /**
     * The failure with every secret masked, in both its client message and the engine's detail (an
     * engine may echo a container's environment back in its error).
     */
    private RuntimeException scrubbed(RuntimeException e) {
        return switch (e) {
            case ImageUnavailableException x ->
                new ImageUnavailableException(redactor.scrub(x.clientMessage()), redactor.scrub(x.detail()), null);
            case RuntimeUnavailableException x ->
                new RuntimeUnavailableException(redactor.scrub(x.clientMessage()), redactor.scrub(x.detail()), null);
            case RuntimeOperationException x ->
                new RuntimeOperationException(redactor.scrub(x.clientMessage()), redactor.scrub(x.detail()), null);
            default ->
                new RuntimeOperationException("the Docker engine failed", redactor.scrub(String.valueOf(e)), null);
        };
    }

    /** What a failed lease's {@code detail} says: the client-safe part only. */
    private static String clientDetail(RuntimeException e) {
        return e instanceof EngineException x ? x.clientMessage() : e.getMessage();
    }

    private void notifyEnding(LeaseId id, EndReason reason) {
        notify(l -> l.onEnding(id, reason));
    }

    private void notify(java.util.function.Consumer<LeaseListener> event) {
        for (LeaseListener listener : listeners) {
            try {
                event.accept(listener);
            } catch (RuntimeException e) {
                log.error("lease listener failed; the lease change stands", e);
            }
        }
    }

    private void awaitProvisioning(LeaseId id) {
        CompletableFuture<Void> provisioning = inFlight.get(id);
        if (provisioning == null) {
            return;
        }
        try {
            provisioning.get(releaseWait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // Still provisioning: the release ends it anyway and provisioning removes what it made.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
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
