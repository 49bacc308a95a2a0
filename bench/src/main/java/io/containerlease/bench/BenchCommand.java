package io.containerlease.bench;

import io.containerlease.support.RedisServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Measures the service next to raw Docker on this machine, in one run, with its own servers, data
 * directories and containers, all removed afterwards. Not a test: it asserts only that chaos leaked
 * nothing (the exit code is 1 otherwise).
 */
@Command(name = "bench", mixinStandardHelpOptions = true, version = "containerlease bench 0.1.0",
        description = "Measure the service next to raw Docker on this machine (starts its own servers).")
public final class BenchCommand implements Callable<Integer> {

    /** bin/containerlease bench: the bench is its own program, outside the service's jar. */
    public static void main(String[] args) {
        System.exit(new picocli.CommandLine(new BenchCommand()).execute(args));
    }
    @Option(names = "--quick", description = "Smaller samples; a few minutes on two cores.")
    boolean quick;

    @Option(names = "--restart-engine", description = "Chaos also stops and restarts the local Docker engine under load. "
            + "That stops every container on the host, so it is refused while any container but the bench's own runs.")
    boolean restartEngine;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the results as JSON to FILE.")
    Path json;

    @Option(names = "--markdown", paramLabel = "FILE", description = "Where a full run writes its report (default BENCHMARKS.md).")
    Path markdown = Path.of("BENCHMARKS.md");

    @Option(names = "--notes", paramLabel = "FILE", description = "Text appended to the Markdown report (what limits each ratio).")
    Path notes;

    @Option(names = "--only-cluster", description = "Run only the several-servers scenarios (one Redis, kill -9 and SIGSTOP of a server) "
            + "and print them; BENCHMARKS.md is left alone.")
    boolean onlyCluster;

    @Option(names = "--only-pool", description = "Run only the warm pool's scenarios (warm-provision) and print them; BENCHMARKS.md is left alone.")
    boolean onlyPool;

    @Option(names = "--only-sessions", description = "Run only the live-session scenarios (terminal echo, log throughput) and print them; "
            + "BENCHMARKS.md is left alone.")
    boolean onlySessions;

    @Option(names = "--only-restart", description = "Run only the restart-with-many-leases scenario and print it; BENCHMARKS.md is left alone.")
    boolean onlyRestart;

    @Option(names = "--only-leases", description = "Run only the lease lifecycle scenarios (cold provision, throughput, bulk release, expiry lag) "
            + "and print them; BENCHMARKS.md is left alone.")
    boolean onlyLeases;

    @Override
    public Integer call() throws Exception {
        System.setProperty("containerlease.log.level", "WARN");
        Path workDir = Files.createTempDirectory("containerlease-bench-");
        if (onlyCluster) {
            var cluster = new ClusterChaosBench(quick ? ClusterChaosBench.Sizes.QUICK : ClusterChaosBench.Sizes.FULL, workDir);
            List<BenchResult> results = cluster.run();
            BenchReport.print(results, null, System.out);
            cluster.outcomes().forEach(System.out::println);
            return cluster.outcomes().stream().allMatch(ClusterChaosBench.Outcome::clean) ? 0 : 1;
        }
        WarmPoolBench.Sizes poolSizes = quick ? WarmPoolBench.Sizes.QUICK : WarmPoolBench.Sizes.FULL;
        if (onlyPool) {
            BenchReport.print(new WarmPoolBench(poolSizes, workDir).run(), null, System.out);
            return 0;
        }
        RestartBench.Sizes restartSizes = quick ? RestartBench.Sizes.QUICK : RestartBench.Sizes.FULL;
        if (onlyRestart) {
            BenchReport.print(new RestartBench(restartSizes, workDir).run(), null, System.out);
            return 0;
        }
        LeaseBench.Sizes leaseSizes = quick ? LeaseBench.Sizes.QUICK : LeaseBench.Sizes.FULL;
        if (onlyLeases) {
            BenchReport.print(new LeaseBench(leaseSizes, workDir).run(), null, System.out);
            return 0;
        }
        SessionBench.Sizes sessionSizes = quick ? SessionBench.Sizes.QUICK : SessionBench.Sizes.FULL;
        if (onlySessions) {
            BenchReport.print(new SessionBench(sessionSizes, workDir).run(), null, System.out);
            return 0;
        }
        List<BenchResult> results = new ArrayList<>();
        results.addAll(new LeaseBench(leaseSizes, workDir).run());
        results.addAll(new WarmPoolBench(poolSizes, workDir).run());
        results.addAll(new RestartBench(restartSizes, workDir).run());
        // The same provisioning on the Redis store, in the same run, when redis-server is installed (bin/test installs it).
        if (RedisServer.installed()) {
            try (RedisServer redis = RedisServer.start(workDir.resolve("redis"))) {
                results.addAll(new LeaseBench(leaseSizes, workDir, java.util.Optional.of(redis.url())).run());
            }
        }
        ClusterChaosBench cluster = new ClusterChaosBench(quick ? ClusterChaosBench.Sizes.QUICK : ClusterChaosBench.Sizes.FULL, workDir);
        if (RedisServer.installed()) {
            results.addAll(cluster.run());
        }
        results.addAll(new SessionBench(sessionSizes, workDir).run());
        results.addAll(new FootprintBench(quick ? FootprintBench.Sizes.QUICK : FootprintBench.Sizes.FULL, workDir).run());
        ChaosBench.Outcome chaos = new ChaosBench((quick ? ChaosBench.Sizes.QUICK : ChaosBench.Sizes.FULL)
                .withEngineRestart(restartEngine), workDir).run();
        BenchReport.print(results, chaos, System.out);
        if (json != null) {
            BenchReport.writeJson(results, chaos, json);
        }
        if (!quick) {
            BenchReport.writeMarkdown(results, chaos, notes == null ? "" : Files.readString(notes), markdown);
            System.out.println("wrote " + markdown.toAbsolutePath());
        }
        boolean clean = chaos.orphans() == 0 && chaos.lost() == 0 && cluster.outcomes().stream().allMatch(ClusterChaosBench.Outcome::clean);
        return clean ? 0 : 1;
    }
}
