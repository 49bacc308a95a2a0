package io.containerlease.pool;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.containerlease.lease.ImageSpec;
import io.containerlease.lease.LeaseId;
import io.containerlease.lease.LeaseService;
import io.containerlease.lease.LeaseStore;
import io.containerlease.lease.ManagedContainer;
import io.containerlease.lease.ManagedLabels;
import io.containerlease.lease.ProvisionRequest;
import io.containerlease.lease.WarmContainers;
import io.containerlease.schedule.PeriodicTask;
import io.containerlease.schedule.TaskScheduler;
import java.time.Duration;
import java.time.InstantSource;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps, for each image type whose catalog entry asks for {@code warmPool: N}, at least N containers
 * created, started and hardened exactly as a lease's would be, each already named and labelled for
 * the lease id it will get; a provision that one can serve takes it (see {@link WarmContainers}).
 * Taken containers are replaced in the background, a few at a time. The pool follows demand
 * ({@link PoolDemand}): the provisions of the last minute raise a type's target up to its
 * {@code warmPoolMax}, and a quiet minute brings it back to N, the surplus removed oldest first.
 *
 * <p>The pool's containers are labelled as this server's ({@link ManagedLabels#POOL}). After a
 * restart they are taken back into the pool when still running and not leased (the store has no
 * lease with their id); the rest are removed. The reconciler leaves alone what {@link #protectedSince}
 * names, so a container is never removed while it waits here or while its lease is being recorded.
 */
public final class WarmPool implements WarmContainers, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WarmPool.class);
    /** How long a taken container stays protected from the reconciler: longer than any pass takes. */
    private static final Duration LEFT_REMEMBERED = Duration.ofMinutes(10);
    /**
     * A refill waits until no container has been taken for this long (at most {@link #REFILL_HOLD_MAX}):
     * an engine create and start costs far more CPU than a claim, and on a small machine refills begun
     * in the middle of a burst of claims made the burst's last claims wait for the CPU.
     */
    private static final Duration REFILL_QUIET = Duration.ofMillis(100);

    private static final Duration REFILL_HOLD_MAX = Duration.ofSeconds(1);

    /** A container waiting in the pool, and when it was made. */
    private record Member(LeaseId id, String containerId, String imageType, java.time.Instant madeAt) {}

    private final PoolSettings settings;
    private final PoolContainers engine;
    private final LeaseStore store;
    private final InstantSource clock;
    private final RandomGenerator random;
    private final PoolMeters meters;
    private final Map<String, ConcurrentLinkedDeque<Member>> available = new ConcurrentHashMap<>();
    /** Waiting, or taken and not yet settled: every container the pool is answerable for. */
    private final Map<LeaseId, Member> members = new ConcurrentHashMap<>();
    /** Being made right now (no container id yet). */
    private final Set<LeaseId> creating = ConcurrentHashMap.newKeySet();
    /** When each taken container left the pool (by the machinery's nanoTime). */
    private final Map<LeaseId, Long> leftAt = new ConcurrentHashMap<>();

    private final Map<String, AtomicInteger> filling = new ConcurrentHashMap<>();
    /** Held while counting what a type has (waiting and being made) and while one moves between the two. */
    private final Object counting = new Object();

    private final Semaphore makers;
    private final ExecutorService workers;
    private final LongSupplier nanoTime;
    private final PoolMachinery.Sleeper sleeper;
    private final PeriodicTask check;
    private volatile boolean closed;
    private volatile long lastTakenNanos;
    private final PoolDemand demand;

    /** @param containers how a pool container is made and removed, as a lease's is */
    public WarmPool(
            PoolSettings settings,
            LeaseService.Containers containers,
            LeaseStore store,
            TaskScheduler scheduler,
            InstantSource clock,
            RandomGenerator random,
            PoolMeters meters) {
        this(settings, containers, store, scheduler, clock, random, meters, PoolMachinery.real());
    }

    WarmPool(
            PoolSettings settings,
            LeaseService.Containers containers,
            LeaseStore store,
            TaskScheduler scheduler,
            InstantSource clock,
            RandomGenerator random,
            PoolMeters meters,
            PoolMachinery machinery) {
        this.workers = machinery.workers();
        this.nanoTime = machinery.nanoTime();
        this.sleeper = machinery.sleeper();
        this.lastTakenNanos = nanoTime.getAsLong() - REFILL_QUIET.toNanos();
        this.settings = settings;
        this.engine = new PoolContainers(containers, store, settings.deadlineAfter(), settings.build());
        this.store = store;
        this.clock = clock;
        this.random = random;
        this.meters = meters;
        this.makers = new Semaphore(Math.max(1, settings.refillConcurrency()));
        this.demand = new PoolDemand(settings.sizes(), settings.maxima());
        settings.sizes().keySet().forEach(type -> {
            available.put(type, new ConcurrentLinkedDeque<>());
            filling.put(type, new AtomicInteger());
        });
        this.check = new PeriodicTask(
                scheduler,
                settings.checkEvery(),
                this::checkAndFill,
                e -> log.warn("warm pool check failed; trying again next time {}", kv("error", e.getMessage())));
    }

    /** Takes back this server's pool containers from before a restart, then fills the pool and keeps it full. */
    public void start() {
        if (settings.sizes().isEmpty()) {
            return;
        }
        try {
            adopt();
        } catch (RuntimeException e) {
            log.warn(
                    "could not look for the warm pool's containers from before; they are removed as orphans {}",
                    kv("error", e.getMessage()));
        }
        fillAll();
        check.start(settings.checkEvery());
    }

    /** Containers waiting, by image type (every pooled type named). */
    public Map<String, Integer> sizes() {
        Map<String, Integer> out = new LinkedHashMap<>();
        settings.sizes().keySet().stream()
                .sorted()
                .forEach(type -> out.put(type, available.get(type).size()));
        return out;
    }

    /** The size each image type's pool is kept at now (its floor, raised by recent demand). */
    public Map<String, Integer> targets() {
        long now = nanoTime.getAsLong();
        Map<String, Integer> out = new LinkedHashMap<>();
        settings.sizes().keySet().stream().sorted().forEach(type -> out.put(type, demand.target(type, now)));
        return out;
    }

    /** Provisions that asked each image type's pool for a container, per minute, over the last minute. */
    public Map<String, Double> claimsPerMinute() {
        long now = nanoTime.getAsLong();
        Map<String, Double> out = new LinkedHashMap<>();
        settings.sizes().keySet().stream().sorted().forEach(type -> out.put(type, demand.perMinute(type, now)));
        return out;
    }

    /**
     * The lease ids whose containers the reconciler must leave alone: those waiting or being made or
     * taken, and those taken since {@code sinceNanos} (their lease may be newer than what a pass that
     * began then has read).
     */
    public Set<LeaseId> protectedSince(long sinceNanos) {
        Set<LeaseId> ids = new HashSet<>(members.keySet());
        ids.addAll(creating);
        leftAt.forEach((id, at) -> {
            if (at - sinceNanos >= 0) {
                ids.add(id);
            }
        });
        return ids;
    }

    @Override
    public Optional<Warm> take(ImageSpec spec, ProvisionRequest request) {
        String type = spec.imageType();
        ConcurrentLinkedDeque<Member> queue = available.get(type);
        if (queue == null) {
            return Optional.empty(); // no pool for this type: not a miss
        }
        String unfit = !request.env().isEmpty()
                ? "env"
                : !request.secretEnv().isEmpty()
                        ? "secret_env"
                        : !request.secretFiles().isEmpty() ? "secret_files" : null;
        if (unfit != null) {
            meters.miss(type, unfit);
            return Optional.empty();
        }
        // Demand, served or not: it raises the target, and refills wait while claims keep coming (a cold
        // provision of a burst the pool could not serve needs the engine more than a refill does).
        lastTakenNanos = nanoTime.getAsLong();
        demand.claimed(type, lastTakenNanos);
        Member member = queue.pollFirst();
        // One that waited past POOL_MAX_WAIT is too close to its own deadline to serve a whole lease: replaced.
        while (member != null && member.madeAt().plus(settings.maxWait()).isBefore(clock.instant())) {
            discard(new Warm(member.id(), member.containerId()));
            member = queue.pollFirst();
        }
        if (member == null) {
            meters.miss(type, "empty");
            fill(type);
            return Optional.empty();
        }
        meters.hit(type);
        return Optional.of(new Warm(member.id(), member.containerId()));
    }

    /** Its replacement is made once the container is settled as gone (not when taken: a refused lease gives it back). */
    @Override
    public void used(Warm warm) {
        leftAt.put(warm.leaseId(), nanoTime.getAsLong());
        Member member = members.remove(warm.leaseId());
        if (member != null) {
            fill(member.imageType());
        }
    }

    @Override
    public void giveBack(Warm warm) {
        Member member = members.get(warm.leaseId());
        if (member != null) {
            available.get(member.imageType()).addFirst(member);
        }
    }

    @Override
    public void discard(Warm warm) {
        leftAt.put(warm.leaseId(), nanoTime.getAsLong());
        Member member = members.remove(warm.leaseId());
        if (member != null) {
            workers.execute(() -> engine.removeQuietly(member.id()));
            fill(member.imageType());
        }
    }

    private void fillAll() {
        settings.sizes().keySet().forEach(this::fill);
    }

    /** Starts making containers until the type's pool (with those being made) is full, within the cap over all types. */
    private void fill(String type) {
        if (closed) {
            return;
        }
        int target = demand.target(type, nanoTime.getAsLong());
        AtomicInteger making = filling.get(type);
        while (true) {
            // Counted under the lock a finished container moves under (from being made to waiting): read
            // apart, one could be counted twice, and the pool would stop one short until the next check.
            synchronized (counting) {
                int beingMade =
                        filling.values().stream().mapToInt(AtomicInteger::get).sum();
                if (available.get(type).size() + making.get() >= target
                        || members.size() + beingMade >= settings.maxTotal()) {
                    return;
                }
                making.incrementAndGet();
            }
            workers.execute(() -> makeOne(type, making));
        }
    }

    /** Waits while containers are being taken (see {@link #REFILL_QUIET}), within {@link #REFILL_HOLD_MAX}. */
    private void awaitQuiet() throws InterruptedException {
        long giveUp = nanoTime.getAsLong() + REFILL_HOLD_MAX.toNanos();
        while (!closed) {
            long now = nanoTime.getAsLong();
            long quietAt = lastTakenNanos + REFILL_QUIET.toNanos();
            if (now - quietAt >= 0 || now - giveUp >= 0) {
                return;
            }
            sleeper.sleep(Duration.ofNanos(Math.min(quietAt - now, giveUp - now)));
        }
    }

    private void makeOne(String type, AtomicInteger making) {
        LeaseId id = LeaseId.generate(clock.instant(), random);
        boolean made = false;
        boolean counted = true; // still counted in `making`
        creating.add(id);
        try {
            makers.acquire();
            try {
                awaitQuiet();
                if (closed) {
                    return;
                }
                long started = nanoTime.getAsLong();
                java.time.Instant madeAt = clock.instant();
                String containerId = engine.make(id, type, madeAt);
                Member member = new Member(id, containerId, type, madeAt);
                synchronized (counting) {
                    members.put(id, member);
                    available.get(type).addLast(member);
                    making.decrementAndGet();
                    counted = false;
                }
                made = true;
                meters.refilled(type, Duration.ofNanos(nanoTime.getAsLong() - started));
            } finally {
                makers.release();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            meters.refillFailed(type);
            log.warn(
                    "could not make a warm pool container; the next check tries again {} {}",
                    kv("imageType", type),
                    kv("error", e.getMessage()));
            engine.removeQuietly(id);
        } finally {
            creating.remove(id);
            if (counted) {
                making.decrementAndGet();
            }
        }
        if (made && closed) {
            drainOne(id);
        }
    }

    /** Finds this server's pool containers from before: running and not leased, they wait here again; the rest go. */
    private void adopt() {
        for (ManagedContainer container : engine.ours()) {
            LeaseId id = container.leaseId().get();
            if (store.find(id).isPresent()) {
                continue; // taken before the restart: its lease's now
            }
            String type = container.pooledAs().get();
            ConcurrentLinkedDeque<Member> queue = available.get(type);
            if (container.running()
                    && queue != null
                    && container.poolMadeAs().equals(Optional.of(engine.madeAs(type)))
                    && queue.size() < settings.sizes().get(type)
                    && members.size() < settings.maxTotal()) {
                Member member = new Member(id, container.containerId(), type, id.madeAt()); // made with its id
                members.put(id, member);
                queue.addLast(member);
                log.info("warm pool container taken back {} {}", kv("leaseId", id.value()), kv("imageType", type));
            } else {
                log.info(
                        "warm pool container from before removed (stopped, not wanted, or made by another build"
                                + " or catalog) {} {} {}",
                        kv("leaseId", id.value()),
                        kv("imageType", type),
                        kv("running", container.running()));
                engine.removeQuietly(id);
            }
        }
    }

    /**
     * Drops waiting containers that stopped running (or vanished), then fills up again. Each waiting
     * container is asked about by name: a few questions, where listing every container of the
     * service would grow with its leases.
     */
    private void checkAndFill() {
        for (ConcurrentLinkedDeque<Member> queue : available.values()) {
            for (Member member : List.copyOf(queue)) {
                if (!engine.running(member.id()) && queue.remove(member)) {
                    log.warn(
                            "a warm pool container stopped running; replacing it {} {}",
                            kv("leaseId", member.id().value()),
                            kv("imageType", member.imageType()));
                    members.remove(member.id());
                    engine.removeQuietly(member.id());
                }
            }
        }
        long forgetBefore = nanoTime.getAsLong() - LEFT_REMEMBERED.toNanos();
        leftAt.values().removeIf(at -> at - forgetBefore < 0);
        shrinkToTargets();
        fillAll();
    }

    /** Demand fell: what waits beyond each type's target goes, oldest first (the nearest its deadline). */
    private void shrinkToTargets() {
        long now = nanoTime.getAsLong();
        available.forEach((type, queue) -> {
            int surplus = queue.size() - demand.target(type, now);
            for (int i = 0; i < surplus; i++) {
                Member oldest = queue.pollFirst();
                if (oldest == null) {
                    return;
                }
                members.remove(oldest.id());
                engine.removeQuietly(oldest.id());
            }
        });
    }

    private void drainOne(LeaseId id) {
        Member member = members.remove(id);
        if (member != null) {
            available.get(member.imageType()).remove(member);
            engine.removeQuietly(id);
        }
    }

    /**
     * Stops filling. The waiting containers stay for the next start to take back, unless the pool
     * drains on stop ({@code POOL_DRAIN_ON_STOP}): then they are removed.
     */
    @Override
    public void close() {
        closed = true;
        check.close();
        if (settings.drainOnStop()) {
            for (ConcurrentLinkedDeque<Member> queue : available.values()) {
                Member member;
                while ((member = queue.pollFirst()) != null) {
                    members.remove(member.id());
                    engine.removeQuietly(member.id());
                }
            }
        }
        workers.shutdown();
    }
}
