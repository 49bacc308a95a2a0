package io.containerlease.api.http;

import io.containerlease.api.access.LiveConnections;
import io.containerlease.lease.ContainerRuntime;
import io.containerlease.lease.LeaseStore;
import io.containerlease.pool.WarmPool;
import io.javalin.http.Context;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code /healthz} (is the store and the engine answering?) and {@code /metrics} (Prometheus text). */
public final class HealthRoutes {
    private static final Logger log = LoggerFactory.getLogger(HealthRoutes.class);
    private static final Duration CHECK_TIMEOUT = Duration.ofSeconds(2);

    private final LeaseStore store;
    private final ContainerRuntime runtime;
    private final PrometheusMeterRegistry registry;
    private final LiveConnections connections;
    private final WarmPool pool;

    public HealthRoutes(
            LeaseStore store,
            ContainerRuntime runtime,
            PrometheusMeterRegistry registry,
            LiveConnections connections,
            WarmPool pool) {
        this.connections = connections;
        this.pool = pool;
        this.store = store;
        this.runtime = runtime;
        this.registry = registry;
    }

    public void health(Context ctx) {
        // Both checks run at once and each is bounded, so a wedged engine cannot hang the probe.
        var storeCheck = check(store::ping);
        var dockerCheck = check(runtime::ping);
        Map<String, String> checks = new LinkedHashMap<>();
        checks.put("store", storeCheck.join());
        checks.put("docker", dockerCheck.join());
        boolean healthy = checks.values().stream().allMatch("ok"::equals);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("status", healthy ? "ok" : "unavailable");
        // Which cluster (the store's) and which server of it answered: what an operator compares across replicas.
        out.put("cluster", store.instanceId());
        out.put("server", store.serverId());
        out.put("checks", checks);
        // How close the process is to its file-descriptor limit, which bounds connections, shells and log streams.
        Map<String, Object> capacity = new LinkedHashMap<>();
        // Every long-lived connection (WebSockets, event streams, Socket.IO), in all and by kind.
        capacity.put("connections", connections.open());
        capacity.put("connectionsMax", connections.total());
        capacity.put("connectionsByKind", connections.openByKind());
        LiveConnections.openDescriptors().ifPresent(n -> capacity.put("fileDescriptors", n));
        LiveConnections.maxDescriptors().ifPresent(n -> capacity.put("fileDescriptorsMax", n));
        out.put("capacity", capacity);
        // Each warm pool: containers waiting for a provision, next to the size it is kept at now and the demand
        // that set it.
        Map<String, Object> pools = new LinkedHashMap<>();
        var targets = pool.targets();
        var claims = pool.claimsPerMinute();
        pool.sizes()
                .forEach((type, waiting) -> pools.put(
                        type,
                        Map.of("waiting", waiting, "target", targets.get(type), "claimsPerMinute", claims.get(type))));
        out.put("warmPool", pools);
        ctx.status(healthy ? 200 : 503).json(out);
    }

    public void metrics(Context ctx) {
        ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(registry.scrape());
    }

    private static CompletableFuture<String> check(Runnable probe) {
        return CompletableFuture.supplyAsync(
                        () -> {
                            probe.run();
                            return "ok";
                        },
                        r -> Thread.ofVirtual().start(r))
                .completeOnTimeout(
                        "timed out after " + CHECK_TIMEOUT.toSeconds() + " s",
                        CHECK_TIMEOUT.toMillis(),
                        TimeUnit.MILLISECONDS)
                .exceptionally(e -> {
                    // Anyone may read /healthz: the reason (paths, addresses, driver messages) goes to the log only.
                    log.warn("health check failed: {}", String.valueOf(e.getCause() == null ? e : e.getCause()));
                    return "failed; the server log says why";
                });
    }
}
