package io.containerlease;

import static org.assertj.core.api.Assertions.assertThat;

import io.containerlease.bench.BenchResult;
import io.containerlease.bench.SessionBench;
import io.containerlease.support.TestDocker;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the benchmark's code paths on tiny sizes so it cannot rot. Asserts shape, never speed. */
class BenchSmokeIT {
    @TempDir
    Path workDir;

    @Test
    void sessionBenchRunsAndCleansUp() throws Exception {
        List<BenchResult> results = new SessionBench(SessionBench.Sizes.SMOKE, workDir).run();
        assertThat(results).extracting(BenchResult::name)
                .containsExactly("terminal-echo-p50", "terminal-echo-p99", "log-lines-per-second");
        assertThat(results).allSatisfy(r -> {
            assertThat(r.service()).isPositive();
            assertThat(r.baseline()).isPositive();
        });
        assertThat(TestDocker.client().listContainersCmd().withShowAll(true)
                .withLabelFilter(List.of("containerlease.lease-id")).exec()).isEmpty();
    }
}
