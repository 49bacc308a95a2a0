package io.containerlease.runtime.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.BlkioStatEntry;
import com.github.dockerjava.api.model.Statistics;
import io.containerlease.lease.ContainerUsage;
import io.containerlease.lease.UsageStreams;
import java.io.Closeable;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** {@link UsageStreams} on the engine's {@code /containers/{id}/stats} stream. */
public final class DockerUsageStreams implements UsageStreams {
    private final DockerClient streaming;

    public DockerUsageStreams(DockerClient streaming) {
        this.streaming = streaming;
    }

    @Override
    public Closeable follow(String container, Sink sink) {
        EndOnceCallback<Statistics> callback = new EndOnceCallback<>() {
            @Override
            public void onNext(Statistics stats) {
                usage(stats).ifPresent(sink::sample);
            }

            @Override
            protected void ended(Throwable error) {
                sink.closed(error);
            }
        };
        streaming.statsCmd(container).exec(callback);
        return callback;
    }

    /** A sample, once the engine has two readings to take the CPU's share from (its first has none). */
    static Optional<ContainerUsage> usage(Statistics stats) {
        var cpu = stats.getCpuStats();
        var pre = stats.getPreCpuStats();
        if (cpu == null
                || pre == null
                || cpu.getSystemCpuUsage() == null
                || pre.getSystemCpuUsage() == null
                || cpu.getCpuUsage() == null
                || pre.getCpuUsage() == null
                || pre.getSystemCpuUsage() == 0) {
            return Optional.empty();
        }
        long cpuDelta = cpu.getCpuUsage().getTotalUsage() - pre.getCpuUsage().getTotalUsage();
        long systemDelta = cpu.getSystemCpuUsage() - pre.getSystemCpuUsage();
        long cpus = cpu.getOnlineCpus() != null ? cpu.getOnlineCpus() : 1;
        double cpuPercent = systemDelta > 0 && cpuDelta > 0 ? (double) cpuDelta / systemDelta * cpus * 100.0 : 0.0;
        var memory = stats.getMemoryStats();
        long used = memory == null || memory.getUsage() == null ? 0 : memory.getUsage();
        if (memory != null && memory.getStats() != null && memory.getStats().getInactiveFile() != null) {
            used = Math.max(
                    0, used - memory.getStats().getInactiveFile()); // cgroup v2: the page cache the kernel can drop
        } else if (memory != null
                && memory.getStats() != null
                && memory.getStats().getTotalInactiveFile() != null) {
            used = Math.max(0, used - memory.getStats().getTotalInactiveFile()); // cgroup v1
        }
        long limit = memory == null || memory.getLimit() == null ? 0 : memory.getLimit();
        long pids = stats.getPidsStats() == null || stats.getPidsStats().getCurrent() == null
                ? 0
                : stats.getPidsStats().getCurrent();
        List<BlkioStatEntry> io =
                stats.getBlkioStats() == null ? null : stats.getBlkioStats().getIoServiceBytesRecursive();
        long read = 0;
        long write = 0;
        if (io != null) {
            for (BlkioStatEntry e : io) {
                if ("read".equalsIgnoreCase(e.getOp())) {
                    read += e.getValue();
                } else if ("write".equalsIgnoreCase(e.getOp())) {
                    write += e.getValue();
                }
            }
        }
        Instant at;
        try {
            at = Instant.parse(stats.getRead());
        } catch (RuntimeException e) {
            at = Instant.now();
        }
        return Optional.of(new ContainerUsage(at, Math.round(cpuPercent * 10) / 10.0, used, limit, pids, read, write));
    }
}
