package io.containerlease.lease;

import static net.logstash.logback.argument.StructuredArguments.kv;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The way into a lease, for {@link LeaseService}: a warm pool's container when one waits, otherwise
 * the lease recorded first, then its container made, then the lease marked running. It keeps which
 * provisions are in flight in this process, so a release can wait for one and the reconciler never
 * takes one for abandoned.
 */
final class LeaseProvisioning {
    /** A lease's life logs under one name, however the service is split inside. */
    private static final Logger log = LoggerFactory.getLogger(LeaseService.class);

    /** What provisioning asks of the service it is part of. */
    interface Service {
        /** Tells every listener of a change (one failing listener does not stop the others). */
        void tell(java.util.function.Consumer<LeaseListener> event);

        /** Arms the lease's expiry timer. */
        void armExpiry(LeaseId id, Instant at);

        /** Removes an ending lease's container, then marks it ended. */
        CompletableFuture<Void> finishEnding(LeaseId id);
    }

    private final LeaseStore store;
    private final LeaseService.Containers containers;
    private final LeaseService.Rules rules;
    private final InstantSource clock;
    private final RandomGenerator random;
    private final LeaseMeters metrics;
    private final Redactor redactor;
    private final Service service;
    private volatile WarmContainers warm = WarmContainers.NONE;
    /** Leases this process is provisioning right now, completed when provisioning returns. */
    private final ConcurrentHashMap<LeaseId, CompletableFuture<Void>> inFlight = new ConcurrentHashMap<>();

    LeaseProvisioning(
            LeaseStore store,
            LeaseService.Containers containers,
            LeaseService.Rules rules,
            InstantSource clock,
            RandomGenerator random,
            LeaseMeters metrics,
            Redactor redactor,
            Service service) {
        this.store = store;
        this.containers = containers;
        this.rules = rules;
        this.clock = clock;
        this.random = random;
        this.metrics = metrics;
        this.redactor = redactor;
        this.service = service;
    }

    void takeWarmContainersFrom(WarmContainers pool) {
        this.warm = pool;
    }

