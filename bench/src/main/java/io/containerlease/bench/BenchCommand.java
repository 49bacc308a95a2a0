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
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        version = "containerlease bench 0.1.0",
        description = "Measure the service next to raw Docker on this machine (starts its own servers).")
public final class BenchCommand implements Callable<Integer> {

    /** bin/containerlease bench: the bench is its own program, outside the service's jar. */
    public static void main(String[] args) {
        System.exit(new picocli.CommandLine(new BenchCommand()).execute(args));
    }

    @Option(names = "--quick", description = "Smaller samples; a few minutes on two cores.")
    boolean quick;

    @Option(
            names = "--restart-engine",
            description =
                    "Chaos also stops and restarts the local Docker engine under load, and deadman "
                            + "with no server alive. "
                            + "That stops every container on the host, so it is refused while any container but the bench's own runs.")
    boolean restartEngine;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the results as JSON to FILE.")
    Path json;

    @Option(
            names = "--markdown",
            paramLabel = "FILE",
            description = "Where a full run writes its report (default BENCHMARKS.md).")
    Path markdown = Path.of("BENCHMARKS.md");

    @Option(
            names = "--notes",
            paramLabel = "FILE",
            description = "Text appended to the Markdown report (what limits each ratio).")
    Path notes;

    /** The groups {@code --only} runs by themselves. */
    enum Group {
        LEASES,
        POOL,
        RESTART,
        SESSIONS,
        CLUSTER,
        HOSTILE,
        DEADMAN,
        KUBERNETES,
        FILES,
        PREVIEWS,
        SCALE
    }

    @Option(
            names = "--only",
            paramLabel = "GROUP",
            description = "Run one group and print it, leaving BENCHMARKS.md alone: "
                    + "leases (cold provision, throughput, bulk release, expiry lag), pool (warm-provision), restart (many leases), "
                    + "sessions (terminal echo, log throughput), cluster (several servers on one Redis: kill -9, SIGSTOP, Redis restart), "
                    + "hostile (a tenant's floods: memory, and another user's latency meanwhile), "
                    + "deadman (containers ending themselves with no server alive), "
                    + "kubernetes (a reconcile pass over 10,000 lease pods and the event watch under 1,000 pod changes, on an API server mock), "
                    + "files (download and upload throughput next to docker exec), "
                    + "previews (a web app's requests through its preview link), "
                    + "scale (a thousand leases on one host: throughput, listing, memory, expiry).",
            converter = GroupConverter.class)
    Group only;

    @Option(
            names = "--only-cluster",
            hidden = true,
            description = "The same as --only cluster (kept for older scripts).")
    boolean onlyCluster;

    static final class GroupConverter implements picocli.CommandLine.ITypeConverter<Group> {
        @Override
        public Group convert(String value) {
            return Group.valueOf(value.toUpperCase(java.util.Locale.ROOT));
        }
    }

