package io.containerlease.cli;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import io.containerlease.config.ConfigException;
import io.containerlease.config.ServiceConfig;
import io.containerlease.lease.Lease;
import io.containerlease.lease.LeaseId;
import io.containerlease.lease.LeaseStore;
import io.containerlease.lease.ManagedLabels;
import io.containerlease.runtime.docker.DockerClients;
import io.containerlease.runtime.docker.DockerDeadlineSweep;
import io.containerlease.store.redis.RedisLeaseStore;
import io.containerlease.store.sqlite.SqliteLeaseStore;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The administrator's tool for containers the reconciler will not remove by itself: those of a
 * cluster whose store is gone (a deleted DATA_DIR, a flushed Redis). Lists every ContainerLease
 * container on the engine with why it stays or would go, and removes the ones that would go when told.
 */
@Command(
        name = "reap",
        mixinStandardHelpOptions = true,
        description = {
            "List (--dry-run) or remove (--yes) ContainerLease containers that no store of this installation owns,",
            "or keep removing (--watch) containers whose own deadline has passed, with no store and no server."
        },
        footer = {
            "",
            "Examples:",
            "  containerlease reap --dry-run",
            "  containerlease reap --yes --cluster 3f2c…",
            "  containerlease reap --watch --interval 10",
            "",
            "This installation's store is the one the environment names (DATA_DIR, or STORE for Redis).",
            "Its own containers without a live lease would go; another cluster's only with --cluster ID or --all-clusters.",
            "--watch reads no store: it removes any cluster's container past its hard deadline (its label), a paused one past",
            "the deadline its frozen helper holds, and a stopped one its helper ended at its deadline; it runs until stopped."
        })
public final class ReapCommand implements Callable<Integer> {
    static final int EXIT_OK = 0;
    static final int EXIT_USAGE = 2;

    static final class Mode {
        @Option(names = "--dry-run", required = true, description = "List what would go, and why; remove nothing.")
        boolean dryRun;

        @Option(names = "--yes", required = true, description = "Remove what would go.")
        boolean yes;

        @Option(
                names = "--watch",
                required = true,
                description = "Keep removing containers past their own deadline (no store needed).")
        boolean watch;
    }

    @Option(
            names = "--interval",
            paramLabel = "SECONDS",
            defaultValue = "5",
            description = "With --watch: seconds between passes (default ${DEFAULT-VALUE}).")
    int intervalSeconds;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Mode mode;

    static final class Scope {
        @Option(
                names = "--cluster",
                paramLabel = "ID",
                description = "Also remove the containers of this (other) cluster.")
        String cluster;

        @Option(names = "--all-clusters", description = "Also remove the containers of every other cluster.")
        boolean all;
    }

    @ArgGroup(exclusive = true)
    Scope scope;

    private final Map<String, String> env;
    private final PrintStream out;

    public ReapCommand() {
        this(System.getenv(), System.out);
    }

    /** With the environment and output given (tests). */
    ReapCommand(Map<String, String> env, PrintStream out) {
        this.env = env;
        this.out = out;
    }

    /** One container and what becomes of it. */
    record Verdict(
            String container,
            String name,
            String cluster,
            String lease,
            Duration age,
            String server,
            boolean goes,
            String why) {}

    @Override
    public Integer call() {
        ServiceConfig config;
        try {
            config = ServiceConfig.fromEnvironment(env);
        } catch (ConfigException e) {
            System.err.println("containerlease: " + e.getMessage());
            return EXIT_USAGE;
        }
        if (mode.watch && (intervalSeconds < 1 || intervalSeconds > 3600)) {
            System.err.println("containerlease: --interval must be between 1 and 3600 seconds");
            return EXIT_USAGE;
        }
        var docker = DockerClients.connect(config.dockerHost(), Duration.ofSeconds(60))
                .client();
        if (mode.watch) {
            // --cluster narrows the watch to one cluster's containers; otherwise it looks after every cluster's.
            return watch(new DockerDeadlineSweep(
                    docker,
                    scope != null && scope.cluster != null ? Map.of(ManagedLabels.CLUSTER, scope.cluster) : Map.of()));
        }
        Optional<Store> store = Store.open(config);
        try {
            List<Verdict> verdicts = judge(docker, store, Instant.now());
            print(verdicts, store.map(Store::cluster), out);
            if (mode.yes) {
                int removed = 0;
                for (Verdict v : verdicts) {
                    if (v.goes()) {
                        try {
                            docker.removeContainerCmd(v.container())
                                    .withForce(true)
                                    .withRemoveVolumes(true)
                                    .exec();
                        } catch (NotFoundException alreadyGone) {
                            // what was wanted
                        }
                        removed++;
                    }
                }
                out.println("removed " + removed + " container(s)");
            }
            return EXIT_OK;
        } finally {
            store.ifPresent(Store::close);
        }
    }

