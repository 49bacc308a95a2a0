package io.containerlease.cli;

import io.containerlease.bench.BenchReport;
import io.containerlease.bench.BenchResult;
import io.containerlease.bench.SessionBench;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Measures the service next to raw Docker on this machine, in one run, with its own server, data
 * directory and containers, all removed afterwards. Not a test: it asserts nothing.
 */
@Command(name = "bench", description = "Measure the service next to raw Docker on this machine (starts its own server).")
public final class BenchCommand implements Callable<Integer> {
    @Option(names = "--quick", description = "Smaller samples; finishes in a minute or two.")
    boolean quick;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the results as JSON to FILE.")
    Path json;

    @Override
    public Integer call() throws Exception {
        System.setProperty("containerlease.log.level", "WARN");
        Path workDir = Files.createTempDirectory("containerlease-bench-");
        List<BenchResult> results = new ArrayList<>(
                new SessionBench(quick ? SessionBench.Sizes.QUICK : SessionBench.Sizes.FULL, workDir).run());
        BenchReport.print(results, System.out);
        if (json != null) {
            BenchReport.writeJson(results, json);
        }
        return 0;
    }
}
