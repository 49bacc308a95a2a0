package io.containerlease.support;

import io.containerlease.config.ImageCatalog;
import io.containerlease.lease.EndReason;
import io.containerlease.lease.LeasePolicy;
import io.containerlease.lease.LeaseService;
import io.containerlease.metrics.LeaseMetrics;
import io.containerlease.reaper.ExpiryTimers;
import io.containerlease.reaper.ReaperLoop;
import io.containerlease.reaper.RemovalWorker;
import io.containerlease.schedule.RetryPolicy;
import io.containerlease.session.ExpiryWarnings;
import io.containerlease.session.IdleTimers;
import io.containerlease.session.LeaseConnections;
import io.containerlease.session.LogStreams;
import io.containerlease.session.SessionLifecycle;
import io.containerlease.session.TerminalSessions;
import io.containerlease.store.sqlite.SqliteLeaseStore;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The real core (lease service, timers, removal worker, reconciler, SQLite store in memory) around
 * a fake engine, a fake clock and a manual scheduler: a whole service that runs in microseconds
 * and never sleeps. Removals run inline on the thread that advances time.
 */
public final class LeaseWorld implements AutoCloseable {
    public static final String BUSYBOX_IMAGE = "containerlease/busybox:latest";
    public static final Duration RECONCILE_INTERVAL = Duration.ofSeconds(30);
    public static final Duration MAX_LIFE = Duration.ofHours(24);
    public static final Duration POOL_MAX_WAIT = Duration.ofHours(1);
    public static final Duration TERMINAL_DETACHED = Duration.ofMinutes(15);
    /** 100 lines a lease, and byte budgets small enough for a test to reach. */
    public static final LogStreams.Budget LOG_BUDGET = new LogStreams.Budget(100, 64 << 10, 256 << 10);

    public final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    public final ManualScheduler scheduler = new ManualScheduler(clock);
    public final FakeRuntime runtime = new FakeRuntime().withImage(BUSYBOX_IMAGE);
    /** Which image types cannot be leased now, as provisions found out. */
    public final io.containerlease.lease.ImageReadiness images = new io.containerlease.lease.ImageReadiness(runtime);

    public final SqliteLeaseStore store = SqliteLeaseStore.inMemory();
    public final LeasePolicy policy;
    public final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    public final LeaseMetrics metrics = new LeaseMetrics(registry);
    public final ExpiryTimers timers = new ExpiryTimers(scheduler, clock);
    public final RemovalWorker removals;
    public final LeaseService leases;
    public final ReaperLoop reaper;
    /** Quotas as the service's defaults; tests may start a world with others. */
    public final io.containerlease.lease.Quota quota;

    public final io.containerlease.lease.Redactor redactor = new io.containerlease.lease.Redactor();
    public final io.containerlease.activity.ActivityRecorder activity;
    public final io.containerlease.auth.WsTickets tickets;
    public final LeaseConnections connections;
    public final IdleTimers idle;
    public final ExpiryWarnings warnings;
    public final FakeStreams streams = new FakeStreams();
    public final TerminalSessions terminals;
    public final LogStreams logs;
    public final io.containerlease.session.EndedLeases ended = new io.containerlease.session.EndedLeases();
    public final io.containerlease.containers.ContainerStates containers;
    public final io.containerlease.containers.ContainerControl control;
    public final io.containerlease.containers.ContainerDeadlines deadlines;
    public final io.containerlease.containers.UsageWatch usage;
    /** How many usage streams the stand-in engine was asked to open. */
    public final AtomicInteger usageStreams = new AtomicInteger();

    public final io.containerlease.events.EventHub events = new io.containerlease.events.EventHub(clock, 1000);
    /** How many of the next session-rule endings (grace, idle) fail before reaching the lease service. */
    public final AtomicInteger failNextSessionEnds = new AtomicInteger();
    /** The warm pool (empty unless the world was made with sizes; {@link #pool}.start() fills it). */
    public final io.containerlease.pool.WarmPool pool;
    /** While set, the lease service's store does not answer (an outage of Redis, say). */
    public final java.util.concurrent.atomic.AtomicBoolean storeDown = new java.util.concurrent.atomic.AtomicBoolean();