    /** Passes until the process is stopped; an engine that does not answer is said once per outage, and tried again. */
    private Integer watch(DockerDeadlineSweep sweep) {
        out.println("removing containers past their own deadline, every " + intervalSeconds + " s (stop with Ctrl-C)");
        boolean engineDown = false;
        while (!Thread.currentThread().isInterrupted()) {
            try {
                for (DockerDeadlineSweep.Removed r : sweep.sweep(Instant.now())) {
                    out.println(now() + " removed " + r.name() + " (lease " + r.lease() + "): " + r.why());
                }
                if (engineDown) {
                    out.println(now() + " the Docker engine answers again");
                    engineDown = false;
                }
            } catch (RuntimeException e) {
                if (!engineDown) {
                    out.println(now() + " the Docker engine did not answer (" + e.getMessage()
                            + "); trying again every " + intervalSeconds + " s");
                    engineDown = true;
                }
            }
            try {
                Thread.sleep(Duration.ofSeconds(intervalSeconds));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return EXIT_OK;
    }

    /** Whole seconds: a log a person reads. */
    private static Instant now() {
        return Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    }

    List<Verdict> judge(DockerClient docker, Optional<Store> store, Instant now) {
        Set<String> live = new HashSet<>();
        store.ifPresent(s -> s.leases().listLive().stream()
                .map(Lease::id)
                .map(LeaseId::value)
                .forEach(live::add));
        List<Verdict> verdicts = new ArrayList<>();
        List<Container> ours = docker.listContainersCmd()
                .withShowAll(true)
                .withLabelFilter(List.of(ManagedLabels.LEASE_ID))
                .exec();
        for (Container c : ours) {
            Map<String, String> labels = c.getLabels() == null ? Map.of() : c.getLabels();
            String cluster =
                    labels.getOrDefault(ManagedLabels.CLUSTER, labels.getOrDefault(ManagedLabels.INSTANCE, "?"));
            String lease = labels.getOrDefault(ManagedLabels.LEASE_ID, "?");
            Duration age = Duration.ofSeconds(Math.max(0, now.getEpochSecond() - c.getCreated()));
            String server = labels.getOrDefault(ManagedLabels.SERVER, cluster);
            String name = c.getNames() == null || c.getNames().length == 0
                    ? c.getId()
                    : c.getNames()[0].replaceFirst("^/", "");
            boolean own = store.map(s -> s.cluster().equals(cluster)).orElse(false);
            boolean goes;
            String why;
            if (own && live.contains(lease)) {
                goes = false;
                why = "its lease is live";
            } else if (own
                    && labels.containsKey(ManagedLabels.POOL)
                    && LeaseId.isValid(lease)
                    && store.get().leases().find(new LeaseId(lease)).isEmpty()) {
                goes = false;
                why = "it waits in server " + labels.get(ManagedLabels.POOL)
                        + "'s warm pool (taken back when that server starts, "
                        + "removed when it stops with POOL_DRAIN_ON_STOP=true)";
            } else if (own) {
                goes = true;
                why = "this store has no live lease for it (the reconciler would remove it too)";
            } else if (scope != null && (scope.all || cluster.equals(scope.cluster))) {
                goes = true;
                why = "cluster " + cluster + " is not this store's, and was named for removal";
            } else {
                goes = false;
                why = "cluster " + cluster + " is not this store's (another installation, or one whose store is gone): "
                        + "--cluster " + cluster + " removes it";
            }
            verdicts.add(new Verdict(c.getId(), name, cluster, lease, age, server, goes, why));
        }
        return verdicts;
    }

    static void print(List<Verdict> verdicts, Optional<String> ownCluster, PrintStream out) {
        out.println("this store's cluster: " + ownCluster.orElse("none (no store in DATA_DIR)"));
        // Every id whole: they are what an operator copies into --cluster, docker rm or a report.
        List<String[]> rows = new java.util.ArrayList<>();
        rows.add(new String[] {"VERDICT", "CONTAINER", "CLUSTER", "AGE", "SERVER", "WHY"});
        for (Verdict v : verdicts) {
            rows.add(new String[] {v.goes() ? "goes" : "stays", v.name(), v.cluster(), age(v.age()), v.server(), v.why()
            });
        }
        java.io.PrintWriter writer = new java.io.PrintWriter(out, true, java.nio.charset.StandardCharsets.UTF_8);
        io.containerlease.cli.client.TextColumns.print(writer, rows);
        writer.flush();
    }

    private static String age(Duration d) {
        if (d.toDays() > 0) {
            return d.toDays() + "d" + d.toHoursPart() + "h";
        }
        if (d.toHours() > 0) {
            return d.toHours() + "h" + d.toMinutesPart() + "m";
        }
        return d.toMinutes() + "m" + d.toSecondsPart() + "s";
    }

    /** This installation's store, read only for its id and live leases; none when DATA_DIR holds no store. */
    record Store(LeaseStore leases, String cluster) {
        static Optional<Store> open(ServiceConfig config) {
            if (config.redisUrl().isPresent()) {
                RedisLeaseStore redis = RedisLeaseStore.open(config.redisUrl().get(), "reap-tool");
                return Optional.of(new Store(redis, redis.instanceId()));
            }
            Path file = config.dataDir().resolve("containerlease.db");
            if (!Files.exists(file)) {
                return Optional.empty(); // opening would make a new store, with a new id
            }
            SqliteLeaseStore sqlite = SqliteLeaseStore.open(file);
            return Optional.of(new Store(sqlite, sqlite.instanceId()));
        }

        void close() {
            leases.close();
        }
    }
}
