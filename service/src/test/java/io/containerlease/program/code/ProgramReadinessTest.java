package io.containerlease.program.code;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.containerlease.lease.EngineContainer;
import io.containerlease.lease.EngineContainer.State;
import io.containerlease.lease.ImageSpec;
import io.containerlease.program.ProgramException;
import io.containerlease.support.ImageSpecs;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * When a program counts as up after its code changed, told by a scripted engine and a clock that
 * moves only when the wait sleeps: so every edge of the timeout and the grace period is exact.
 */
class ProgramReadinessTest {
    private static final Instant STARTED = Instant.parse("2026-01-01T00:00:00Z");

    /** The engine's answers in order; the last one repeats. Counts how often it was asked. */
    private static final class Script {
        private final List<Optional<EngineContainer>> answers = new ArrayList<>();
        int asked;

        Script then(EngineContainer answer) {
            answers.add(Optional.of(answer));
            return this;
        }

        Script thenGone() {
            answers.add(Optional.empty());
            return this;
        }

        Optional<EngineContainer> inspect(String container) {
            assertThat(container).isEqualTo("cl-x");
            return answers.get(Math.min(asked++, answers.size() - 1));
        }
    }

    /** Time that passes only by sleeping. */
    private static final class SleptTime implements ProgramReadiness.Ticks {
        long nanos = 1_000; // not zero: a deadline is a sum, not a constant

        @Override
        public long nanoTime() {
            return nanos;
        }

        @Override
        public void sleep(Duration duration) {
            nanos += duration.toNanos();
        }
    }

    private final SleptTime time = new SleptTime();

    private static EngineContainer running(Optional<String> health) {
        return new EngineContainer(
                "c1", State.RUNNING, Optional.empty(), false, Optional.of(STARTED), Optional.empty(), 0, health);
    }

    private static EngineContainer health(String status) {
        return running(Optional.of(status));
    }

    private static EngineContainer ended(State state, Optional<Integer> exit) {
        return new EngineContainer(
                "c1", state, exit, false, Optional.of(STARTED), Optional.of(STARTED), 0, Optional.empty());
    }

    /** The built-in busybox with code at /app (grace 1 s, timeout 1 s) and, when asked, a health check. */
    private static ImageSpec spec(boolean healthCheck) {
        var code = new ImageSpec.Code("/app", List.of(), Duration.ofSeconds(1), Duration.ofSeconds(1));
        var lifecycle = new ImageSpec.Lifecycle(
                ImageSpec.OnExit.KEEP,
                0,
                healthCheck
                        ? Optional.of(new ImageSpec.HealthCheck(
                                List.of("true"), Duration.ofSeconds(1), Duration.ofSeconds(1), 1))
                        : Optional.empty(),
                false);
        return ImageSpecs.busyboxAs("busybox", lifecycle, new ImageSpec.Program(false, Optional.of(code)));
    }

    private Optional<String> await(Script script, boolean healthCheck) throws InterruptedException {
        return new ProgramReadiness(script::inspect, time).awaitUp("cl-x", spec(healthCheck));
    }

    @Test
    void withAHealthCheckItIsUpWhenTheEngineSaysHealthyAndAskedNoMoreAfterThat() throws Exception {
        Script script =
                new Script().then(health("starting")).then(health("starting")).then(health("healthy"));
        assertThat(await(script, true)).isEmpty();
        assertThat(script.asked).isEqualTo(3);
    }

    @Test
    void unhealthyOrExitedFailsAtOnceSayingWhich() throws Exception {
        assertThat(await(new Script().then(health("unhealthy")), true)).contains("the health check failed");
        assertThat(await(new Script().then(ended(State.EXITED, Optional.of(3))), true))
                .contains("the program exited with 3");
        assertThat(await(new Script().then(ended(State.DEAD, Optional.empty())), true))
                .contains("the program exited");
        assertThat(time.nanos).as("no wait for a verdict already given").isEqualTo(1_000);
    }

    @Test
    void aHealthCheckThatNeverPassesFailsAtTheTimeoutExactly() throws Exception {
        Script script = new Script().then(health("starting"));
        assertThat(await(script, true)).contains("the health check did not pass within 1 s");
        // asked at 0, 200, 400, 600 and 800 ms; at 1 s the timeout is over
        assertThat(script.asked).isEqualTo(5);
        assertThat(time.nanos - 1_000).isEqualTo(Duration.ofSeconds(1).toNanos());
    }

    @Test
    void withoutAHealthCheckItIsUpOnceItStayedRunningForTheWholeGrace() throws Exception {
        Script script = new Script().then(running(Optional.empty()));
        assertThat(await(script, false)).isEmpty();
        // asked at 0, 200, 400, 600, 800 ms and 1 s, when the grace is over
        assertThat(script.asked).isEqualTo(6);
        assertThat(time.nanos - 1_000).isEqualTo(Duration.ofSeconds(1).toNanos());
    }

    @Test
    void aProgramThatExitsWithinTheGraceFailsSayingHow() throws Exception {
        Script script = new Script()
                .then(running(Optional.empty()))
                .then(running(Optional.empty()))
                .then(ended(State.EXITED, Optional.of(2)));
        assertThat(await(script, false)).contains("the program did not stay up for 1 s (it exited with 2)");
        assertThat(script.asked).isEqualTo(3);
    }

    @Test
    void aProgramRestartedWithinTheGraceFailsThoughItRunsAgain() throws Exception {
        EngineContainer restartedLater = new EngineContainer(
                "c1",
                State.RUNNING,
                Optional.empty(),
                false,
                Optional.of(STARTED.plusSeconds(1)),
                Optional.empty(),
                0,
                Optional.empty());
        EngineContainer restartedByEngine = new EngineContainer(
                "c1",
                State.RUNNING,
                Optional.empty(),
                false,
                Optional.of(STARTED),
                Optional.empty(),
                1,
                Optional.empty());
        assertThat(await(new Script().then(running(Optional.empty())).then(restartedLater), false))
                .contains("the program did not stay up for 1 s");
        assertThat(await(new Script().then(running(Optional.empty())).then(restartedByEngine), false))
                .contains("the program did not stay up for 1 s");
    }

    @Test
    void aProgramNotRunningAtTheFirstLookFailsAtOnce() throws Exception {
        Script paused = new Script()
                .then(new EngineContainer(
                        "c1",
                        State.PAUSED,
                        Optional.empty(),
                        false,
                        Optional.of(STARTED),
                        Optional.empty(),
                        0,
                        Optional.empty()));
        assertThat(await(paused, false)).contains("the program did not stay up for 1 s");
        assertThat(paused.asked).isEqualTo(1);
    }

    @Test
    void aContainerThatIsGoneEndsTheWaitAsALeaseNoLongerRunning() {
        for (boolean healthCheck : List.of(true, false)) {
            Script script = new Script().then(running(Optional.of("starting"))).thenGone();
            assertThatThrownBy(() -> await(script, healthCheck))
                    .isInstanceOfSatisfying(
                            ProgramException.class, e -> assertThat(e.kind()).isEqualTo(ProgramException.Kind.GONE))
                    .hasMessageContaining("gone");
        }
    }
}
