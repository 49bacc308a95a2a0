package io.containerlease.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.containerlease.config.ImageCatalog;
import io.containerlease.lease.ImageSpec;
import io.containerlease.lease.LeaseId;
import io.containerlease.lease.LeaseResources;
import io.containerlease.lease.LeaseService;
import io.containerlease.lease.ManagedLabels;
import io.containerlease.lease.ProvisionRequest;
import io.containerlease.lease.SessionRules;
import io.containerlease.lease.WarmContainers.Warm;
import io.containerlease.support.LeaseWorld;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The warm pool's timing and bookkeeping, exactly: its background work runs when the test says
 * (a hand-written executor), and time moves only when the pool sleeps, so the quiet period after a
 * take, the most a refill waits, how long a taken container stays protected and the cap over all
 * types are each checked at their edges. {@code WarmPoolTest} covers the same pool on real threads.
 */
class WarmPoolMachineryTest {
    private static final Duration QUIET = Duration.ofMillis(100);
    private static final Duration CHECK_EVERY = Duration.ofSeconds(5);

    /** Runs submitted work only when told to, in the test's thread. */
    private static final class ManualWorkers extends AbstractExecutorService {
        final Deque<Runnable> queued = new ArrayDeque<>();
        boolean shutdown;

        @Override
        public void execute(Runnable task) {
            queued.add(task);
        }

        /** Runs what is queued, and what that queues, until nothing is left. */
        void runAll() {
            Runnable next;
            while ((next = queued.poll()) != null) {
                next.run();
            }
        }

        @Override
        public void shutdown() {
            shutdown = true;
        }

        @Override
        public List<Runnable> shutdownNow() {
            shutdown = true;
            return List.copyOf(queued);
        }

        @Override
        public boolean isShutdown() {
            return shutdown;
        }

        @Override
        public boolean isTerminated() {
            return shutdown && queued.isEmpty();
        }

        @Override
        public boolean awaitTermination(long timeout, TimeUnit unit) {
            return isTerminated();
        }
    }

    /** What the pool told its meters, in order. */
    private static final class HeardMeters implements PoolMeters {
        final List<String> heard = new ArrayList<>();

        @Override
        public void hit(String imageType) {
            heard.add("hit " + imageType);
        }

        @Override
        public void miss(String imageType, String reason) {
            heard.add("miss " + imageType + " " + reason);
        }

        @Override
        public void refilled(String imageType, Duration took) {
            heard.add("refilled " + imageType);
        }

        @Override
        public void refillFailed(String imageType) {
            heard.add("refill failed " + imageType);
        }
    }

    private final LeaseWorld world = new LeaseWorld();
    private final ManualWorkers workers = new ManualWorkers();
    private final HeardMeters meters = new HeardMeters();
    private final List<Duration> slept = new ArrayList<>();
    /** Runs each time the pool sleeps, after time moved: what happens meanwhile. */
    private Runnable meanwhile = () -> {};

    private long nanos = 1_000_000_000L;
    private final ImageSpec busybox = ImageCatalog.builtIn().find("busybox").orElseThrow();
    private WarmPool pool;

    @AfterEach
    void close() {
        if (pool != null) {
            pool.close();
        }
        world.close();
    }

    private WarmPool pool(Map<String, Integer> sizes, int maxTotal, boolean drainOnStop) {
        return pool(sizes, sizes, maxTotal, drainOnStop);
    }

    private WarmPool pool(Map<String, Integer> sizes, Map<String, Integer> maxima, int maxTotal, boolean drainOnStop) {
        pool = new WarmPool(
                new PoolSettings(
                        sizes,
                        maxima,
                        maxTotal,
                        2,
                        drainOnStop,
                        CHECK_EVERY,
                        LeaseWorld.POOL_MAX_WAIT,
                        LeaseWorld.POOL_MAX_WAIT.plus(LeaseWorld.MAX_LIFE),
                        ""),
                new LeaseService.Containers(ImageCatalog.builtIn(), world.runtime, LeaseResources.NONE, world.removals),
                world.store,
                world.scheduler,
                world.clock,
                new java.util.Random(3),
                meters,
                new PoolMachinery(workers, () -> nanos, duration -> {
                    slept.add(duration);
                    nanos += duration.toNanos();
                    meanwhile.run();
                }));
        return pool;
    }

    private WarmPool startedFull(int size) {
        pool(Map.of("busybox", size), 16, false).start();
        workers.runAll();
        assertThat(pool.sizes()).containsEntry("busybox", size);
        meters.heard.clear();
        return pool;
    }

