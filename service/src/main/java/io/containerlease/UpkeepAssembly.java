package io.containerlease;

import io.containerlease.config.ServiceConfig;
import io.containerlease.containers.EngineWatcher;
import io.containerlease.lease.LeaseId;
import io.containerlease.metrics.PoolMetrics;
import io.containerlease.pool.PoolSettings;
import io.containerlease.pool.WarmPool;
import io.containerlease.reaper.ReaperLoop;
import io.containerlease.reaper.RetentionPurge;
import io.containerlease.schedule.RetryPolicy;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
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
record UpkeepAssembly(WarmPool pool, Runnable afterApiOpens) {
    private static final Logger log = LoggerFactory.getLogger(UpkeepAssembly.class);
    /**
     * How long the API waits at start for the first pass's repairs: a few orphans are gone before it
     * opens. Leases that expired during the downtime are recorded as ending by the pass (in one
     * write) and removed with the API open: it never waits for those.
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
        var expireFound = firstPass(reaper);
        core.leases().armTimers(expireFound.expired());
        cluster.followOthers().run();
        var engineWatcher = started.add(new EngineWatcher(
                core.engine().events(),
                containers.states(),
                core.store().instanceId(),
                core.scheduler(),
                RetryPolicy.REMOVAL,
                base.random(),
                base.clock(),
                containers.urgentFirst()));
        engineWatcher.start();
        started.add(reaper).start();
        var retention = started.add(new RetentionPurge(
                core.store(),
                core.store().activityLog(),
                core.scheduler(),
                base.clock(),
                core.config().retention()));
        retention.start();
        // What expired while the server was down ends once the API is open: hundreds of removals at once take the
        // engine's (and the machine's) time, and the API need not wait for them.
        return new UpkeepAssembly(pool, expireFound.expire());
    }

    private static WarmPool pool(CoreAssembly core) {
        ServiceConfig config = core.config();
        var metrics = new PoolMetrics(core.registry());
        var pool = new WarmPool(
                new PoolSettings(
                        config.poolMaxTotal() == 0 ? Map.of() : core.catalog().warmPools(),
                        core.catalog().warmPoolMaxima(),
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
        metrics.track(pool::sizes, pool::targets, pool::claimsPerMinute);
        return pool;
    }

    /**
     * What the first pass found past its expiry ({@code expired}: empty while the pass is still
     * looking), and what ends those (off the caller's thread, once the pass is through).
     */
    private record FoundExpired(Set<LeaseId> expired, Runnable expire) {}

    /** Runs the first pass, waiting a moment for its repairs. */
    private static FoundExpired firstPass(ReaperLoop reaper) {
        // The pass runs on a thread of its own: with thousands of containers, listing them takes a while, and the
        // API need not wait for all of it.
        CompletableFuture<ReaperLoop.Pass> pass = CompletableFuture.supplyAsync(
                reaper::pass,
                runnable -> Thread.ofVirtual().name("first-reconcile-pass").start(runnable));
        Runnable expire = () -> pass.thenAcceptAsync(
                p -> p.expire().get(),
                runnable -> Thread.ofVirtual().name("expire-found-at-start").start(runnable));
        try {
            pass.thenCompose(ReaperLoop.Pass::repairs).get(FIRST_PASS_WAIT.toMillis(), TimeUnit.MILLISECONDS);
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
        return new FoundExpired(pass.isDone() ? pass.join().expired() : Set.of(), expire);
    }
}
