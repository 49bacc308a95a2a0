package io.containerlease.reaper;

import static org.assertj.core.api.Assertions.assertThat;

import io.containerlease.config.ImageCatalog;
import io.containerlease.lease.Lease;
import io.containerlease.lease.LeaseId;
import io.containerlease.lease.LeaseResources;
import io.containerlease.lease.LeaseService;
import io.containerlease.lease.ManagedLabels;
import io.containerlease.support.LeaseWorld;
import java.time.Duration;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A server that was paused past its heartbeat (a long GC, a frozen VM) may have had its leases taken
 * over by another: what its pass saw may be stale, so it acts on none of it until it beats again.
 */
class ReaperLoopHeartbeatTest {
    private final LeaseWorld world = new LeaseWorld();
    private final AtomicBoolean current = new AtomicBoolean(false);
    private final ReaperLoop reaper = new ReaperLoop(
            world.store,
            world.leases,
            new LeaseService.Containers(ImageCatalog.builtIn(), world.runtime, LeaseResources.NONE, world.removals),
            world.scheduler,
            LeaseWorld.RECONCILE_INTERVAL,
            world.clock,
            world.metrics,
            new ReaperLoop.Peers(since -> current.get(), Set::of, Set::of));

    @AfterEach
    void close() {
        reaper.close();
        world.close();
    }

    private String plantOrphan() {
        Lease gone = Lease.provisioning(
                LeaseId.generate(world.clock.instant(), new Random(9)),
                "busybox",
                world.clock.instant(),
                Duration.ofMinutes(5),
                LeaseWorld.MAX_LIFE);
        String name = ManagedLabels.containerName(gone.id());
        world.runtime.plant(name, ManagedLabels.forLease(gone, world.store.instanceId()));
        return name;
    }

    private double passes(String outcome) {
        var counter = world.registry
                .find("containerlease.reconcile.passes")
                .tag("outcome", outcome)
                .counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void aPassWithAStaleHeartbeatActsOnNothingItSawAndSaysSo() {
        String orphan = plantOrphan();
        reaper.runOnce().join();
        assertThat(world.runtime.container(orphan))
                .as("left for a pass on fresh eyes")
                .isPresent();
        assertThat(passes("failed")).isEqualTo(1);

        current.set(true); // beating again
        reaper.runOnce().join();
        assertThat(world.runtime.container(orphan)).isEmpty();
        assertThat(passes("repaired")).isEqualTo(1);
    }

    @Test
    void aCleanWorldNeedsNoCurrentHeartbeat() {
        reaper.runOnce().join();
        assertThat(passes("clean")).isEqualTo(1);
        assertThat(passes("failed")).isZero();
    }
}