    public LeaseWorld(long seed) {
        this(seed, io.containerlease.lease.Quota.UNLIMITED);
    }

    public LeaseWorld(long seed, io.containerlease.lease.Quota quota) {
        this(seed, quota, Map.of());
    }

    /** @param warmPools the warm pool's size by image type (none by default) */
    public LeaseWorld(long seed, io.containerlease.lease.Quota quota, Map<String, Integer> warmPools) {
        this.quota = quota;
        Random random = new Random(seed);
        tickets = new io.containerlease.auth.WsTickets(clock, random);
        removals = new RemovalWorker(runtime, scheduler, RetryPolicy.REMOVAL, random, metrics);
        policy = new LeasePolicy(Duration.ofSeconds(1), MAX_LIFE);
        leases = new LeaseService(
                StoreOutage.wrap(store, storeDown),
                new LeaseService.Containers(
                        ImageCatalog.builtIn(), runtime, io.containerlease.lease.LeaseResources.NONE, removals, images),
                new LeaseService.Rules(policy, quota, Duration.ofMillis(1)),
                timers,
                clock,
                random,
                metrics,
                redactor);
        activity = new io.containerlease.activity.ActivityRecorder(store.activityLog(), store, redactor, clock);
        leases.addListener(activity);
        metrics.trackActiveLeases(leases::countLive);
        reaper = new ReaperLoop(
                store,
                leases,
                new LeaseService.Containers(
                        ImageCatalog.builtIn(), runtime, io.containerlease.lease.LeaseResources.NONE, removals),
                scheduler,
                RECONCILE_INTERVAL,
                clock,
                metrics,
                ReaperLoop.Peers.NONE);
        connections = new LeaseConnections(
                scheduler,
                clock,
                RetryPolicy.REMOVAL,
                random,
                id -> endBySessionRule(id, EndReason.DISCONNECTED),
                ended);
        idle = new IdleTimers(
                scheduler, clock, RetryPolicy.REMOVAL, random, id -> endBySessionRule(id, EndReason.IDLE));
        warnings = new ExpiryWarnings(new ExpiryTimers(scheduler, clock), clock, Duration.ofSeconds(60), connections);
        terminals = new TerminalSessions(streams, 1 << 20, random, ended, scheduler, clock, TERMINAL_DETACHED);
        logs = new LogStreams(streams, LOG_BUDGET, ended);
        leases.addListener(new SessionLifecycle(connections, idle, warnings, terminals, logs, ended));
        containers = new io.containerlease.containers.ContainerStates(runtime);
        leases.addListener(containers);
        containers.addListener(new io.containerlease.containers.ContainerReactions(
                leases, store, ImageCatalog.builtIn(), connections, logs, idle));
        control = new io.containerlease.containers.ContainerControl(leases, runtime, containers);
        deadlines = new io.containerlease.containers.ContainerDeadlines(
                runtime,
                policy,
                store::find,
                Runnable::run,
                scheduler,
                new io.containerlease.containers.UrgentWorkFirst(removals::underWay));
        leases.addListener(deadlines);
        containers.addListener(deadlines);
        // Usage from a stand-in engine: each watched container reports one fixed sample at once.
        usage = new io.containerlease.containers.UsageWatch(
                (container, sink) -> {
                    sink.sample(new io.containerlease.lease.ContainerUsage(
                            clock.instant(), 12.5, 3L << 20, 128L << 20, 3, 4096, 0));
                    usageStreams.incrementAndGet();
                    return () -> sink.closed(null);
                },
                scheduler,
                clock,
                2,
                Duration.ofSeconds(30));
        leases.addListener(usage);
        metrics.trackContainers(containers::countByState, usage::latestOfAll);
        var sources = new io.containerlease.events.EventSources(events, store);
        leases.addListener(sources);
        activity.addListener(sources::activity);
        warnings.addListener(sources::expiring);
        containers.addListener(sources::containerChanged);
        pool = new io.containerlease.pool.WarmPool(
                new io.containerlease.pool.PoolSettings(
                        warmPools,
                        16,
                        2,
                        false,
                        Duration.ofSeconds(5),
                        POOL_MAX_WAIT,
                        POOL_MAX_WAIT.plus(MAX_LIFE).plus(Duration.ofMinutes(1))),
                new LeaseService.Containers(
                        ImageCatalog.builtIn(), runtime, io.containerlease.lease.LeaseResources.NONE, removals),
                store,
                scheduler,
                clock,
                random,
                io.containerlease.pool.PoolMeters.NONE);
        leases.takeWarmContainersFrom(pool);
        reaper.keepPooled(pool::protectedSince);
    }

