package io.containerlease.lease;

import java.time.Instant;

/**
 * What a container uses at one moment, as the engine measures it.
 *
 * @param cpuPercent   of one CPU (200 is two CPUs busy), over the engine's last sampling interval
 * @param memoryBytes  in use, without the page cache the kernel can drop (as {@code docker stats} counts it)
 */
public record ContainerUsage(
        Instant at,
        double cpuPercent,
        long memoryBytes,
        long memoryLimitBytes,
        long pids,
        long blockReadBytes,
        long blockWriteBytes) {}
