package io.containerlease.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Prints results as a table, and writes them as {@code {scenarios: [...], chaos: {...}}} JSON or as Markdown. */
public final class BenchReport {
    private BenchReport() {}

    public static void print(List<BenchResult> results, ChaosBench.Outcome chaos, PrintStream out) {
        out.printf("%-30s %12s %12s %8s  %-8s %s%n", "scenario", "service", "baseline", "ratio", "unit", "detail");
        for (BenchResult r : results) {
            out.printf(
                    "%-30s %12.3f %12.3f %8.2f  %-8s %s%n",
                    r.name(), r.service(), r.baseline(), r.ratio(), r.unit(), r.detail());
        }
        if (chaos != null) {
            out.printf(
                    "%nchaos: %d kills, %d acknowledged leases, %d orphans, %d lost; engine %s (%d provisions refused with 503 meanwhile)%n",
                    chaos.kills(),
                    chaos.leases(),
                    chaos.orphans(),
                    chaos.lost(),
                    chaos.engine(),
                    chaos.refusedWhileEngineDown());
        }
    }

    public static void writeJson(List<BenchResult> results, ChaosBench.Outcome chaos, Path file) throws IOException {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("scenarios", results);
        if (chaos != null) {
            out.put(
                    "chaos",
                    Map.of(
                            "kills",
                            chaos.kills(),
                            "leases",
                            chaos.leases(),
                            "orphans",
                            chaos.orphans(),
                            "lost",
                            chaos.lost(),
                            "refusedWhileEngineDown",
                            chaos.refusedWhileEngineDown(),
                            "engine",
                            chaos.engine()));
        }
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), out);
    }

    /** The committed record of a full run: figures, the machine, the date, how to reproduce. */
    public static void writeMarkdown(List<BenchResult> results, ChaosBench.Outcome chaos, String notes, Path file)
            throws IOException {
        StringBuilder md = new StringBuilder("# Benchmarks\n\n");
        md.append("Measured ")
                .append(LocalDate.now())
                .append(" on ")
                .append(InetAddress.getLocalHost().getHostName())
                .append(": ")
                .append(Runtime.getRuntime().availableProcessors())
                .append(" cores, ")
                .append(Runtime.getRuntime().maxMemory() / (1024 * 1024))
                .append(" MiB max heap for the bench JVM, Java ")
                .append(System.getProperty("java.version"))
                .append(", ")
                .append(System.getProperty("os.name"))
                .append(".\n\n")
                .append(
                        "Reproduce with `bin/containerlease bench` (a full run; `--quick` for a short one, `--json FILE` for JSON).\n")
                .append(
                        "Every figure is measured in the same run as its baseline, interleaved where it can be, so machine drift\n")
                .append("hits both. Ratio is service / baseline: above 1 is slower for times, faster for rates.\n\n")
                .append("| scenario | service | baseline | ratio | unit | detail |\n|---|---:|---:|---:|---|---|\n");
        for (BenchResult r : results) {
            md.append(String.format(
                    "| %s | %.3f | %.3f | %.2f | %s | %s |%n",
                    r.name(), r.service(), r.baseline(), r.ratio(), r.unit(), r.detail()));
        }
        if (chaos != null) {
            md.append(String.format(
                    "%n**Chaos:** %d kill -9 under load, %d acknowledged leases, **%d orphans, %d lost**; engine %s"
                            + " (%d provisions refused with 503 while it was down).%n",
                    chaos.kills(),
                    chaos.leases(),
                    chaos.orphans(),
                    chaos.lost(),
                    chaos.engine(),
                    chaos.refusedWhileEngineDown()));
        }
        md.append("\n").append(notes);
        Files.writeString(file, md.toString());
    }
}
