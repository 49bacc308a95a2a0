package io.containerlease.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.containerlease.lease.Caller;
import io.containerlease.lease.Lease;
import io.containerlease.lease.LeaseResources;
import io.containerlease.lease.LeaseState;
import io.containerlease.lease.ManagedLabels;
import io.containerlease.lease.ProvisionRequest;
import io.containerlease.lease.Quota;
import io.containerlease.lease.QuotaExceededException;
import io.containerlease.support.FakeRuntime;
import io.containerlease.support.LeaseWorld;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The warm pool against the stand-in engine and a real (in-memory) SQLite store: it fills up, a
 * provision takes a waiting container and its lease gets the id the container was made for, each
 * container goes to one lease only however many ask at once, a refused lease gives its container
 * back, a restart takes the waiting containers back, and the reconciler leaves them alone.
 */
class WarmPoolTest {
    /**
     * A bound, not a speed: filling takes milliseconds, but in the whole suite's JVM the pool's virtual
     * threads once waited over 10 s for a carrier (twice in 2026-12-03's runs, never alone).
     */
    private static final Duration WAIT = Duration.ofSeconds(30);

    private LeaseWorld world = new LeaseWorld(7, Quota.UNLIMITED, Map.of("busybox", 3));

    @AfterEach
    void close() {
        world.close();
    }

    private List<FakeRuntime.Container> pooled() {
        return world.runtime.all().stream()
                .filter(c -> c.labels().containsKey(ManagedLabels.POOL))
                .toList();
    }

    private Lease provision(Map<String, String> env) {
        return world.leases.provision(
                new ProvisionRequest("busybox", Duration.ofMinutes(5), env), Caller.ANONYMOUS_ADMIN);
    }

    private void startFull() {
        // The service logs at ERROR in tests: a refill that failed (and waits for the next check, which
        // a manual scheduler never runs) would be silent; its words go into the failure instead.
        try (var said = io.containerlease.support.LogLines.of(WarmPool.class)) {
            world.pool.start();
            awaitFull(said);
        }
    }

    private void awaitFull(io.containerlease.support.LogLines said) {
        try {
            await().atMost(WAIT).until(() -> world.pool.sizes().get("busybox") == 3);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            // Every thread, virtual ones included, for whoever finds out why the fill stalled.
            java.nio.file.Path dump = java.nio.file.Path.of("target", "warm-pool-stall-threads.json")
                    .toAbsolutePath();
            try {
                java.nio.file.Files.deleteIfExists(dump);
                java.lang.management.ManagementFactory.getPlatformMXBean(
                                com.sun.management.HotSpotDiagnosticMXBean.class)
                        .dumpThreads(dump.toString(), com.sun.management.HotSpotDiagnosticMXBean.ThreadDumpFormat.JSON);
            } catch (java.io.IOException | RuntimeException ignored) {
                // the failure below says what matters
            }
            throw new AssertionError(
                    "the pool did not fill within " + WAIT + " (it holds " + world.pool.sizes() + "; the engine "
                            + world.runtime.all().size() + " containers); the pool said: " + said.messages()
                            + "; threads: " + dump,
                    e);
        }
    }

    @Test
    void aProvisionTakesAWaitingContainerAndThePoolFillsUpAgain() {
        startFull();
        assertThat(pooled()).hasSize(3);
        Set<String> waiting =
                new HashSet<>(pooled().stream().map(FakeRuntime.Container::id).toList());

        Lease lease = provision(Map.of());
        assertThat(lease.state()).isEqualTo(LeaseState.RUNNING);
        assertThat(waiting).contains(lease.containerId());
        // The container was made for this lease's id: its name and labels say so.
        var container =
                world.runtime.container(ManagedLabels.containerName(lease.id())).orElseThrow();
        assertThat(container.id()).isEqualTo(lease.containerId());
        assertThat(world.store.find(lease.id()).orElseThrow().state()).isEqualTo(LeaseState.RUNNING);
        await().atMost(WAIT).until(() -> world.pool.sizes().get("busybox") == 3);
        assertThat(pooled()).hasSize(4);
    }