    private Optional<Warm> take(Map<String, String> env) {
        return pool.take(busybox, new ProvisionRequest("busybox", Duration.ofMinutes(5), env));
    }

    private List<String> pooledNames() {
        return world.runtime.all().stream()
                .filter(c -> c.labels().containsKey(ManagedLabels.POOL))
                .map(c -> c.name())
                .toList();
    }

    @Test
    void startFillsEveryTypeAtOnceWithoutWaitingForQuiet() {
        pool(Map.of("busybox", 2), 16, false).start();
        assertThat(workers.queued).hasSize(2);
        workers.runAll();
        assertThat(pool.sizes()).containsEntry("busybox", 2);
        assertThat(pooledNames()).hasSize(2);
        assertThat(meters.heard).containsExactly("refilled busybox", "refilled busybox");
        assertThat(slept).as("nothing was taken yet: no quiet to wait for").isEmpty();
        assertThat(pool.targets()).isEqualTo(Map.of("busybox", 2));
    }

    @Test
    void aTakenContainersRefillWaitsTheQuietPeriodAfterTheTake() {
        startedFull(2);
        Warm warm = take(Map.of()).orElseThrow();
        pool.used(warm);
        assertThat(meters.heard).containsExactly("hit busybox");
        workers.runAll();
        assertThat(slept).containsExactly(QUIET);
        assertThat(pool.sizes()).containsEntry("busybox", 2);
        assertThat(meters.heard).containsExactly("hit busybox", "refilled busybox");
    }

    @Test
    void duringABurstOfTakesARefillWaitsNoLongerThanASecond() {
        startedFull(3);
        pool.used(take(Map.of()).orElseThrow());
        // Claims keep coming, one at every wake-up: each is given back, so the pool can serve the next.
        meanwhile = () -> pool.giveBack(take(Map.of()).orElseThrow());
        workers.runAll();
        assertThat(slept).hasSize(10).containsOnly(QUIET);
        assertThat(pool.sizes()).containsEntry("busybox", 3);
    }

    @Test
    void aRequestAPooledContainerCannotServeIsAMissThatSaysWhy() {
        startedFull(1);
        assertThat(take(Map.of("A", "1"))).isEmpty();
        assertThat(pool.take(
                        busybox,
                        new ProvisionRequest(
                                "busybox",
                                Duration.ofMinutes(5),
                                Map.of(),
                                SessionRules.NONE,
                                Map.of("S", "x"),
                                Map.of())))
                .isEmpty();
        assertThat(pool.take(
                        busybox,
                        new ProvisionRequest(
                                "busybox",
                                Duration.ofMinutes(5),
                                Map.of(),
                                SessionRules.NONE,
                                Map.of(),
                                Map.of("/run/secrets/k", "v"))))
                .isEmpty();
        assertThat(meters.heard)
                .containsExactly("miss busybox env", "miss busybox secret_env", "miss busybox secret_files");
        assertThat(pool.sizes()).containsEntry("busybox", 1);
    }

    @Test
    void anEmptyPoolIsAMissThatStartsARefill() {
        startedFull(1);
        pool.used(take(Map.of()).orElseThrow());
        assertThat(take(Map.of())).isEmpty();
        assertThat(meters.heard).containsExactly("hit busybox", "miss busybox empty");
        workers.runAll();
        assertThat(pool.sizes()).containsEntry("busybox", 1);
    }

    @Test
    void aTakenContainerStaysProtectedFromItsTakingOnAndIsForgottenTenMinutesLater() {
        startedFull(1);
        long takenAt = nanos;
        Warm warm = take(Map.of()).orElseThrow();
        assertThat(pool.protectedSince(takenAt + 1))
                .as("waiting or taken and unsettled")
                .contains(warm.leaseId());
        pool.used(warm);
        assertThat(pool.protectedSince(takenAt)).as("taken at the pass's start").contains(warm.leaseId());
        assertThat(pool.protectedSince(takenAt + 1))
                .as("taken before the pass began")
                .doesNotContain(warm.leaseId());

        nanos = takenAt + Duration.ofMinutes(10).toNanos();
        world.scheduler.advance(CHECK_EVERY);
        assertThat(pool.protectedSince(takenAt))
                .as("ten minutes exactly: still held")
                .contains(warm.leaseId());
        nanos++;
        world.scheduler.advance(CHECK_EVERY);
        assertThat(pool.protectedSince(takenAt)).doesNotContain(warm.leaseId());
    }

