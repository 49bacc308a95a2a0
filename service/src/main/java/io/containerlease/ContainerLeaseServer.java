package io.containerlease;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.containerlease.activity.ActivityRecorder;
import io.containerlease.api.ApiServer;
import io.containerlease.auth.AdminToken;
import io.containerlease.auth.Authenticator;
import io.containerlease.auth.ReloadingTokens;
import io.containerlease.auth.TokenRegistry;
import io.containerlease.auth.WsTickets;
import io.containerlease.cluster.InstanceIds;
import io.containerlease.cluster.InstanceWatch;
import io.containerlease.config.ImageCatalog;
import io.containerlease.config.ServiceConfig;
import io.containerlease.events.EventHub;
import io.containerlease.events.EventRelay;
import io.containerlease.events.EventSources;
import io.containerlease.lease.EndReason;
import io.containerlease.lease.ImageSpec;
import io.containerlease.lease.Lease;
import io.containerlease.lease.LeaseId;
import io.containerlease.lease.LeaseListener;
import io.containerlease.lease.LeasePolicy;
import io.containerlease.lease.LeaseService;
import io.containerlease.lease.LeaseState;
import io.containerlease.lease.Quota;
import io.containerlease.lease.Redactor;
import io.containerlease.lease.RuntimeUnavailableException;
import io.containerlease.lease.StopReport;
import io.containerlease.lease.StoreException;
import io.containerlease.metrics.LeaseMetrics;
import io.containerlease.metrics.PoolMetrics;
import io.containerlease.pool.WarmPool;
import io.containerlease.program.FileTrees;
import io.containerlease.program.channel.ChannelFrame;
import io.containerlease.program.channel.ChannelRelay;
import io.containerlease.program.channel.Channels;
import io.containerlease.program.code.CodeUpdates;
import io.containerlease.program.code.CodeVersions;
import io.containerlease.program.code.CodeVolumeResources;
import io.containerlease.program.code.CodeVolumes;
import io.containerlease.program.code.FileCodeVersions;
import io.containerlease.reaper.ExpiryTimers;
import io.containerlease.reaper.ReaperLoop;
import io.containerlease.reaper.RemovalWorker;
import io.containerlease.reaper.RetentionPurge;
import io.containerlease.runtime.docker.DockerClients;
import io.containerlease.runtime.docker.DockerCodeEngine;
import io.containerlease.runtime.docker.DockerContainerEvents;
import io.containerlease.runtime.docker.DockerContainerRuntime;
import io.containerlease.runtime.docker.DockerContainerStreams;
import io.containerlease.runtime.docker.DockerUsageStreams;
import io.containerlease.schedule.ExecutorTaskScheduler;
import io.containerlease.schedule.RetryPolicy;
import io.containerlease.session.EndedLeases;
import io.containerlease.session.ExpiryWarnings;
import io.containerlease.session.IdleTimers;
import io.containerlease.session.LeaseConnections;
import io.containerlease.session.LogStreams;
import io.containerlease.session.SessionLifecycle;
import io.containerlease.session.SessionRelay;
import io.containerlease.session.SessionView;
import io.containerlease.session.TerminalSessions;
import io.containerlease.store.DurableStore;
import io.containerlease.store.redis.RedisLeaseStore;
import io.containerlease.store.sqlite.SqliteLeaseStore;
import io.containerlease.workload.ContainerDeadlines;
import io.containerlease.workload.ContainerStates;
import io.containerlease.workload.EngineWatcher;
import io.containerlease.workload.StopRelay;
import io.containerlease.workload.UsageWatch;
import io.containerlease.workload.WorkloadControl;
import io.containerlease.workload.WorkloadReactions;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires every object by hand and owns the start and stop order. Start: store, engine, first
 * reconcile pass (so the API opens on a repaired world), timers, periodic passes, then the API.
 * Stop: the reverse. Leases are durable and are left running on stop.
 */