    private void endBySessionRule(io.containerlease.lease.LeaseId id, EndReason reason) {
        if (failNextSessionEnds.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            throw new IllegalStateException("injected failure ending " + id);
        }
        leases.end(id, reason);
    }

    /** A busybox lease of {@code life}, provisioned by the anonymous admin: what most tests of the core start from. */
    public io.containerlease.lease.Lease provisionBusybox(Duration life) {
        return leases.provision(
                new io.containerlease.lease.ProvisionRequest("busybox", life, Map.of()),
                io.containerlease.lease.Caller.ANONYMOUS_ADMIN);
    }

    public LeaseWorld() {
        this(42);
    }

    /**
     * The stand-in engine runs no helper and has no volumes: channels here never connect, and code updates
     * have no engine (a test that reached one would fail loudly). ProgramIT tries both on the real engine.
     */
    private final io.containerlease.program.channel.Channels channels = new io.containerlease.program.channel.Channels(
            ImageCatalog.builtIn(), streams, clock, new io.containerlease.program.channel.Channels.Observer() {
                @Override
                public void message(
                        io.containerlease.lease.LeaseId id, io.containerlease.program.channel.ChannelFrame frame) {}

                @Override
                public void connection(io.containerlease.lease.LeaseId id, boolean connected) {}
            });

    private final io.containerlease.program.code.CodeUpdates code = new io.containerlease.program.code.CodeUpdates(
            ImageCatalog.builtIn(),
            null,
            runtime,
            new io.containerlease.program.code.FileCodeVersions(java.nio.file.Path.of("target", "no-code")),
            clock,
            null,
            "world",
            1 << 20);

    /** What the API needs, from this world, with these users (empty for AUTH=off). */
    public io.containerlease.api.ApiServer.Services services(
            java.util.Optional<io.containerlease.auth.TokenRegistry> tokens) {
        tokens.ifPresent(t -> redactor.register(t.plaintextTokens()));
        return servicesWith(tokens.map(io.containerlease.auth.Authenticator.class::cast));
    }

    /** What the API needs, from this world, with users from {@code tokens} (a reloading file, say). */
    public io.containerlease.api.ApiServer.Services servicesWith(
            java.util.Optional<io.containerlease.auth.Authenticator> tokens) {
        return new io.containerlease.api.ApiServer.Services(
                new io.containerlease.api.ApiServer.Leases(
                        leases, ImageCatalog.builtIn(), images, store, runtime, streams, pool, clock),
                new io.containerlease.api.ApiServer.Sessions(
                        new io.containerlease.session.SessionView(connections, idle), connections, terminals, logs),
                new io.containerlease.api.ApiServer.Containers(
                        containers,
                        control,
                        usage,
                        deadlines,
                        channels,
                        code,
                        new io.containerlease.files.LeaseFiles(streams, 1L << 30),
                        new io.containerlease.api.ApiServer.Previews(
                                java.util.Optional.empty(), new io.containerlease.preview.PreviewRelays(streams))),
                new io.containerlease.api.ApiServer.Access(
                        tokens,
                        tickets,
                        redactor,
                        activity,
                        store.activityLog(),
                        java.util.Optional.empty(),
                        events,
                        registry));
    }

    public io.containerlease.api.ApiServer.Services services() {
        return services(java.util.Optional.empty());
    }

    @Override
    public void close() {
        pool.close();
        reaper.close();
        store.close();
    }
}
