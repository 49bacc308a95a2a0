package io.containerlease.lease;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Every limit a catalog entry is checked against takes its own edges and refuses one step past
 * them: a limit off by one would let an operator's typo through, or refuse a sane entry.
 */
class ImageSpecBoundsTest {
    private static ImageSpec spec(long memoryMb, double cpus, long pidsLimit) {
        return new ImageSpec(
                "bounds",
                "busybox:1.36",
                List.of(),
                List.of("/bin/sh"),
                memoryMb,
                cpus,
                pidsLimit,
                ImageSpec.PullPolicy.NEVER,
                "none",
                SessionRules.NONE,
                Optional.empty(),
                false,
                ImageSpec.DiskLimits.DEFAULT,
                ImageSpec.Lifecycle.DEFAULT,
                ImageSpec.Program.NONE);
    }

    private static void accepted(Executable make) {
        assertThatCode(make::execute).doesNotThrowAnyException();
    }

    private static void refused(Executable make, String saying) {
        assertThatThrownBy(make::execute)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(saying);
    }

    @Test
    void memoryCpusAndProcesses() {
        accepted(() -> spec(6, 0.01, 1));
        accepted(() -> spec(65_536, 64, 65_536));
        refused(() -> spec(5, 1, 64), "memoryMb");
        refused(() -> spec(65_537, 1, 64), "memoryMb");
        refused(() -> spec(64, 0.009, 64), "cpus");
        refused(() -> spec(64, 64.01, 64), "cpus");
        refused(() -> spec(64, Double.NaN, 64), "cpus");
        refused(() -> spec(64, 1, 0), "pidsLimit");
        refused(() -> spec(64, 1, 65_537), "pidsLimit");
    }

    @Test
    void restarts() {
        accepted(() -> new ImageSpec.Lifecycle(ImageSpec.OnExit.KEEP, 0, Optional.empty(), false));
        accepted(() -> new ImageSpec.Lifecycle(ImageSpec.OnExit.KEEP, 100, Optional.empty(), false));
        refused(() -> new ImageSpec.Lifecycle(ImageSpec.OnExit.KEEP, -1, Optional.empty(), false), "restart");
        refused(() -> new ImageSpec.Lifecycle(ImageSpec.OnExit.KEEP, 101, Optional.empty(), false), "restart");
    }

    private static ImageSpec.HealthCheck check(List<String> command, long intervalS, long timeoutS, int retries) {
        return new ImageSpec.HealthCheck(command, Duration.ofSeconds(intervalS), Duration.ofSeconds(timeoutS), retries);
    }

    @Test
    void healthChecks() {
        List<String> probe = List.of("true");
        accepted(() -> check(probe, 1, 1, 1));
        accepted(() -> check(probe, 3600, 3600, 100));
        refused(() -> check(List.of(), 1, 1, 1), "command");
        refused(() -> check(probe, 0, 1, 1), "intervalSeconds");
        refused(() -> check(probe, 3601, 1, 1), "intervalSeconds");
        refused(() -> check(probe, 1, 0, 1), "timeoutSeconds");
        refused(() -> check(probe, 1, 3601, 1), "timeoutSeconds");
        refused(() -> check(probe, 1, 1, 0), "retries");
        refused(() -> check(probe, 1, 1, 101), "retries");
    }

    private static ImageSpec.Code code(long graceS, long timeoutS) {
        return new ImageSpec.Code("/app", List.of(), Duration.ofSeconds(graceS), Duration.ofSeconds(timeoutS));
    }

    @Test
    void codeUpdates() {
        accepted(() -> code(1, 1));
        accepted(() -> code(300, 600));
        refused(() -> code(0, 10), "graceSeconds");
        refused(() -> code(301, 10), "graceSeconds");
        refused(() -> code(10, 0), "timeoutSeconds");
        refused(() -> code(10, 601), "timeoutSeconds");
    }

    @Test
    void disk() {
        accepted(() -> new ImageSpec.DiskLimits(1, 1, Optional.of(16)));
        accepted(() -> new ImageSpec.DiskLimits(1024, 20, Optional.of(1_048_576)));
        refused(() -> new ImageSpec.DiskLimits(0, 2, Optional.empty()), "logMaxSizeMb");
        refused(() -> new ImageSpec.DiskLimits(1025, 2, Optional.empty()), "logMaxSizeMb");
        refused(() -> new ImageSpec.DiskLimits(10, 0, Optional.empty()), "logMaxFiles");
        refused(() -> new ImageSpec.DiskLimits(10, 21, Optional.empty()), "logMaxFiles");
        refused(() -> new ImageSpec.DiskLimits(10, 2, Optional.of(15)), "diskMb");
        refused(() -> new ImageSpec.DiskLimits(10, 2, Optional.of(1_048_577)), "diskMb");
    }
}