    /**
     * Records the lease, then creates and starts its container, then marks it running and arms its
     * expiry timer. On any failure the lease ends as {@code failed} and whatever was created is
     * removed, so a failed provision leaves no container and no live lease.
     *
     * @throws InvalidRequestException for an unknown image type or a duration out of bounds
     * @throws QuotaExceededException  when the caller or the service already has its most live leases
     */
    Lease provision(ProvisionRequest request, Caller caller) {
        ImageSpec spec = containers
                .catalog()
                .find(request.imageType())
                .orElseThrow(() -> new InvalidRequestException(
                        "unknown_image_type",
                        "unknown imageType '" + request.imageType() + "'; allowed: "
                                + String.join(", ", containers.catalog().imageTypes())));
        Duration duration = rules.policy().checkDuration(request.duration());
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
                rules.policy().maxLife(),
                request.rules().orElse(spec.sessionDefaults()),
                caller.user());
        LeaseId id = lease.id();
        CompletableFuture<Void> done = new CompletableFuture<>();
        // Registered before the insert, so the reconciler never sees this lease as abandoned.
        inFlight.put(id, done);
        redactor.register(request.secretValues());
        try {
            requireInserted(store.insert(lease, rules.quota().applyingTo(caller)), caller);
            log.info(
                    "lease provisioning {} {} {}",
                    kv("leaseId", id.value()),
                    kv("imageType", spec.imageType()),
                    kv("expiresAt", lease.expiresAt()));
            service.tell(l -> l.onProvisioning(lease));
            try {
                containers.images().ensure(spec);
            } catch (RuntimeException raw) {
                RuntimeException e = scrubbed(raw);
                // Nothing was created, so the lease can end at once.
                if (store.endNow(id, LeaseState.PROVISIONING, EndReason.FAILED, clientDetail(e), clock.instant())) {
                    metrics.leaseEnded(EndReason.FAILED.wireName());
                    service.tell(l -> l.onEnding(id, EndReason.FAILED));
                    endedAtOnce(id);
                }
                log.warn(
                        "lease failed before its container was created {} {}",
                        kv("leaseId", id.value()),
                        kv("error", e.getMessage()));
                throw e;
            }
            String containerId;
            try {
                ContainerSpec.Mounts mounts = containers.resources().prepare(lease, spec);
                containerId = containers
                        .runtime()
                        .createAndStart(new ContainerSpec(
                                ManagedLabels.containerName(id),
                                spec,
                                request.containerEnv(),
                                ManagedLabels.forLease(lease, store.instanceId(), store.serverId()),
                                request.secretFiles(),
                                mounts,
                                Optional.of(rules.policy().containerHardDeadline(lease))));
            } catch (RuntimeException raw) {
                RuntimeException e = scrubbed(raw);
                // The engine may have created the container before failing: remove by name to be sure.
                if (store.beginEnd(id, Set.of(LeaseState.PROVISIONING), EndReason.FAILED, clientDetail(e))) {
                    service.tell(l -> l.onEnding(id, EndReason.FAILED));
                }
                log.warn(
                        "lease failed, container not started {} {}",
                        kv("leaseId", id.value()),
                        kv("error", e.getMessage()));
                service.finishEnding(id);
                throw e;
            }
            if (!store.markRunning(id, containerId)) {
                // Released while we were creating it: the release owns the ending, we remove what we made.
                service.finishEnding(id);
                throw new LeaseConflictException(
                        "lease_ended", "lease " + id + " was released while it was being provisioned");
            }
            metrics.provisioned(Duration.ofNanos(System.nanoTime() - startNanos));
            log.info("lease running {} {}", kv("leaseId", id.value()), kv("containerId", containerId));
            service.armExpiry(id, lease.expiresAt());
            Lease running = store.find(id).orElseThrow(() -> new LeaseNotFoundException(id));
            service.tell(l -> l.onRunning(running));
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
                        caller.user() + " already has "
                                + rules.quota().applyingTo(caller).perOwner()
                                + " live leases, the most allowed per "
                                + (caller.admin() ? "admin (MAX_LEASES_PER_ADMIN)" : "user (MAX_LEASES_PER_USER)")
                                + "; release one first");
            case SERVICE_FULL ->
                throw new QuotaExceededException(
                        "service_full",
                        "the service already runs its most leases ("
                                + rules.quota().total() + ", MAX_LEASES); try again when one ends");
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
                        rules.policy().maxLife(),
                        request.rules().orElse(spec.sessionDefaults()),
                        caller.user())
                .runningIn(ready.containerId());
        CompletableFuture<Void> done = new CompletableFuture<>();
        inFlight.put(id, done);
        try {
            Quota.Outcome outcome;
            try {
                outcome = store.insert(lease, rules.quota().applyingTo(caller));
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
            service.armExpiry(id, lease.expiresAt());
            service.tell(l -> l.onProvisioning(lease));
            service.tell(l -> l.onRunningFromPool(lease));
            return lease;
        } finally {
            inFlight.remove(id);
            done.complete(null);
        }
    }

    /** For a lease that ended at once (nothing was made to remove). */
    private void endedAtOnce(LeaseId id) {
        store.find(id).ifPresent(lease -> service.tell(l -> l.onEnded(lease)));
    }

    /** The leases being provisioned by this process at this moment. */
    boolean underWay() {
        return !inFlight.isEmpty();
    }

    Set<LeaseId> inFlight() {
        return Set.copyOf(inFlight.keySet());
    }

    boolean isInFlight(LeaseId id) {
        return inFlight.containsKey(id);
    }

    /** Waits up to {@code wait} for the lease's provisioning here to return, if it is in flight. */
    void awaitProvisioning(LeaseId id, Duration wait) {
        CompletableFuture<Void> provisioning = inFlight.get(id);
        if (provisioning == null) {
            return;
        }
        try {
            provisioning.get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // Still provisioning: the release ends it anyway and provisioning removes what it made.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

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
}