    @Test
    void everyContainerHasADeadlineAndOneThatWaitedPastTheMaxWaitIsReplacedNotServed() {
        startFull();
        assertThat(pooled())
                .allSatisfy(c -> assertThat(c.deadline())
                        .as("a pool container ends itself too")
                        .contains(world.clock
                                .instant()
                                .plus(LeaseWorld.POOL_MAX_WAIT)
                                .plus(LeaseWorld.MAX_LIFE)
                                .plus(Duration.ofMinutes(1))));
        Set<String> old =
                new HashSet<>(pooled().stream().map(FakeRuntime.Container::id).toList());
        world.clock.advance(LeaseWorld.POOL_MAX_WAIT.plusSeconds(1));
        Lease lease = provision(Map.of());
        assertThat(old)
                .as("too close to its own deadline to serve a whole lease")
                .doesNotContain(lease.containerId());
        // Served by a fresh one: its deadline leaves the whole lease (to its hard cap) and the margin.
        var container =
                world.runtime.container(ManagedLabels.containerName(lease.id())).orElseThrow();
        assertThat(container.deadline().orElseThrow())
                .as("never before the lease may end")
                .isAfterOrEqualTo(
                        lease.maxExpiresAt().plus(io.containerlease.lease.LeasePolicy.DEFAULT_DEADMAN_MARGIN));
    }

    @Test
    void aRequestWithItsOwnEnvironmentTakesTheColdPath() {
        startFull();
        Lease lease = provision(Map.of("GREETING", "hi"));
        assertThat(world.runtime
                        .container(ManagedLabels.containerName(lease.id()))
                        .orElseThrow()
                        .labels())
                .doesNotContainKey(ManagedLabels.POOL);
        assertThat(world.pool.sizes().get("busybox")).isEqualTo(3);
    }

    /** A waiting container was made without them: secrets can only be given to a container made for the request. */
    @Test
    void aRequestWithSecretsTakesTheColdPathAndItsSecretsReachItsOwnContainer() {
        startFull();
        Lease withEnv = world.leases.provision(
                new ProvisionRequest(
                        "busybox",
                        Duration.ofMinutes(5),
                        Map.of(),
                        io.containerlease.lease.SessionRules.NONE,
                        Map.of("TOKEN", "s3cret-value"),
                        Map.of()),
                Caller.ANONYMOUS_ADMIN);
        Lease withFile = world.leases.provision(
                new ProvisionRequest(
                        "busybox",
                        Duration.ofMinutes(5),
                        Map.of(),
                        io.containerlease.lease.SessionRules.NONE,
                        Map.of(),
                        Map.of("key.pem", "-----BEGIN")),
                Caller.ANONYMOUS_ADMIN);
        var envContainer = world.runtime
                .container(ManagedLabels.containerName(withEnv.id()))
                .orElseThrow();
        var fileContainer = world.runtime
                .container(ManagedLabels.containerName(withFile.id()))
                .orElseThrow();
        assertThat(envContainer.labels()).doesNotContainKey(ManagedLabels.POOL);
        assertThat(envContainer.env()).containsEntry("TOKEN", "s3cret-value");
        assertThat(fileContainer.labels()).doesNotContainKey(ManagedLabels.POOL);
        assertThat(fileContainer.secretFiles()).containsEntry("key.pem", "-----BEGIN");
        assertThat(world.pool.sizes().get("busybox"))
                .as("nothing taken from the pool")
                .isEqualTo(3);
    }

    @Test
    void aLeaseServedFromThePoolEndsAtItsExpiry() {
        startFull();
        Lease lease = provision(Map.of());
        assertThat(world.runtime
                        .container(ManagedLabels.containerName(lease.id()))
                        .orElseThrow()
                        .labels())
                .containsKey(ManagedLabels.POOL);
        world.scheduler.advance(Duration.ofMinutes(5).minusSeconds(1));
        assertThat(world.store.find(lease.id()).orElseThrow().state()).isEqualTo(LeaseState.RUNNING);
        world.scheduler.advance(Duration.ofSeconds(2));
        assertThat(world.store.find(lease.id()).orElseThrow().endReason())
                .isEqualTo(io.containerlease.lease.EndReason.EXPIRED);
    }

