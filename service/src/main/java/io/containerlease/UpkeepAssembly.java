package io.containerlease;

import io.containerlease.config.ServiceConfig;
import io.containerlease.containers.EngineWatcher;
import io.containerlease.metrics.PoolMetrics;
import io.containerlease.pool.PoolSettings;
import io.containerlease.pool.WarmPool;
import io.containerlease.reaper.ReaperLoop;
import io.containerlease.reaper.RetentionPurge;
import io.containerlease.schedule.RetryPolicy;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What keeps the world in order, started last before the API: the warm pool, the first reconcile
 * pass (so the API opens on a repaired world), the expiry timers, the engine's event watch, and the
 * periodic passes of the reconciler and of retention.
 */
record UpkeepAssembly(WarmPool pool) {
    private static final Logger log = LoggerFactory.getLogger(UpkeepAssembly.class);
    /**
     * How long the API waits at start for the first pass: a few orphans are gone before it opens,
     * while many leases that expired during a long downtime go on being ended and removed with the
     * API open (until then they show as running past their expiry).
     */
    private static final Duration FIRST_PASS_WAIT = Duration.ofSeconds(1);
    /** Warm pool containers made at once: a refill must not crowd out the provisions it is meant to speed up. */
    private static final int POOL_REFILL_CONCURRENCY = 2;
    /** How often the pool looks for waiting containers that stopped, and fills up. */
    private static final Duration POOL_CHECK = Duration.ofSeconds(5);

    static UpkeepAssembly start(
            CoreAssembly core, ContainerAssembly containers, ClusterAssembly cluster, Started started) {
        var base = core.base();
        var reaper = new ReaperLoop(
                core.store(),
                core.leases(),
                core.containers(),
                core.scheduler(),
                core.config().reconcileInterval(),
                base.clock(),
                core.metrics(),
                cluster.peers());
        // Which image types cannot be leased (their image cannot be had), so the catalog says so from the start.
        Thread.ofVirtual()
                .name("containerlease-image-check")
                .start(() ->
                        core.containers().images().checkAll(core.containers().catalog()));
        // Containers waiting ready for a provision; those from before a restart are taken back before the first pass.
        var pool = started.add(pool(core));
        core.leases().takeWarmContainersFrom(pool);
        reaper.keepPooled(pool::protectedSince);
        pool.start();
        firstPass(reaper);
        core.leases().armTimers();
        cluster.followOthers().run();
        var engineWatcher = started.add(new EngineWatcher(
                core.engine().events(),
                containers.states(),
                core.store().instanceId(),
                core.scheduler(),
                RetryPolicy.REMOVAL,
                base.random(),
                base.clock()));
        engineWatcher.start();
        started.add(reaper).start();
        var retention = started.add(new RetentionPurge(
                core.store(),
                core.store().activityLog(),
                core.scheduler(),
                base.clock(),
                core.config().retention()));
        retention.start();
        return new UpkeepAssembly(pool);
    }

    private static WarmPool pool(CoreAssembly core) {
        ServiceConfig config = core.config();
        var metrics = new PoolMetrics(core.registry());
        var pool = new WarmPool(
                new PoolSettings(
                        config.poolMaxTotal() == 0 ? Map.of() : core.catalog().warmPools(),
                        config.poolMaxTotal(),
                        POOL_REFILL_CONCURRENCY,
                        config.poolDrainOnStop(),
                        POOL_CHECK,
                        config.poolMaxWait(),
                        config.poolMaxWait().plus(config.leaseMax()).plus(config.deadmanMargin()),
                        io.containerlease.helper.HelperBinary.fromJar().sha256()),
                core.containers(),
                core.store(),
                core.scheduler(),
                core.base().clock(),
                core.base().random(),
                metrics);
        metrics.track(pool::sizes, pool.targets());
        return pool;
    }

    private static void firstPass(ReaperLoop reaper) {
        try {
            // The pass runs on a thread of its own: with many leases due while the server was down, recording
            // their ends takes a while (a commit each), and the API need not wait for all of it.
            CompletableFuture.supplyAsync(
                            reaper::runOnce,
                            runnable -> Thread.ofVirtual()
                                    .name("first-reconcile-pass")
                                    .start(runnable))
                    .thenCompose(removals -> removals)
                    .get(FIRST_PASS_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            log.info(
                    "first reconcile pass still removing containers after {} s; opening the API, removal goes on",
                    FIRST_PASS_WAIT.toSeconds());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StartupException("interrupted during the first reconcile pass", e);
        } catch (Exception e) {
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            throw new StartupException("the first reconcile pass failed: " + cause.getMessage(), cause);
        }
    }
}