public final class ContainerLeaseServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ContainerLeaseServer.class);
    /**
     * How long the API waits at start for the first pass: a few orphans are gone before it opens,
     * while many leases that expired during a long downtime go on being ended and removed with the
     * API open (until then they show as running past their expiry).
     */
    private static final Duration FIRST_PASS_WAIT = Duration.ofSeconds(1);

    private static final Duration RELEASE_WAIT = Duration.ofSeconds(15);
    /** Warm pool containers made at once: a refill must not crowd out the provisions it is meant to speed up. */
    private static final int POOL_REFILL_CONCURRENCY = 2;
    /** How often the pool looks for waiting containers that stopped, and fills up. */
    private static final Duration POOL_CHECK = Duration.ofSeconds(5);

    /** Closed in reverse order of start. */
    private final Deque<AutoCloseable> started = new ArrayDeque<>();

    private final ApiServer api;
    private final String dockerApiVersion;
    private final String instanceId;
    private final int imageTypes;
    private final EventHub events;
    /** The admin token made for this data directory (no tokens file), and where it was created on this start. */
    private String adminToken;

    private Path createdAdminToken;
    private final ServiceConfig config;

    private ContainerLeaseServer(ServiceConfig config) {
        this.config = config;
        InstantSource clock = InstantSource.system();
        SecureRandom random = new SecureRandom();
        try {
            started.push(DataDirLock.acquire(config.dataDir()));
            // On a shared (Redis) store each server has an id of its own and holds the leases it makes.
            String self = config.redisUrl().isPresent() ? InstanceIds.load(config.dataDir()) : null;
            DurableStore store = openStore(config, self);
            started.push(store);
            DataDirPermissions.tighten(config.dataDir());
            instanceId = store.instanceId();
            var catalog = ImageCatalog.load(config.imageCatalog());
            var redactor = new Redactor();
            Optional<ReloadingTokens> tokens = tokens(config, random, redactor);
            tokens.ifPresent(started::push);
            imageTypes = catalog.imageTypes().size();
            var docker = connectDocker(config);
            dockerApiVersion = docker.apiVersion();
            var runtime = new DockerContainerRuntime(
                    docker.client(), config.imagePullTimeout(), config.containerLabels(), instanceId, store.serverId());
            started.push(runtime);
            checkDiskQuotas(catalog, runtime);
            var streamingClient = DockerClients.streaming(config.dockerHost(), docker);
            started.push(streamingClient);
            var streams = new DockerContainerStreams(streamingClient);

            var registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            new JvmMemoryMetrics().bindTo(registry);
            new JvmThreadMetrics().bindTo(registry);
            new ProcessorMetrics().bindTo(registry);
            var metrics = new LeaseMetrics(registry);

            var scheduler = new ExecutorTaskScheduler("containerlease-timers");
            started.push(scheduler);
            ExecutorService removalPool = Executors.newFixedThreadPool(
                    config.reapConcurrency(),
                    Thread.ofPlatform()
                            .name("containerlease-reap-", 0)
                            .daemon(true)
                            .factory());
            started.push(() -> shutdown(removalPool));
            var removals = new RemovalWorker(runtime, removalPool, scheduler, RetryPolicy.REMOVAL, random, metrics);
            var timers = new ExpiryTimers(scheduler, clock);
            // The program inside: its channel directory and code volume, made before its container.
            var codeEngine = new DockerCodeEngine(docker.client(), config.containerLabels());
            // One server keeps code versions on its disk; servers sharing a store keep them in it, for all.
            CodeVersions codeVersions = store instanceof RedisLeaseStore shared
                    ? shared.codeVersions()
                    : new FileCodeVersions(config.dataDir());
            removeLegacyChannelDirectories(config.dataDir());
            var programResources =
                    new CodeVolumeResources(catalog, new CodeVolumes(codeEngine, codeVersions, instanceId));
            var policy = new LeasePolicy(config.leaseMin(), config.leaseMax(), config.deadmanMargin());
            var leases = new LeaseService(
                    store,
                    runtime,
                    catalog,
                    policy,
                    timers,
                    removals,
                    clock,
                    random,
                    metrics,
                    RELEASE_WAIT,
                    new Quota(config.maxLeasesPerUser(), config.maxLeases()),
                    redactor,
                    programResources);
            leases.addListener(programResources);
            // Pushed here, so it runs at stop after everything that can still end a lease, with the store still open.
            started.push(() -> log.info(
                    "stopping: {}",
                    StopReport.describe(store.listLive(), policy, config.poolMaxWait(), clock.instant())));
            var activity = new ActivityRecorder(store.activityLog(), store, redactor, clock);
            leases.addListener(activity);
            // Everything that happens, as events for GET /api/events and /ws/events.
            events = new EventHub(clock, config.eventHistoryBytes(), EventHub.DEFAULT_HISTORY, EventHub.HEARTBEAT);
            EventRelay relay = null;
            if (store instanceof RedisLeaseStore shared) {
                // One event channel for all the servers of the store.
                relay = new EventRelay(events, self, shared.broadcast("events"));
                relay.start();
                started.push(relay);
            }
            var eventSources = new EventSources(events, store);
            leases.addListener(eventSources);
            activity.addListener(eventSources::activity);
            metrics.trackActiveLeases(leases::countLive);
            var channels = new Channels(catalog, streams, clock, new Channels.Observer() {
                @Override
                public void message(LeaseId id, ChannelFrame frame) {
                    eventSources.channelMessage(id, frame);
                }

                @Override
                public void connection(LeaseId id, boolean connected) {
                    eventSources.channelConnection(id, connected);
                }
            });
            leases.addListener(channels);
            started.push(channels);
            if (store instanceof RedisLeaseStore shared) {
                // A channel is one connection, the holder's: other servers ask it.
                var channelRelay =
                        new ChannelRelay(self, shared.broadcast("channels"), channels, store::holder, store::find);
                channelRelay.start();
                started.push(channelRelay);
            }
            var codeUpdates = new CodeUpdates(
                    catalog,
                    codeEngine,
                    runtime,
                    codeVersions,
                    clock,
                    new CodeUpdates.Observer() {
                        @Override
                        public void updating(Lease lease, int version, String origin) {
                            eventSources.codeUpdating(lease, version, origin);
                        }

                        @Override
                        public void finished(Lease lease, CodeUpdates.Outcome outcome) {
                            eventSources.codeFinished(lease, outcome);
                        }
                    },
                    instanceId,
                    config.codeMaxBytes());
            leases.addListener(codeUpdates); // resolves updates a crash cut short

            var ended = new EndedLeases();
            var connections = new LeaseConnections(
                    scheduler, clock, RetryPolicy.REMOVAL, random, id -> leases.end(id, EndReason.DISCONNECTED), ended);
            var idle =
                    new IdleTimers(scheduler, clock, RetryPolicy.REMOVAL, random, id -> leases.end(id, EndReason.IDLE));
            // Last activity and pending grace ends are kept in the store, so a restart resets neither.
            idle.keepMarksIn(store);
            connections.keepMarksIn(store);
            var warnings =
                    new ExpiryWarnings(new ExpiryTimers(scheduler, clock), clock, config.expiryWarning(), connections);
            warnings.addListener(eventSources::expiring);
            var terminals = new TerminalSessions(
                    streams, config.terminalBufferBytes(), random, ended, scheduler, clock, config.terminalDetached());
            var logs = new LogStreams(
                    streams,
                    new LogStreams.Budget(
                            config.logBufferLines(), config.logBufferBytes(), config.logBufferTotalBytes()),
                    ended);
            metrics.trackSessionMemory(
                    logs::heldBytes, config.logBufferTotalBytes(), logs::evictedLines, streams::queuedInputBytes);
            var sessionLifecycle = new SessionLifecycle(connections, idle, warnings, terminals, logs, ended);
            leases.addListener(sessionLifecycle);
            if (store instanceof RedisLeaseStore shared) {
                // A lease's connections and activity count wherever they arrive.
                var sessionRelay =
                        new SessionRelay(self, shared.broadcast("sessions"), connections, idle, scheduler, clock);
                sessionRelay.start();
                started.push(sessionRelay);
            }
            // Each live lease's container state, kept current from the engine's events (one stream for all).
            var containers = new ContainerStates(runtime);
            leases.addListener(containers);
            containers.addListener(new WorkloadReactions(leases, store, catalog, connections, logs, idle));
            containers.addListener(eventSources::containerChanged);
            // Each running container ends itself at its lease's expiry plus the margin, should no server be alive then.
            var deadlines = new ContainerDeadlines(runtime, policy, store::find, scheduler);
            leases.addListener(deadlines);
            containers.addListener(deadlines);
            started.push(deadlines);
            if (store instanceof RedisLeaseStore shared) {
                // A stop through any server is a stop to the holder, not an exit.
                var stopRelay = new StopRelay(self, shared.broadcast("stops"), containers);
                stopRelay.start();
                started.push(stopRelay);
            }
            var control = new WorkloadControl(leases, runtime, containers);
            // Resource usage, measured only while someone asks (at most 32 containers at once).
            var usage = new UsageWatch(
                    new DockerUsageStreams(streamingClient), scheduler, clock, 32, Duration.ofSeconds(30));
            leases.addListener(usage);
            started.push(usage);
            metrics.trackContainers(containers::countByState, usage::latestOfAll);

            // Beats, and takes over the leases of servers that stopped beating, before this one acts on anything.
            ReaperLoop.Peers peers = ReaperLoop.Peers.NONE;
            if (store instanceof RedisLeaseStore shared) {
                var heartbeats = shared.heartbeats();
                var watch = new InstanceWatch(
                        heartbeats, store, leases, self, runtime.engineId(), config.heartbeat(), scheduler);
                watch.start();
                started.push(watch);
                peers = new ReaperLoop.Peers(
                        watch::actingSince,
                        config.orphanPolicy() == ServiceConfig.OrphanPolicy.CONSERVATIVE
                                ? () -> heartbeats.alive(self)
                                : java.util.Set::of,
                        () -> heartbeats.alive(self));
            }
            var reaper = new ReaperLoop(
                    runtime,
                    store,
                    leases,
                    removals,
                    scheduler,
                    config.reconcileInterval(),
                    clock,
                    metrics,
                    programResources,
                    peers);
            // Containers waiting ready for a provision; those from before a restart are taken back before the first
            // pass.
            var poolMetrics = new PoolMetrics(registry);
            var pool = new WarmPool(
                    new WarmPool.Settings(
                            config.poolMaxTotal() == 0 ? java.util.Map.of() : catalog.warmPools(),
                            config.poolMaxTotal(),
                            POOL_REFILL_CONCURRENCY,
                            config.poolDrainOnStop(),
                            POOL_CHECK,
                            config.poolMaxWait(),
                            config.poolMaxWait().plus(config.leaseMax()).plus(config.deadmanMargin())),
                    catalog,
                    runtime,
                    programResources,
                    store,
                    scheduler,
                    clock,
                    random,
                    poolMetrics);
            poolMetrics.track(pool::sizes, pool.targets());
            leases.takeWarmContainersFrom(pool);
            reaper.keepPooled(pool::protectedSince);
            pool.start();
            started.push(pool);
            firstPass(reaper);
            leases.armTimers();
            if (relay != null) {
                // The containers of leases other servers hold are shown here too (their holders tell their changes).
                Set<LeaseId> held = store.held();
                store.listLive().stream()
                        .filter(l -> l.state() == LeaseState.RUNNING && !held.contains(l.id()))
                        .forEach(containers::observe);
                // What this server keeps for a lease (sessions, channel, container state, usage) goes when it ends
                // elsewhere.
                List<LeaseListener> endedElsewhere = List.of(sessionLifecycle, channels, containers, usage);
                relay.onRemote(event -> followElsewhere(event, store, containers, channels, endedElsewhere));
            }
            var engineWatcher = new EngineWatcher(
                    new DockerContainerEvents(streamingClient),
                    containers,
                    instanceId,
                    scheduler,
                    RetryPolicy.REMOVAL,
                    random,
                    clock);
            engineWatcher.start();
            started.push(engineWatcher);
            reaper.start();
            started.push(reaper);
            var retention = new RetentionPurge(store, store.activityLog(), scheduler, clock, config.retention());
            retention.start();
            started.push(retention);

            api = new ApiServer(
                    config,
                    new ApiServer.Services(
                            leases,
                            new SessionView(connections, idle),
                            connections,
                            terminals,
                            logs,
                            catalog,
                            store,
                            store.activityLog(),
                            runtime,
                            registry,
                            clock,
                            tokens.map(Authenticator.class::cast),
                            new WsTickets(clock, random),
                            redactor,
                            activity,
                            containers,
                            control,
                            events,
                            usage,
                            channels,
                            codeUpdates,
                            store instanceof RedisLeaseStore shared
                                    ? Optional.of(shared.rateLimit())
                                    : Optional.empty(),
                            pool,
                            streams,
                            deadlines));
            api.start();
            started.push(api);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * Follows what happens to leases on the other servers of a shared store: a lease that runs there
     * is shown here too; one that ends there loses what this server kept for it (its connections
     * here are told why and closed).
     */
    private static void followElsewhere(
            io.containerlease.events.Event event,
            DurableStore store,
            ContainerStates containers,
            Channels channels,
            List<LeaseListener> endedElsewhere) {
        if (event.leaseId() == null || !LeaseId.isValid(event.leaseId())) {
            return;
        }
        LeaseId id = new LeaseId(event.leaseId());
        switch (event.type()) {
            case "lease.running" ->
                store.find(id).filter(l -> l.state() == LeaseState.RUNNING).ifPresent(lease -> {
                    containers.observe(lease);
                    containers.refreshQuietly(id); // it started after this server's watcher first asked
                });
            case "channel.message" ->
                channels.heardElsewhere(
                        id,
                        new ChannelFrame(
                                event.data().get("id") instanceof String frameId ? frameId : null,
                                String.valueOf(event.data().getOrDefault("type", "message")),
                                FRAMES.valueToTree(event.data().get("payload"))));
            case "channel.connected", "channel.disconnected" ->
                channels.connectionElsewhere(id, event.type().equals("channel.connected"));
            case "lease.ending", "lease.ended" -> {
                EndReason reason =
                        event.data().get("reason") instanceof String r ? EndReason.fromWireName(r) : EndReason.RELEASED;
                for (LeaseListener listener : endedElsewhere) {
                    try {
                        listener.onEnding(id, reason);
                    } catch (RuntimeException e) {
                        log.warn(
                                "could not drop what this server kept for a lease that ended elsewhere {}",
                                kv("leaseId", id.value()),
                                e);
                    }
                }
            }
            default -> {}
        }
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper FRAMES =
            new com.fasterxml.jackson.databind.ObjectMapper();

    /**
     * Before the channel went through our helper, each lease's socket lived in a host directory under
     * DATA_DIR/channels that its container could write: nothing uses them now (a container made then
     * has no helper, so its channel stays down until it ends), and what a tenant left there goes.
     */
    private static void removeLegacyChannelDirectories(Path dataDir) {
        Path legacy = dataDir.resolve("channels");
        if (java.nio.file.Files.exists(legacy, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            try {
                FileTrees.removeTree(legacy);
                log.info("removed the channel directories of an earlier version {}", kv("path", legacy.toString()));
            } catch (java.io.IOException | RuntimeException e) {
                log.warn(
                        "could not remove the channel directories of an earlier version {} {}",
                        kv("path", legacy.toString()),
                        kv("error", String.valueOf(e.getMessage())));
            }
        }
    }

    /** SQLite in DATA_DIR, or the Redis that STORE names; a Redis that does not answer stops the start with where it was looked for. */
    private static DurableStore openStore(ServiceConfig config, String self) {
        if (config.redisUrl().isEmpty()) {
            return SqliteLeaseStore.open(config.dataDir().resolve("containerlease.db"));
        }
        try {
            return RedisLeaseStore.open(config.redisUrl().get(), self);
        } catch (StoreException e) {
            throw new StartupException(
                    "STORE: " + e.getMessage() + " (start Redis, or leave STORE unset for the embedded SQLite store)",
                    e);
        }
    }

    /** Says at start, once, when the catalog asks for writable-layer quotas that this engine cannot enforce. */
    private static void checkDiskQuotas(ImageCatalog catalog, DockerContainerRuntime runtime) {
        var wanting = catalog.imageTypes().stream()
                .map(t -> catalog.find(t).orElseThrow())
                .filter(spec -> spec.disk().writableLayerMb().isPresent())
                .toList();
        if (wanting.isEmpty()) {
            return;
        }
        try {
            if (!runtime.probeWritableLayerQuota(wanting.get(0))) {
                log.warn(
                        "the engine's storage driver cannot cap a container's writable layer (overlay2 needs xfs with pquota); "
                                + "diskMb is not enforced {}",
                        kv(
                                "imageTypes",
                                wanting.stream().map(ImageSpec::imageType).toList()));
            }
        } catch (RuntimeException e) {
            log.warn(
                    "could not find out whether writable-layer quotas work; diskMb is not enforced {}",
                    kv("error", e.getMessage()));
        }
    }

    /** Starts a server and returns once its API answers. */
    public static ContainerLeaseServer start(ServiceConfig config) {
        return new ContainerLeaseServer(config);
    }

    /**
     * The users: AUTH_TOKENS_FILE when given; otherwise one admin whose token is created in DATA_DIR
     * on the first start and printed once, with how to use it. Either file is read again when it
     * changes ({@code containerlease token create|revoke|rotate-admin}); plain-text tokens in it are redacted.
     */
    private Optional<ReloadingTokens> tokens(ServiceConfig config, SecureRandom random, Redactor redactor) {
        if (config.auth() == ServiceConfig.AuthMode.OFF) {
            return Optional.empty();
        }
        java.util.function.Consumer<TokenRegistry> redact = registry -> redactor.register(registry.plaintextTokens());
        if (config.authTokensFile().isPresent()) {
            return Optional.of(new ReloadingTokens(config.authTokensFile().get(), TokenRegistry::load, redact));
        }
        try {
            AdminToken.Loaded admin = AdminToken.loadOrCreate(config.dataDir(), random);
            if (admin.created()) {
                createdAdminToken = admin.file().toAbsolutePath().normalize();
            }
            adminToken = admin.token();
            return Optional.of(new ReloadingTokens(admin.file(), AdminToken::registry, redact));
        } catch (java.io.IOException e) {
            throw new StartupException("cannot create the admin token in DATA_DIR: " + e.getMessage(), e);
        }
    }

    /** Shown once, on the first start without a tokens file: the new admin token and how to use it. */
    public Optional<String> firstStartNotice() {
        if (createdAdminToken == null) {
            return Optional.empty();
        }
        return Optional.of(
                "An admin token was created in " + createdAdminToken + " (mode 0600).\n"
                        + "Open the web console, signed in:\n"
                        + "    " + signInUrl().orElseThrow() + "\n"
                        + "or use the API:\n"
                        + "    curl -H 'Authorization: Bearer " + adminToken + "' " + browsableUrl()
                        + "/api/containers\n"
                        + "It stays in that file; later starts print the sign-in address only to a terminal. See the README to add users.");
    }

    /**
     * The console's address with the admin token in its fragment, which a browser never sends to a
     * server or a proxy; empty when users come from a tokens file (each has their own token).
     */
    public Optional<String> signInUrl() {
        if (adminToken == null) {
            return Optional.empty();
        }
        return Optional.of(browsableUrl() + "/#token=" + URLEncoder.encode(adminToken, StandardCharsets.UTF_8));
    }

    /** The address a browser on this machine can open: a wildcard listen address is not one. */
    private String browsableUrl() {
        String host = config.host();
        if (host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")) {
            host = "127.0.0.1";
        } else if (host.contains(":") && !host.startsWith("[")) {
            host = "[" + host + "]";
        }
        return "http://" + host + ":" + api.port();
    }

    private static DockerClients.NegotiatedClient connectDocker(ServiceConfig config) {
        try {
            return DockerClients.connect(config.dockerHost(), Duration.ofSeconds(60));
        } catch (RuntimeUnavailableException e) {
            throw new StartupException(
                    "Cannot reach a Docker engine at DOCKER_HOST=" + config.dockerHost() + " ("
                            + e.getMessage() + ").\n"
                            + "Start one (on Debian, as root: scripts/ensure-docker.sh, which installs docker.io and runs\n"
                            + "'dockerd --bridge=none --iptables=false --ip-masq=false'), or set DOCKER_HOST to an engine that answers.",
                    e);
        }
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
            Throwable cause =
                    e instanceof java.util.concurrent.ExecutionException && e.getCause() != null ? e.getCause() : e;
            throw new StartupException("the first reconcile pass failed: " + cause.getMessage(), cause);
        }
    }

    private static void shutdown(ExecutorService pool) throws InterruptedException {
        pool.shutdown();
        if (!pool.awaitTermination(10, TimeUnit.SECONDS)) {
            log.warn("removals still running after 10 s; the next start's reconcile pass finishes them");
            pool.shutdownNow();
        }
    }

    public int port() {
        return api.port();
    }

    public String baseUrl() {
        return api.baseUrl();
    }

    public String dockerApiVersion() {
        return dockerApiVersion;
    }

    /** The value of the containerlease.instance label on this server's containers. */
    public String instanceId() {
        return instanceId;
    }

    public int imageTypes() {
        return imageTypes;
    }

    /** Every event of this server (what its history holds is for tests and the bench to see). */
    public EventHub events() {
        return events;
    }

    /** Stops in reverse order of start. Leases and their containers are left running. Idempotent. */
    @Override
    public synchronized void close() {
        while (!started.isEmpty()) {
            AutoCloseable next = started.pop();
            try {
                next.close();
            } catch (Exception e) {
                log.warn(
                        "error while stopping {}",
                        kv("component", next.getClass().getSimpleName()),
                        e);
            }
        }
    }
}
