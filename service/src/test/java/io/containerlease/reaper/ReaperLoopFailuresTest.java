package io.containerlease.reaper;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.containerlease.lease.ContainerSpec;
import io.containerlease.lease.ImageSpec;
import io.containerlease.lease.Lease;
import io.containerlease.lease.LeaseId;
import io.containerlease.lease.LeaseResources;
import io.containerlease.lease.LeaseService;
import io.containerlease.support.LeaseWorld;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** A removal that keeps failing is retried every pass but reported once with its cause, and again only when the cause changes. */
class ReaperLoopFailuresTest {
    @Test
    void aLeftoverThatCannotBeRemovedIsReportedOncePerCause() throws Exception {
        LeaseId leftover = LeaseId.generate(Instant.parse("2026-01-01T00:00:00Z"), new java.util.Random(1));
        AtomicInteger tries = new AtomicInteger();
        AtomicReference<String> cause = new AtomicReference<>("File name too long");
        LeaseResources stuck = new LeaseResources() {
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
        Logger logger = (Logger) LoggerFactory.getLogger(ReaperLoop.class);
        var lines = new ListAppender<ILoggingEvent>();
        lines.start();
        logger.addAppender(lines);
        logger.setLevel(Level.INFO);
        try (LeaseWorld world = new LeaseWorld();
                ReaperLoop reaper = new ReaperLoop(
                        world.store,
                        world.leases,
                        new LeaseService.Containers(
                                io.containerlease.config.ImageCatalog.builtIn(), world.runtime, stuck, world.removals),
                        world.scheduler,
                        LeaseWorld.RECONCILE_INTERVAL,
                        world.clock,
                        world.metrics,
                        ReaperLoop.Peers.NONE)) {
            for (int pass = 0; pass < 5; pass++) {
                reaper.runOnce().join();
            }
            cause.set("Permission denied");
            for (int pass = 0; pass < 5; pass++) {
                reaper.runOnce().join();
            }
            assertThat(tries.get()).as("retried every pass").isEqualTo(10);
            assertThat(lines.list)
                    .filteredOn(e -> e.getLevel() == Level.WARN)
                    .extracting(ILoggingEvent::getFormattedMessage)
                    .hasSize(2)
                    .satisfiesExactly(
                            first -> assertThat(first).contains("File name too long"),
                            second -> assertThat(second).contains("Permission denied"));
        } finally {
            logger.detachAppender(lines);
        }
    }
}
