package io.containerlease.api.http;

import io.containerlease.api.access.RequestGuard;
import io.containerlease.api.support.ApiException;
import io.containerlease.containers.ContainerStates;
import io.containerlease.containers.ContainerStatus;
import io.containerlease.containers.UsageWatch;
import io.containerlease.lease.ContainerUsage;
import io.containerlease.lease.ImageTypes;
import io.containerlease.lease.Lease;
import io.containerlease.lease.LeaseConflictException;
import io.containerlease.lease.LeaseId;
import io.containerlease.lease.LeaseService;
import io.containerlease.lease.LeaseState;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code GET /api/containers/{id}/stats}: what the lease's container uses now. Looking does not
 * count as activity for the idle rule (a chart left open must not keep a lease alive).
 */
public final class UsageRoutes {
    private final LeaseService leases;
    private final ContainerStates containers;
    private final UsageWatch usage;
    private final ImageTypes catalog;

    public UsageRoutes(LeaseService leases, ContainerStates containers, UsageWatch usage, ImageTypes catalog) {
        this.leases = leases;
        this.containers = containers;
        this.usage = usage;
        this.catalog = catalog;
    }

    public void stats(Context ctx) {
        LeaseId id = LeaseRoutes.pathId(ctx);
        Lease lease = leases.get(id, RequestGuard.caller(ctx));
        if (lease.state() != LeaseState.RUNNING) {
            throw new LeaseConflictException(
                    "lease_not_running", "the lease is " + lease.state().wireName());
        }
        ContainerStatus status = containers.status(id).orElse(ContainerStatus.MISSING);
        if (status.state() != ContainerStatus.State.RUNNING) {
            throw new LeaseConflictException(
                    "container_not_running",
                    "the container is " + status.state().wireName() + "; only a running container has usage to show");
        }
        ContainerUsage sample;
        try {
            sample = usage.sample(id);
        } catch (UsageWatch.Unavailable e) {
            ctx.header("Retry-After", "2");
            throw new ApiException(503, "stats_unavailable", e.getMessage());
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("at", sample.at().toString());
        out.put("cpuPercent", sample.cpuPercent());
        out.put("memoryBytes", sample.memoryBytes());
        out.put("memoryLimitBytes", sample.memoryLimitBytes());
        out.put("pids", sample.pids());
        out.put(
                "pidsLimit",
                catalog.find(lease.imageType()).map(spec -> spec.pidsLimit()).orElse(0L));
        out.put("blockReadBytes", sample.blockReadBytes());
        out.put("blockWriteBytes", sample.blockWriteBytes());
        ctx.json(out);
    }
}
