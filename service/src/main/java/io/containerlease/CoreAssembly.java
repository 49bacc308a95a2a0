package io.containerlease;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.containerlease.config.ImageCatalog;
import io.containerlease.config.ServiceConfig;
import io.containerlease.lease.LeaseService;
import io.containerlease.lease.Quota;
import io.containerlease.lease.StopReport;
import io.containerlease.metrics.LeaseMetrics;
import io.containerlease.program.FileTrees;
import io.containerlease.program.code.CodeVersions;
import io.containerlease.program.code.CodeVolumeResources;
import io.containerlease.program.code.CodeVolumes;
import io.containerlease.program.code.FileCodeVersions;
import io.containerlease.reaper.ExpiryTimers;
import io.containerlease.reaper.RemovalWorker;
import io.containerlease.schedule.ExecutorTaskScheduler;
import io.containerlease.schedule.RetryPolicy;
import io.containerlease.schedule.TaskScheduler;
import io.containerlease.store.DurableStore;
import io.containerlease.store.SharedStore;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The core: the lease service on its store and engine, with its timers, meters and code volumes.
 *
 * @param containers how a lease's container is made and removed (the reconciler removes the same way)
 */
record CoreAssembly(
        Foundation base,
        Backing backing,
        TaskScheduler scheduler,
        PrometheusMeterRegistry registry,
        LeaseMetrics metrics,
        LeaseService leases,
        LeaseService.Containers containers,
        Code code) {
    private static final Logger log = LoggerFactory.getLogger(CoreAssembly.class);
    /** How long a release waits for its container's removal before answering (the removal goes on after). */
    private static final Duration RELEASE_WAIT = Duration.ofSeconds(15);

    /** Where each lease's code versions are kept, and the volume each lease's code is made in before its container. */
    record Code(CodeVersions versions, CodeVolumeResources volumes) {}

    DurableStore store() {
        return backing.store();
    }

    ImageCatalog catalog() {
        return backing.catalog();
    }

    Engine engine() {
        return backing.engine();
    }

    ServiceConfig config() {
        return base.config();
    }

    Optional<SharedStore> shared() {
        return backing.store().shared();
    }

    static CoreAssembly build(Foundation base, Backing backing, Started started) {
        ServiceConfig config = base.config();
        DurableStore store = backing.store();
        var registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        var metrics = new LeaseMetrics(registry);

        var scheduler = started.add(new ExecutorTaskScheduler("containerlease-timers"));
        ExecutorService removalPool = RemovalWorker.prioritised(
                config.reapConcurrency(),
                Thread.ofPlatform().name("containerlease-reap-", 0).daemon(true).factory());
        started.add(() -> shutdown(removalPool));
        ExecutorService afterRemoval = Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("containerlease-removed-", 0).factory());
        started.add(() -> shutdown(afterRemoval));
        var removals = new RemovalWorker(
                backing.engine().runtime(),
                removalPool,
                afterRemoval,
                scheduler,
                RetryPolicy.REMOVAL,
                base.random(),
                metrics);
        var code = code(config, backing);
        var containers =
                new LeaseService.Containers(backing.catalog(), backing.engine().runtime(), code.volumes(), removals);
        var leases = new LeaseService(
                store,
                containers,
                new LeaseService.Rules(
                        base.policy(),
                        new Quota(config.maxLeasesPerUser(), config.maxLeasesPerAdmin(), config.maxLeases()),
                        RELEASE_WAIT),
                new ExpiryTimers(scheduler, base.clock()),
                base.clock(),
                base.random(),
                metrics,
                base.redactor());
        leases.addListener(code.volumes());
        metrics.trackActiveLeases(leases::countLive);
        // Added here, so it runs at stop after everything that can still end a lease, with the store still open.
        started.add(() -> log.info(
                "stopping: {}",
                StopReport.describe(
                        store.listLive(),
                        base.policy(),
                        config.poolMaxWait(),
                        base.clock().instant())));
        return new CoreAssembly(base, backing, scheduler, registry, metrics, leases, containers, code);
    }

    private static Code code(ServiceConfig config, Backing backing) {
        // One server keeps code versions on its disk; servers sharing a store keep them in it, for all.
        CodeVersions versions = backing.store()
                .shared()
                .map(SharedStore::codeVersions)
                .orElseGet(() -> new FileCodeVersions(config.dataDir()));
        removeLegacyChannelDirectories(config.dataDir());
        var volumes = new CodeVolumeResources(
                backing.catalog(),
                new CodeVolumes(
                        backing.engine().code(), versions, backing.store().instanceId()));
        return new Code(versions, volumes);
    }

    /**
     * Before the channel went through our helper, each lease's socket lived in a host directory under
     * DATA_DIR/channels that its container could write: nothing uses them now (a container made then
     * has no helper, so its channel stays down until it ends), and what a tenant left there goes.
     */
    private static void removeLegacyChannelDirectories(Path dataDir) {
        Path legacy = dataDir.resolve("channels");
        if (Files.exists(legacy, LinkOption.NOFOLLOW_LINKS)) {
            try {
                FileTrees.removeTree(legacy);
                log.info("removed the channel directories of an earlier version {}", kv("path", legacy.toString()));
            } catch (IOException | RuntimeException e) {
                log.warn(
                        "could not remove the channel directories of an earlier version {} {}",
                        kv("path", legacy.toString()),
                        kv("error", String.valueOf(e.getMessage())));
            }
        }
    }

    private static void shutdown(ExecutorService pool) throws InterruptedException {
        pool.shutdown();
        if (!pool.awaitTermination(10, TimeUnit.SECONDS)) {
            log.warn("removals still running after 10 s; the next start's reconcile pass finishes them");
            pool.shutdownNow();
        }
    }
}