    @Test
    void aWaitingContainerThatStoppedIsRemovedAndReplacedAtTheNextCheck() {
        startedFull(2);
        String stopped = pooledNames().getFirst();
        world.runtime.exitByItself(stopped, 1);
        world.scheduler.advance(CHECK_EVERY);
        assertThat(pool.sizes()).containsEntry("busybox", 1);
        assertThat(world.runtime.container(stopped)).isEmpty();
        workers.runAll();
        assertThat(pool.sizes()).containsEntry("busybox", 2);
        assertThat(pooledNames()).doesNotContain(stopped).hasSize(2);

        String vanished = pooledNames().getFirst();
        world.runtime.vanish(vanished);
        world.scheduler.advance(CHECK_EVERY);
        assertThat(pool.sizes()).containsEntry("busybox", 1);
    }

    @Test
    void aDiscardedContainerIsRemovedAndReplaced() {
        startedFull(1);
        Warm warm = take(Map.of()).orElseThrow();
        long leftAt = nanos;
        pool.discard(warm);
        assertThat(world.runtime.container(ManagedLabels.containerName(warm.leaseId())))
                .isPresent();
        workers.runAll();
        assertThat(world.runtime.container(ManagedLabels.containerName(warm.leaseId())))
                .isEmpty();
        assertThat(pool.sizes()).containsEntry("busybox", 1);
        assertThat(pool.protectedSince(leftAt)).as("left just now").contains(warm.leaseId());
    }

    @Test
    void aRefillTheEngineRefusesIsCountedAndLeavesNothing() {
        pool(Map.of("busybox", 1), 16, false).start();
        world.runtime.unavailable = true;
        workers.runAll();
        world.runtime.unavailable = false;
        assertThat(meters.heard).containsExactly("refill failed busybox");
        assertThat(pool.sizes()).containsEntry("busybox", 0);
        assertThat(pool.protectedSince(nanos)).as("no longer being made").isEmpty();
        world.scheduler.advance(CHECK_EVERY);
        workers.runAll();
        assertThat(pool.sizes()).as("the next check tries again").containsEntry("busybox", 1);
    }

    @Test
    void theCapOverAllTypesHoldsWhateverTheSizesAsk() {
        pool(Map.of("busybox", 5), 3, false).start();
        assertThat(workers.queued).hasSize(3);
        workers.runAll();
        assertThat(pool.sizes()).containsEntry("busybox", 3);
        world.scheduler.advance(CHECK_EVERY);
        assertThat(workers.queued).as("full to the cap: nothing more to make").isEmpty();
    }

    @Test
    void closingWithDrainRemovesTheWaitingContainersAndStopsTheWork() {
        pool(Map.of("busybox", 2), 16, true).start();
        workers.runAll();
        pool.close();
        assertThat(pooledNames()).isEmpty();
        assertThat(pool.sizes()).containsEntry("busybox", 0);
        assertThat(workers.shutdown).isTrue();
        world.scheduler.advance(CHECK_EVERY.multipliedBy(3));
        assertThat(workers.queued).as("no check after close").isEmpty();
    }

    @Test
    void closingWithoutDrainLeavesTheWaitingContainersForTheNextStart() {
        startedFull(2);
        pool.close();
        assertThat(pooledNames()).hasSize(2);
        assertThat(workers.shutdown).isTrue();
    }

    @Test
    void aContainerFinishedAfterCloseIsRemovedNotKept() {
        pool(Map.of("busybox", 1), 16, false).start();
        world.runtime.duringCreate = spec -> pool.close();
        workers.runAll();
        assertThat(pooledNames()).isEmpty();
        assertThat(pool.sizes()).containsEntry("busybox", 0);
    }

    private String madeAs(String type) {
        return new PoolContainers(
                        new LeaseService.Containers(
                                ImageCatalog.builtIn(), world.runtime, LeaseResources.NONE, world.removals),
                        world.store,
                        LeaseWorld.MAX_LIFE,
                        "")
                .madeAs(type);
    }

    @Test
    void afterARestartRunningContainersAreTakenBackUpToTheSizeAndTheRestRemoved() {
        var labels = (java.util.function.Function<LeaseId, Map<String, String>>) id -> ManagedLabels.forPool(
                id,
                "busybox",
                world.clock.instant(),
                world.store.instanceId(),
                world.store.serverId(),
                madeAs("busybox"));
        List<LeaseId> ids = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            LeaseId id = LeaseId.generate(world.clock.instant(), new java.util.Random(100 + i));
            ids.add(id);
            world.runtime.plant(ManagedLabels.containerName(id), labels.apply(id));
        }
        world.runtime.exitByItself(ManagedLabels.containerName(ids.get(0)), 0);

