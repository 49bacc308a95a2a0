package io.containerlease.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.model.HostConfig;
import io.containerlease.support.RunLabels;
import io.containerlease.support.TestDocker;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Runs the benchmark's code paths on tiny sizes so it cannot rot. Asserts shape and cleanliness, never speed. */
@Timeout(600)
class BenchSmokeIT {
    @TempDir
    Path workDir;

    @Test
    void everyBenchRunsAndCleansUp() throws Exception {
        List<BenchResult> results = new java.util.ArrayList<>(new LeaseBench(LeaseBench.Sizes.SMOKE, workDir).run());
        results.addAll(new WarmPoolBench(WarmPoolBench.Sizes.SMOKE, workDir).run());
        results.addAll(new RestartBench(RestartBench.Sizes.SMOKE, workDir).run());
        results.addAll(new ScaleBench(ScaleBench.Sizes.SMOKE, workDir).run());
        try (var redis = io.containerlease.support.RedisServer.start(workDir.resolve("redis"))) {
            results.addAll(new LeaseBench(LeaseBench.Sizes.SMOKE, workDir, java.util.Optional.of(redis.url())).run());
        }
        results.addAll(new SessionBench(SessionBench.Sizes.SMOKE, workDir).run());
        results.addAll(new FilesBench(FilesBench.Sizes.SMOKE, workDir).run());
        results.addAll(new PreviewBench(PreviewBench.Sizes.SMOKE, workDir).run());
        results.addAll(new FootprintBench(FootprintBench.Sizes.SMOKE, workDir).run());
        assertThat(results)
                .extracting(BenchResult::name)
                .contains(
                        "cold-provision-p50",
                        "throughput",
                        "bulk-release",
                        "warm-provision-p50",
                        "warm-provision-16-clients-p99",
                        "warm-provision-hit-rate",
                        "warm-provision-first-burst-hit-rate",
                        "scale-throughput",
                        "scale-list-p99",
                        "scale-rss",
                        "scale-expiry-start-p99",
                        "scale-expiry-gone",
                        "scale-events-heard",
                        "scale-events-lag-p99",
                        "restart-api-open",
                        "restart-expired-gone-p99",
                        "restart-expiry-lag-after-p99",
                        "cold-provision-p50-redis",
                        "throughput-redis",
                        "expiry-lag-start-p99",
                        "terminal-echo-p50",
                        "log-lines-per-second",
                        "files-download-MiB-per-s",
                        "files-upload-MiB-per-s",
                        "preview-warm-p50",
                        "preview-first-p50",
                        "footprint-rss-idle",
                        "store-timers-bytes-per-lease",
                        "log-flood-peak-rss",
                        "store-ended-leases-MiB",
                        "store-purge-seconds");
        assertThat(results).allSatisfy(r -> assertThat(r.service()).as(r.name()).isNotNaN());

        var cluster = new ClusterChaosBench(ClusterChaosBench.Sizes.SMOKE, workDir);
        assertThat(cluster.run())
                .extracting(BenchResult::name)
                .contains(
                        "cluster-kill-expiry-lag-p99",
                        "cluster-freeze-expiry-lag-p99",
                        "cluster-redis-restart-catch-up-p99");
        assertThat(cluster.outcomes())
                .allSatisfy(o -> assertThat(o.clean()).as(o.toString()).isTrue());

        ChaosBench.Outcome chaos = new ChaosBench(ChaosBench.Sizes.SMOKE, workDir).run();
        assertThat(chaos.orphans()).isZero();
        assertThat(chaos.lost()).isZero();
        assertThat(TestDocker.containersOfThisRun())
                .as("the bench removes what it made")
                .isEmpty();
    }

    /** Restarting the engine stops every container on the host: refused while one that is not the bench's runs. */
    @Test
    void theEngineIsNotRestartedUnderSomeoneElsesContainers() throws Exception {
        var client = TestDocker.client();
        String id = client.createContainerCmd("containerlease/busybox:latest")
                .withCmd("sleep", "60")
                .withLabels(RunLabels.labels())
                .withHostConfig(HostConfig.newHostConfig().withNetworkMode("none"))
                .exec()
                .getId();
        try {
            client.startContainerCmd(id).exec();
            String whyNot = new EngineRestart().whyNot("the-bench's-own-instance");
            assertThat(whyNot)
                    .as("never allowed with someone else's container running")
                    .isNotNull();
            if (!whyNot.startsWith("needs root")
                    && !whyNot.startsWith("no local dockerd")
                    && !whyNot.startsWith("DOCKER_HOST")) {
                assertThat(whyNot).contains("would be stopped");
            }
        } finally {
            TestDocker.removeIfPresent(id);
        }
    }
}
