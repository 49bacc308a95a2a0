package io.containerlease.program.code;

import io.containerlease.lease.EngineContainer;
import io.containerlease.lease.ImageSpec;
import io.containerlease.program.ProgramException;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;

/**
 * Whether a program came up after its code changed: healthy by the engine's health check when its
 * image has one, otherwise up and not restarted for the code's grace period.
 */
final class ProgramReadiness {
    /** How often the container is asked while waiting. */
    private static final Duration POLL = Duration.ofMillis(200);

    /** The passing of time as a wait sees it: the machine's, or a test's that moves only when slept. */
    interface Ticks {
        Ticks SYSTEM = new Ticks() {
            @Override
            public long nanoTime() {
                return System.nanoTime();
            }

            @Override
            public void sleep(Duration duration) throws InterruptedException {
                Thread.sleep(duration);
            }
        };

        long nanoTime();

        void sleep(Duration duration) throws InterruptedException;
    }

    private final Function<String, Optional<EngineContainer>> inspect;
    private final Ticks ticks;

    /** @param inspect what the engine says of a container now; empty when it is gone */
    ProgramReadiness(Function<String, Optional<EngineContainer>> inspect, Ticks ticks) {
        this.inspect = inspect;
        this.ticks = ticks;
    }

    /** Empty when the program in {@code container} came up, else what went wrong, in a client's words. */
    Optional<String> awaitUp(String container, ImageSpec spec) throws InterruptedException {
        ImageSpec.Code code = spec.program().code().orElseThrow();
        return spec.lifecycle().healthCheck().isPresent()
                ? awaitHealthy(container, code)
                : awaitStaying(container, code);
    }

    /** The engine's health check must say healthy within the code's timeout; unhealthy or an exit fails at once. */
    private Optional<String> awaitHealthy(String container, ImageSpec.Code code) throws InterruptedException {
        long deadline = ticks.nanoTime() + code.timeout().toNanos();
        while (ticks.nanoTime() < deadline) {
            EngineContainer now = inspect(container);
            if (now.state() == EngineContainer.State.EXITED || now.state() == EngineContainer.State.DEAD) {
                return Optional.of("the program exited"
                        + now.exitCode().map(c -> " with " + c).orElse(""));
            }
            if (now.health().filter("healthy"::equals).isPresent()) {
                return Optional.empty();
            }
            if (now.health().filter("unhealthy"::equals).isPresent()) {
                return Optional.of("the health check failed");
            }
            ticks.sleep(POLL);
        }
        return Optional.of(
                "the health check did not pass within " + code.timeout().toSeconds() + " s");
    }

    /** Without a health check, the program must stay up (not exit, not be restarted) for the grace period. */
    private Optional<String> awaitStaying(String container, ImageSpec.Code code) throws InterruptedException {
        EngineContainer first = inspect(container);
        long deadline = ticks.nanoTime() + code.grace().toNanos();
        EngineContainer now = first;
        while (true) {
            if (now.state() != EngineContainer.State.RUNNING
                    || !now.startedAt().equals(first.startedAt())
                    || now.restartCount() != first.restartCount()) {
                String exit = now.state() == EngineContainer.State.RUNNING
                        ? ""
                        : now.exitCode().map(c -> " (it exited with " + c + ")").orElse("");
                return Optional.of(
                        "the program did not stay up for " + code.grace().toSeconds() + " s" + exit);
            }
            if (ticks.nanoTime() >= deadline) {
                return Optional.empty();
            }
            ticks.sleep(POLL);
            now = inspect(container);
        }
    }

    private EngineContainer inspect(String container) {
        return inspect.apply(container)
                .orElseThrow(() -> new ProgramException(
                        ProgramException.Kind.GONE, "lease_not_running", "the lease's container is gone"));
    }
}
