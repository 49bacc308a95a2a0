package io.containerlease.bench;

import java.util.Arrays;
import java.util.List;

/** Nearest-rank percentiles of a sample. */
final class Percentiles {
    private Percentiles() {}

    static double of(List<Double> sample, double percentile) {
        double[] sorted = sample.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(percentile / 100 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