        pool(Map.of("busybox", 2), 16, false).start();

        assertThat(pool.sizes()).as("two running ones back, before any is made").containsEntry("busybox", 2);
        assertThat(workers.queued).isEmpty();
        assertThat(world.runtime.container(ManagedLabels.containerName(ids.get(0))))
                .as("not running: removed")
                .isEmpty();
        assertThat(pooledNames()).as("the one beyond the size: removed").hasSize(2);
    }

    /** After an upgrade (another helper) or a catalog edit, a waiting container is not what a lease would get now. */
    @Test
    void afterARestartAContainerMadeByAnotherBuildOrSpecIsRemovedNotTakenBack() {
        LeaseId old = LeaseId.generate(world.clock.instant(), new java.util.Random(7));
        world.runtime.plant(
                ManagedLabels.containerName(old),
                ManagedLabels.forPool(
                        old,
                        "busybox",
                        world.clock.instant(),
                        world.store.instanceId(),
                        world.store.serverId(),
                        "made-by-an-older-build"));

        pool(Map.of("busybox", 1), 16, false).start();

        assertThat(world.runtime.container(ManagedLabels.containerName(old))).isEmpty();
        assertThat(pool.sizes()).as("none taken back before a new one is made").containsEntry("busybox", 0);
    }

    @Test
    void aContainerIsRunningOnlyWhileTheEngineSaysSo() {
        startedFull(1);
        PoolContainers engine = new PoolContainers(
                new LeaseService.Containers(ImageCatalog.builtIn(), world.runtime, LeaseResources.NONE, world.removals),
                world.store,
                LeaseWorld.MAX_LIFE,
                "");
        LeaseId id = new LeaseId(world.runtime.all().stream()
                .filter(c -> c.labels().containsKey(ManagedLabels.POOL))
                .findFirst()
                .orElseThrow()
                .labels()
                .get(ManagedLabels.LEASE_ID));
        assertThat(engine.running(id)).isTrue();
        world.runtime.stop(ManagedLabels.containerName(id), Duration.ZERO);
        assertThat(engine.running(id)).isFalse();
        engine.removeQuietly(id);
        assertThat(world.runtime.container(ManagedLabels.containerName(id))).isEmpty();
        assertThat(engine.running(id)).as("gone").isFalse();
        world.runtime.unavailable = true;
        engine.removeQuietly(id); // a failure is the reconciler's to finish: no exception here
        world.runtime.unavailable = false;
    }

    /**
     * Demand raises the target above the floor (each provision of the last minute that asked counts,
     * served or not) up to the type's maximum, the pool fills to it, and a minute without demand
     * brings it back to the floor, the surplus removed oldest first.
     */
    @Test
    void theTargetFollowsDemandWithinTheMaximumAndFallsBackWhenIdle() {
        pool(Map.of("busybox", 2), Map.of("busybox", 6), 16, false).start();
        workers.runAll();
        assertThat(pool.targets()).containsEntry("busybox", 2);
        pool.used(take(Map.of()).orElseThrow());
        pool.used(take(Map.of()).orElseThrow());
        assertThat(pool.targets()).containsEntry("busybox", 4);
        workers.runAll();
        assertThat(pool.sizes()).containsEntry("busybox", 4);
        for (int i = 0; i < 4; i++) {
            pool.used(take(Map.of()).orElseThrow());
        }
        assertThat(take(Map.of())).as("a miss is demand too").isEmpty();
        assertThat(pool.targets()).as("within its maximum").containsEntry("busybox", 6);
        assertThat(pool.claimsPerMinute()).as("counted up to the maximum").containsEntry("busybox", 6.0);
        workers.runAll();
        assertThat(pool.sizes()).containsEntry("busybox", 6);
        List<String> oldestFirst = pooledNames();

        nanos += java.time.Duration.ofSeconds(61).toNanos(); // a quiet minute
        assertThat(pool.targets()).containsEntry("busybox", 2);
        world.scheduler.advance(CHECK_EVERY);
        workers.runAll();
        assertThat(pool.sizes()).containsEntry("busybox", 2);
        assertThat(pool.claimsPerMinute()).containsEntry("busybox", 0.0);
        assertThat(pooledNames()).hasSize(6 + 2); // the 6 taken (their leases' now) and the 2 kept
    }
}
