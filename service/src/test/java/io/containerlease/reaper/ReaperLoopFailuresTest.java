package io.containerlease.reaper;

import static org.assertj.core.api.Assertions.assertThat;

import io.containerlease.lease.ContainerSpec;
import io.containerlease.lease.ImageSpec;
import io.containerlease.lease.Lease;
import io.containerlease.lease.LeaseId;
import io.containerlease.lease.LeaseResources;
import io.containerlease.lease.LeaseService;
import io.containerlease.support.LeaseWorld;
import io.containerlease.support.LogLines;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A removal that keeps failing is retried every pass but reported once with its cause, and again
 * only when the cause changes; a pass that only repeats what failed before is not news either.
 */
class ReaperLoopFailuresTest {
    private final LeaseId leftover = LeaseId.generate(Instant.parse("2026-01-01T00:00:00Z"), new java.util.Random(1));
    private final AtomicInteger tries = new AtomicInteger();
    private final AtomicReference<String> cause = new AtomicReference<>("File name too long");
    /** What an ended lease left (a code volume, say) that cannot be removed. */
    private final LeaseResources stuck = new LeaseResources() {
        @Override
        public ContainerSpec.Mounts prepare(Lease lease, ImageSpec spec) {
            return ContainerSpec.Mounts.NONE;
        }

        @Override
        public Set<LeaseId> held() {
            return Set.of(leftover);
        }

        @Override
        public void release(LeaseId id) {
            tries.incrementAndGet();
            throw new IllegalStateException(cause.get());
        }
    };

    private ReaperLoop reaperIn(LeaseWorld world) {
        return new ReaperLoop(
                world.store,
                world.leases,
                new LeaseService.Containers(
                        io.containerlease.config.ImageCatalog.builtIn(), world.runtime, stuck, world.removals),
                world.scheduler,
                LeaseWorld.RECONCILE_INTERVAL,
                world.clock,
                world.metrics,
                ReaperLoop.Peers.NONE);
    }

    @Test
    void aLeftoverThatCannotBeRemovedIsReportedOncePerCause() {
        try (LogLines lines = LogLines.of(ReaperLoop.class);
                LeaseWorld world = new LeaseWorld();
                ReaperLoop reaper = reaperIn(world)) {
            for (int pass = 0; pass < 5; pass++) {
                reaper.runOnce().join();
            }
            cause.set("Permission denied");
            for (int pass = 0; pass < 5; pass++) {
                reaper.runOnce().join();
            }
            assertThat(tries.get()).as("retried every pass").isEqualTo(10);
            assertThat(lines.containing("reconcile action failed"))
                    .satisfiesExactly(
                            first -> assertThat(first).contains("File name too long"),
                            second -> assertThat(second).contains("Permission denied"));
            assertThat(lines.containing("removing an ended lease's code volume"))
                    .as("announced when first tried, not on every retry")
                    .hasSize(1);
            assertThat(lines.containing("reconcile pass repaired differences"))
                    .as("later passes only repeat what failed")
                    .hasSize(1);
        }
    }

    @Test
    void aClosedReaperRunsNoMorePasses() {
        try (LeaseWorld world = new LeaseWorld();
                ReaperLoop reaper = reaperIn(world)) {
            reaper.start();
            world.scheduler.advance(LeaseWorld.RECONCILE_INTERVAL);
            assertThat(tries.get()).isEqualTo(1);
            reaper.close();
            world.scheduler.advance(LeaseWorld.RECONCILE_INTERVAL.multipliedBy(3));
            assertThat(tries.get()).isEqualTo(1);
        }
    }
}
