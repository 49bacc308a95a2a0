package io.containerlease.containers;

import static org.assertj.core.api.Assertions.assertThat;

import io.containerlease.lease.EngineContainer;
import io.containerlease.lease.EngineContainer.State;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ContainerStatusTest {
    private static final Instant STARTED = Instant.parse("2026-11-22T10:00:00Z");
    private static final Instant FINISHED = Instant.parse("2026-11-22T10:05:00Z");

    private static Optional<EngineContainer> engine(State state, Integer exitCode, String health) {
        return Optional.of(new EngineContainer(
                "c1",
                state,
                Optional.ofNullable(exitCode),
                false,
                Optional.of(STARTED),
                Optional.of(FINISHED),
                2,
                Optional.ofNullable(health)));
    }

    @Test
    void anExitedContainerIsStoppedWhenTheServiceStoppedItAndExitedOtherwise() {
        assertThat(ContainerStatus.of(engine(State.EXITED, 143, null), true).state())
                .isEqualTo(ContainerStatus.State.STOPPED);
        ContainerStatus exited = ContainerStatus.of(engine(State.EXITED, 3, null), false);
        assertThat(exited.state()).isEqualTo(ContainerStatus.State.EXITED);
        assertThat(exited.exitCode()).contains(3);
        assertThat(exited.finishedAt()).contains(FINISHED);
        assertThat(ContainerStatus.of(engine(State.DEAD, 137, null), false).state())
                .isEqualTo(ContainerStatus.State.EXITED);
    }

    @Test
    void aRunningContainerHasNoExitCodeOrFinishTimeButItsHealthAndRestarts() {
        ContainerStatus running = ContainerStatus.of(engine(State.RUNNING, 0, "healthy"), false);
        assertThat(running.state()).isEqualTo(ContainerStatus.State.RUNNING);
        assertThat(running.exitCode()).isEmpty();
        assertThat(running.finishedAt()).isEmpty();
        assertThat(running.startedAt()).contains(STARTED);
        assertThat(running.restartCount()).isEqualTo(2);
        assertThat(running.health()).contains(ContainerStatus.Health.HEALTHY);
        assertThat(ContainerStatus.of(engine(State.RUNNING, null, "starting"), false)
                        .health())
                .contains(ContainerStatus.Health.STARTING);
        assertThat(ContainerStatus.of(engine(State.PAUSED, null, "unhealthy"), false)
                        .health())
                .contains(ContainerStatus.Health.UNHEALTHY);
        assertThat(ContainerStatus.of(engine(State.EXITED, 1, "unhealthy"), false)
                        .health())
                .as("a health of a stopped container is stale")
                .isEmpty();
    }

    @Test
    void noContainerOrOneBeingRemovedIsMissing() {
        assertThat(ContainerStatus.of(Optional.empty(), false)).isEqualTo(ContainerStatus.MISSING);
        assertThat(ContainerStatus.of(engine(State.REMOVING, null, null), false).state())
                .isEqualTo(ContainerStatus.State.MISSING);
    }

    @Test
    void onlyARunningContainerTakesShells() {
        assertThat(ContainerStatus.of(engine(State.RUNNING, null, null), false).acceptsShells())
                .isTrue();
        for (State s : new State[] {State.PAUSED, State.EXITED, State.CREATED, State.RESTARTING}) {
            assertThat(ContainerStatus.of(engine(s, null, null), false).acceptsShells())
                    .as(s.name())
                    .isFalse();
        }
    }
}