    @Override
    public Integer call() throws Exception {
        System.setProperty("containerlease.log.level", "WARN");
        Path workDir = Files.createTempDirectory("containerlease-bench-");
        if (onlyCluster) {
            only = Group.CLUSTER;
        }
        LeaseBench.Sizes leaseSizes = quick ? LeaseBench.Sizes.QUICK : LeaseBench.Sizes.FULL;
        WarmPoolBench.Sizes poolSizes = quick ? WarmPoolBench.Sizes.QUICK : WarmPoolBench.Sizes.FULL;
        RestartBench.Sizes restartSizes = quick ? RestartBench.Sizes.QUICK : RestartBench.Sizes.FULL;
        SessionBench.Sizes sessionSizes = quick ? SessionBench.Sizes.QUICK : SessionBench.Sizes.FULL;
        if (only != null) {
            if (only == Group.CLUSTER) {
                var cluster = new ClusterChaosBench(
                        quick ? ClusterChaosBench.Sizes.QUICK : ClusterChaosBench.Sizes.FULL, workDir);
                BenchReport.print(cluster.run(), null, System.out);
                cluster.outcomes().forEach(System.out::println);
                return cluster.outcomes().stream().allMatch(ClusterChaosBench.Outcome::clean) ? 0 : 1;
            }
            List<BenchResult> group = switch (only) {
                case LEASES -> new LeaseBench(leaseSizes, workDir).run();
                case POOL -> new WarmPoolBench(poolSizes, workDir).run();
                case RESTART -> new RestartBench(restartSizes, workDir).run();
                case SESSIONS -> new SessionBench(sessionSizes, workDir).run();
                case HOSTILE ->
                    new HostileBench(quick ? HostileBench.Sizes.QUICK : HostileBench.Sizes.FULL, workDir).run();
                case KUBERNETES ->
                    new KubernetesScaleBench(quick ? KubernetesScaleBench.Sizes.QUICK : KubernetesScaleBench.Sizes.FULL)
                            .run();
                case DEADMAN ->
                    new DeadmanBench(quick ? DeadmanBench.Sizes.QUICK : DeadmanBench.Sizes.FULL, workDir, restartEngine)
                            .run();
                case FILES -> new FilesBench(quick ? FilesBench.Sizes.QUICK : FilesBench.Sizes.FULL, workDir).run();
                case PREVIEWS ->
                    new PreviewBench(quick ? PreviewBench.Sizes.QUICK : PreviewBench.Sizes.FULL, workDir).run();
                case SCALE -> new ScaleBench(quick ? ScaleBench.Sizes.QUICK : ScaleBench.Sizes.FULL, workDir).run();
                case CLUSTER -> throw new IllegalStateException("handled above");
            };
            BenchReport.print(group, null, System.out);
            return 0;
        }
        List<BenchResult> results = new ArrayList<>();
        results.addAll(new LeaseBench(leaseSizes, workDir).run());
        results.addAll(new WarmPoolBench(poolSizes, workDir).run());
        results.addAll(new RestartBench(restartSizes, workDir).run());
        results.addAll(new ScaleBench(quick ? ScaleBench.Sizes.QUICK : ScaleBench.Sizes.FULL, workDir).run());
        // The same provisioning on the Redis store, in the same run, when redis-server is installed (bin/test installs
        // it).
        if (RedisServer.installed()) {
            try (RedisServer redis = RedisServer.start(workDir.resolve("redis"))) {
                results.addAll(new LeaseBench(leaseSizes, workDir, java.util.Optional.of(redis.url())).run());
            }
        }
        ClusterChaosBench cluster =
                new ClusterChaosBench(quick ? ClusterChaosBench.Sizes.QUICK : ClusterChaosBench.Sizes.FULL, workDir);
        if (RedisServer.installed()) {
            results.addAll(cluster.run());
        }
        results.addAll(new SessionBench(sessionSizes, workDir).run());
        results.addAll(new FilesBench(quick ? FilesBench.Sizes.QUICK : FilesBench.Sizes.FULL, workDir).run());
        results.addAll(new PreviewBench(quick ? PreviewBench.Sizes.QUICK : PreviewBench.Sizes.FULL, workDir).run());
        results.addAll(
                new FootprintBench(quick ? FootprintBench.Sizes.QUICK : FootprintBench.Sizes.FULL, workDir).run());
        results.addAll(new HostileBench(quick ? HostileBench.Sizes.QUICK : HostileBench.Sizes.FULL, workDir).run());
        results.addAll(
                new DeadmanBench(quick ? DeadmanBench.Sizes.QUICK : DeadmanBench.Sizes.FULL, workDir, restartEngine)
                        .run());
        ChaosBench.Outcome chaos = new ChaosBench(
                        (quick ? ChaosBench.Sizes.QUICK : ChaosBench.Sizes.FULL).withEngineRestart(restartEngine),
                        workDir)
                .run();
        BenchReport.print(results, chaos, System.out);
        if (json != null) {
            BenchReport.writeJson(results, chaos, json);
        }
        if (!quick) {
            BenchReport.writeMarkdown(results, chaos, notes == null ? "" : Files.readString(notes), markdown);
            System.out.println("wrote " + markdown.toAbsolutePath());
        }
        boolean clean = chaos.orphans() == 0
                && chaos.lost() == 0
                && cluster.outcomes().stream().allMatch(ClusterChaosBench.Outcome::clean);
        return clean ? 0 : 1;
    }
}
