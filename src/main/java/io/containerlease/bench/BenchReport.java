package io.containerlease.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Prints results as a table, and writes them as {@code {scenarios: [...]}} JSON. */
public final class BenchReport {
    private BenchReport() {}

    public static void print(List<BenchResult> results, PrintStream out) {
        out.printf("%-24s %12s %12s %8s  %-8s %s%n", "scenario", "service", "baseline", "ratio", "unit", "detail");
        for (BenchResult r : results) {
            out.printf("%-24s %12.2f %12.2f %8.2f  %-8s %s%n", r.name(), r.service(), r.baseline(), r.ratio(), r.unit(), r.detail());
        }
    }

    public static void writeJson(List<BenchResult> results, Path file) throws IOException {
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), Map.of("scenarios", results));
    }
}
