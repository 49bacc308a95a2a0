package io.containerlease.metrics;

import io.containerlease.lease.LeaseMeters;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The service's own meters, named once here. Prometheus sees them as
 * {@code containerlease_leases_active}, {@code containerlease_provision_seconds},
 * {@code containerlease_expiry_lag_seconds}, {@code containerlease_expiry_start_lag_seconds},
 * {@code containerlease_reap_failures_total},
 * {@code containerlease_reap_retries_total}, {@code containerlease_reconcile_passes_total}
 * and {@code containerlease_leases_ended_total}.
 */
public final class LeaseMetrics implements LeaseMeters {
    private final MeterRegistry registry;
    private final Timer provisionLatency;
    private final DistributionSummary expiryLag;
    private final DistributionSummary expiryStartLag;
    private final Counter reapFailures;
    private final Counter reapRetries;

    public LeaseMetrics(MeterRegistry registry) {
        this.registry = registry;
        provisionLatency = Timer.builder("containerlease.provision")
                .description("From provision request to container running")
                .publishPercentiles(0.5, 0.99)
                .publishPercentileHistogram()
                .register(registry);
        expiryLag = DistributionSummary.builder("containerlease.expiry.lag")
                .description("Container removal time minus lease expiry time, for expired leases")
                .baseUnit("seconds")
                .publishPercentiles(0.5, 0.99)
                .register(registry);
        expiryStartLag = DistributionSummary.builder("containerlease.expiry.start.lag")
                .description(
                        "Removal start minus lease expiry time: the reaper's own precision, apart from the engine's speed")
                .baseUnit("seconds")
                .publishPercentiles(0.5, 0.99)
                .register(registry);
        reapFailures = Counter.builder("containerlease.reap.failures")
                .description("Container removals that failed (and will be retried)")
                .register(registry);
        reapRetries = Counter.builder("containerlease.reap.retries")
                .description("Container removal retries scheduled")
                .register(registry);
    }

    /** Reports the live lease count by asking {@code liveLeases} on every scrape. */
    /**
     * Live leases' containers by state, and the total CPU and memory of those whose usage is being
     * watched (usage is measured only while someone asks, so this is not every container's).
     */
    public void trackContainers(
            Supplier<java.util.Map<String, Long>> countByState,
            Supplier<Iterable<io.containerlease.lease.ContainerUsage>> watchedUsage) {
        for (String state : countByState.get().keySet()) {
            Gauge.builder("containerlease.containers", () -> countByState.get().getOrDefault(state, 0L))
                    .description("Live leases' containers, by their state")
                    .tag("state", state)
                    .register(registry);
        }
        Gauge.builder("containerlease.watched.memory", () -> sum(watchedUsage.get(), u -> u.memoryBytes()))
                .baseUnit("bytes")
                .description("Memory in use by the containers whose usage is being watched")
                .register(registry);
        Gauge.builder("containerlease.watched.cpu.percent", () -> sum(watchedUsage.get(), u -> u.cpuPercent()))
                .description("CPU in use by the containers whose usage is being watched (100 = one CPU)")
                .register(registry);
    }

    private static double sum(
            Iterable<io.containerlease.lease.ContainerUsage> usage,
            java.util.function.ToDoubleFunction<io.containerlease.lease.ContainerUsage> of) {
        double total = 0;
        for (var u : usage) {
            total += of.applyAsDouble(u);
        }
        return total;
    }

    public void trackActiveLeases(Supplier<Number> liveLeases) {
        Gauge.builder("containerlease.leases.active", () -> liveLeases.get().doubleValue())
                .description("Leases that have not ended")
                .register(registry);
    }

    /**
     * The memory live sessions hold, next to its budgets: buffered log lines (all leases together),
     * lines dropped to stay within the total, and terminal input waiting for slow shells.
     */
    public void trackSessionMemory(
            LongSupplier logBufferBytes,
            long logBufferBudget,
            LongSupplier logLinesEvicted,
            LongSupplier terminalInputBytes) {
        Gauge.builder("containerlease.log.buffer.bytes", logBufferBytes::getAsLong)
                .baseUnit("bytes")
                .description("heap held by buffered log lines, all leases together")
                .register(registry);
        Gauge.builder("containerlease.log.buffer.budget.bytes", () -> logBufferBudget)
                .baseUnit("bytes")
                .description("LOG_BUFFER_TOTAL_BYTES")
                .register(registry);
        FunctionCounter.builder("containerlease.log.lines.evicted", logLinesEvicted, LongSupplier::getAsLong)
                .description("log lines dropped to keep all buffers within LOG_BUFFER_TOTAL_BYTES")
                .register(registry);
        Gauge.builder("containerlease.terminal.input.queued.bytes", terminalInputBytes::getAsLong)
                .baseUnit("bytes")
                .description("terminal input waiting for shells to read it")
                .register(registry);
    }

    @Override
    public void provisioned(Duration latency) {
        provisionLatency.record(latency);
    }

    @Override
    public void expiryRemovalStarted(Duration lag) {
        expiryStartLag.record(lag.toNanos() / 1e9);
    }

    @Override
    public void expiredContainerRemoved(Duration lag) {
        expiryLag.record(lag.toNanos() / 1e9);
    }

    @Override
    public void leaseEnded(String reason) {
        Counter.builder("containerlease.leases.ended")
                .description("Leases ended, by reason")
                .tag("reason", reason)
                .register(registry)
                .increment();
    }

    public void reapFailed() {
        reapFailures.increment();
    }

    public void reapRetried() {
        reapRetries.increment();
    }

    public void reconcilePass(String outcome) {
        Counter.builder("containerlease.reconcile.passes")
                .description("Reconcile passes, by outcome (clean, repaired, failed)")
                .tag("outcome", outcome)
                .register(registry)
                .increment();
    }
}
