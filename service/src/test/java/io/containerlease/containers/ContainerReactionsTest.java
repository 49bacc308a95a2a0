package io.containerlease.containers;

import static org.assertj.core.api.Assertions.assertThat;

import io.containerlease.lease.Caller;
import io.containerlease.lease.EndReason;
import io.containerlease.lease.ImageSpec;
import io.containerlease.lease.ImageTypes;
import io.containerlease.lease.Lease;
import io.containerlease.lease.LeaseState;
import io.containerlease.lease.ProvisionRequest;
import io.containerlease.lease.SessionRules;
import io.containerlease.support.LeaseWorld;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What a container's change sets off, by its image type's lifecycle settings. */
class ContainerReactionsTest {
    private final LeaseWorld world = new LeaseWorld();

    @AfterEach
    void close() {
        world.close();
    }

    /** The built-in busybox, with another lifecycle. */
    private static ImageTypes busyboxWith(ImageSpec.Lifecycle lifecycle) {
        ImageSpec spec = io.containerlease.support.ImageSpecs.busyboxAs(
                "busybox",
                lifecycle,
                io.containerlease.support.ImageSpecs.busybox().program());
        return new ImageTypes() {
            @Override
            public Optional<ImageSpec> find(String imageType) {
                return imageType.equals("busybox") ? Optional.of(spec) : Optional.empty();
            }

            @Override
            public Set<String> imageTypes() {
                return Set.of("busybox");
            }
        };
    }

    private Lease provision(Optional<Duration> idle) {
        return world.leases.provision(
                new ProvisionRequest(
                        "busybox",
                        Duration.ofMinutes(30),
                        Map.of(),
                        new SessionRules(Optional.empty(), idle),
                        Map.of(),
                        Map.of()),
                Caller.ANONYMOUS_ADMIN);
    }

    private static ContainerStatus in(ContainerStatus.State state) {
        return new ContainerStatus(
                state, Optional.empty(), false, Optional.empty(), Optional.empty(), 0, Optional.empty());
    }

    private ContainerReactions reactions(ImageSpec.Lifecycle lifecycle) {
        return new ContainerReactions(
                world.leases, world.store, busyboxWith(lifecycle), world.connections, world.logs, world.idle);
    }

    @Test
    void timePausedCountsAsIdleUnlessTheImageTypeSaysOtherwise() {
        Lease counted = provision(Optional.of(Duration.ofMinutes(1)));
        reactions(ImageSpec.Lifecycle.DEFAULT)
                .accept(new ContainerStates.Change(
                        counted.id(), in(ContainerStatus.State.RUNNING), in(ContainerStatus.State.PAUSED)));
        assertThat(world.idle.idleDeadline(counted.id()))
                .as("paused time counts by default")
                .isPresent();

        Lease notCounted = provision(Optional.of(Duration.ofMinutes(1)));
        ContainerReactions pauseStopsIdle =
                reactions(new ImageSpec.Lifecycle(ImageSpec.OnExit.KEEP, 0, Optional.empty(), true));
        pauseStopsIdle.accept(new ContainerStates.Change(
                notCounted.id(), in(ContainerStatus.State.RUNNING), in(ContainerStatus.State.PAUSED)));
        assertThat(world.idle.idleDeadline(notCounted.id())).isEmpty();
        world.scheduler.advance(Duration.ofMinutes(5));
        assertThat(world.store.find(notCounted.id()).orElseThrow().state()).isEqualTo(LeaseState.RUNNING);
        assertThat(world.store.find(counted.id()).orElseThrow().endReason()).isEqualTo(EndReason.IDLE);

        pauseStopsIdle.accept(new ContainerStates.Change(
                notCounted.id(), in(ContainerStatus.State.PAUSED), in(ContainerStatus.State.RUNNING)));
        assertThat(world.idle.idleDeadline(notCounted.id()))
                .contains(world.clock.instant().plus(Duration.ofMinutes(1)));
    }

    @Test
    void aProgramEndingByItselfEndsTheLeaseOnlyWhenTheImageTypeSaysSo() {
        Lease kept = provision(Optional.empty());
        reactions(ImageSpec.Lifecycle.DEFAULT)
                .accept(new ContainerStates.Change(
                        kept.id(), in(ContainerStatus.State.RUNNING), in(ContainerStatus.State.EXITED)));
        assertThat(world.store.find(kept.id()).orElseThrow().state()).isEqualTo(LeaseState.RUNNING);

        Lease ended = provision(Optional.empty());
        reactions(new ImageSpec.Lifecycle(ImageSpec.OnExit.END, 0, Optional.empty(), false))
                .accept(new ContainerStates.Change(
                        ended.id(), in(ContainerStatus.State.RUNNING), in(ContainerStatus.State.STOPPED)));
        assertThat(world.store.find(ended.id()).orElseThrow().state())
                .as("a stop through the API is not an exit")
                .isEqualTo(LeaseState.RUNNING);
        reactions(new ImageSpec.Lifecycle(ImageSpec.OnExit.END, 0, Optional.empty(), false))
                .accept(new ContainerStates.Change(
                        ended.id(), in(ContainerStatus.State.RUNNING), in(ContainerStatus.State.EXITED)));
        assertThat(world.store.find(ended.id()).orElseThrow().endReason()).isEqualTo(EndReason.EXITED);
    }
}