    @Test
    void manyProvisionsAtOnceNeverShareAContainer() throws Exception {
        startFull();
        var clients = Executors.newFixedThreadPool(16);
        List<Future<Lease>> futures = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            futures.add(clients.submit((Callable<Lease>) () -> provision(Map.of())));
        }
        Set<String> containers = new HashSet<>();
        Set<String> leases = new HashSet<>();
        for (Future<Lease> f : futures) {
            Lease lease = f.get();
            assertThat(containers.add(lease.containerId()))
                    .as("container %s given twice", lease.containerId())
                    .isTrue();
            leases.add(lease.id().value());
        }
        clients.shutdown();
        assertThat(leases).hasSize(40);
        // Every lease's container carries that lease's id, and no container carries a lease that is not its own.
        for (var c : world.runtime.all()) {
            String id = c.labels().get(ManagedLabels.LEASE_ID);
            if (leases.contains(id)) {
                assertThat(world.store
                                .find(new io.containerlease.lease.LeaseId(id))
                                .orElseThrow()
                                .containerId())
                        .isEqualTo(c.id());
            }
        }
    }

    @Test
    void aRefusedProvisionGivesItsContainerBack() {
        world.close();
        world = new LeaseWorld(7, new Quota(1, 1, 100), Map.of("busybox", 3));
        startFull();
        provision(Map.of());
        await().atMost(WAIT).until(() -> world.pool.sizes().get("busybox") == 3);
        Set<String> before =
                new HashSet<>(pooled().stream().map(FakeRuntime.Container::id).toList());
        assertThatThrownBy(() -> provision(Map.of())).isInstanceOf(QuotaExceededException.class);
        assertThat(world.pool.sizes().get("busybox")).isEqualTo(3);
        assertThat(new HashSet<>(
                        pooled().stream().map(FakeRuntime.Container::id).toList()))
                .isEqualTo(before);
    }

    @Test
    void afterARestartTheWaitingContainersAreTakenBackAndNoneIsLeasedTwice() {
        startFull();
        Lease leased = provision(Map.of());
        await().atMost(WAIT).until(() -> world.pool.sizes().get("busybox") == 3);
        Set<String> waiting =
                new HashSet<>(pooled().stream().map(FakeRuntime.Container::id).toList());
        waiting.remove(leased.containerId());
        // A second pool over the same engine and store, as after a restart (the first one made no more).
        world.pool.close();
        int before = world.runtime.all().size();
        var again = new WarmPool(
                new PoolSettings(
                        Map.of("busybox", 3),
                        16,
                        2,
                        false,
                        Duration.ofSeconds(5),
                        LeaseWorld.POOL_MAX_WAIT,
                        LeaseWorld.POOL_MAX_WAIT.plus(LeaseWorld.MAX_LIFE).plus(Duration.ofMinutes(1))),
                new io.containerlease.lease.LeaseService.Containers(
                        io.containerlease.config.ImageCatalog.builtIn(),
                        world.runtime,
                        LeaseResources.NONE,
                        world.removals),
                world.store,
                world.scheduler,
                world.clock,
                new java.util.Random(1),
                PoolMeters.NONE);
        again.start();
        assertThat(again.sizes().get("busybox")).isEqualTo(3);
        assertThat(world.runtime.all()).hasSize(before); // nothing new made, nothing removed
        assertThat(again.protectedSince(System.nanoTime()).stream()
                        .map(id -> world.runtime
                                .container(ManagedLabels.containerName(id))
                                .orElseThrow()
                                .id())
                        .toList())
                .containsExactlyInAnyOrderElementsOf(waiting);
        again.close();
    }

    @Test
    void theReconcilerLeavesWaitingContainersAloneAndRemovesOnesNoPoolKnows() {
        startFull();
        world.reaper.runOnce().join();
        assertThat(pooled()).hasSize(3);

        // A pool container the pool does not know (a restart with the pool turned off): an orphan.
        world.pool.close();
        world.reaper.keepPooled(since -> Set.of());
        world.reaper.runOnce().join();
        assertThat(pooled()).isEmpty();
    }

    /** Servers of one store share one engine: each pool takes back only its own waiting containers. */
    @Test
    void anotherServersWaitingContainerIsNeitherTakenBackNorRemoved() {
        io.containerlease.lease.LeaseId theirs =
                io.containerlease.lease.LeaseId.generate(world.clock.instant(), new java.util.Random(11));
        String name = ManagedLabels.containerName(theirs);
        world.runtime.plant(
                name,
                ManagedLabels.forPool(
                        theirs, "busybox", world.clock.instant(), world.store.instanceId(), "another", "theirs"));

        startFull();

        assertThat(world.runtime.container(name)).as("still theirs").isPresent();
        assertThat(world.pool.protectedSince(System.nanoTime())).doesNotContain(theirs);
        assertThat(pooled()).hasSize(4); // our three, and theirs
    }
}
