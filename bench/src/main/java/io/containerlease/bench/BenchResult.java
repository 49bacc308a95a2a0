package io.containerlease.bench;

/**
 * One measured figure, the service's next to the raw engine's from the same run.
 *
 * @param ratio service / baseline, so above 1 is slower for times and faster for rates
 */
public record BenchResult(String name, double service, double baseline, double ratio, String unit, String detail) {
    public static BenchResult of(String name, double service, double baseline, String unit, String detail) {
        return new BenchResult(name, service, baseline, baseline == 0 ? Double.NaN : service / baseline, unit, detail);
    }

    /** The same figure under another name (the same scenario on another store, say). */
    public BenchResult named(String newName) {
        return new BenchResult(newName, service, baseline, ratio, unit, detail);
    }
}
