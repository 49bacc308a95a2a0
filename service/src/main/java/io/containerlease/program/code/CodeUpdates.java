package io.containerlease.program.code;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.containerlease.lease.ContainerRuntime;
import io.containerlease.lease.EngineContainer;
import io.containerlease.lease.EngineException;
import io.containerlease.lease.ImageSpec;
import io.containerlease.lease.ImageTypes;
import io.containerlease.lease.Lease;
import io.containerlease.lease.LeaseId;
import io.containerlease.lease.ManagedLabels;
import io.containerlease.program.ProgramException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.zip.GZIPOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Installs new code into a running lease and takes it back out when it does not come up: the
 * version before is kept, the new one is copied into the lease's code volume, the program is
 * restarted (or the catalog's reload command runs), and the new version must pass the health
 * check; if it does not, the version before is installed again. One update or rollback per lease
 * at a time.
 */
public final class CodeUpdates {
    private static final Logger log = LoggerFactory.getLogger(CodeUpdates.class);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration POLL = Duration.ofMillis(200);

    /** How an install ended. {@code status}: {@code active} or {@code rolled_back} (then {@code reason} says why). */
    public record Outcome(int version, String status, Optional<String> reason) {}

    /** Hears each update start and end, for the event channel. */
    public interface Observer {
        void updating(Lease lease, int version, String origin);

        void finished(Lease lease, Outcome outcome);
    }

    private final ImageTypes catalog;
    private final CodeEngine engine;
    private final ContainerRuntime runtime;
    private final CodeVersions versions;
    private final InstantSource clock;
    private final Observer observer;
    private final String instanceId;
    private final long maxBytes;

    /** @param maxBytes the largest archive accepted (CODE_MAX_BYTES) */
    public CodeUpdates(ImageTypes catalog, CodeEngine engine, ContainerRuntime runtime, CodeVersions versions,
                       InstantSource clock, Observer observer, String instanceId, long maxBytes) {
        this.catalog = catalog;
        this.engine = engine;
        this.runtime = runtime;
        this.versions = versions;
        this.clock = clock;
        this.observer = observer;
        this.instanceId = instanceId;
        this.maxBytes = maxBytes;
    }

    public long maxBytes() {
        return maxBytes;
    }

    /**
     * Installs {@code tarGz} as the lease's next version. The archive is checked first: a refused one
     * changes nothing.
     *
     * @throws ProgramException when the image type has no code, the archive is refused, or another
     *                          update of this lease is running
     */
    public Outcome update(Lease lease, byte[] tarGz) {
        ImageSpec spec = spec(lease);
        CodeArchive archive = CodeArchive.check(tarGz, maxBytes);
        return exclusively(lease.id(), () -> {
            keepFirstVersion(lease, spec);
            CodeVersions.Version version = versions.add(lease.id(), archive.tarGz(), archive.sha256(), clock.instant(), "upload");
            return activate(lease, spec, version.version(), "upload");
        });
    }

    /**
     * Installs a kept version again, health-checked like an update.
     *
     * @throws ProgramException when there is no such kept version, or another update is running
     */
    public Outcome rollback(Lease lease, int number) {
        ImageSpec spec = spec(lease);
        return exclusively(lease.id(), () -> {
            CodeVersions.Version version = versions.list(lease.id()).stream().filter(v -> v.version() == number && v.kept())
                    .findFirst().orElseThrow(() -> new ProgramException(ProgramException.Kind.NOT_FOUND, "code_version_not_found",
                            "lease " + lease.id() + " keeps no code version " + number + "; kept: " + kept(lease.id())));
            if (version.status().equals("active")) {
                return new Outcome(number, "active", Optional.empty());
            }
            return activate(lease, spec, number, "rollback");
        });
    }

    public List<CodeVersions.Version> versions(Lease lease) {
        spec(lease);
        return versions.list(lease.id());
    }

    private ImageSpec spec(Lease lease) {
        return catalog.find(lease.imageType()).filter(s -> s.program().code().isPresent()).orElseThrow(() ->
                new ProgramException(ProgramException.Kind.NOT_ENABLED, "code_not_enabled",
                        "image type '" + lease.imageType() + "' has no updatable code (its catalog entry has no 'code')"));
    }

    private Outcome exclusively(LeaseId id, java.util.function.Supplier<Outcome> work) {
        if (!versions.claim(id)) {
            throw new ProgramException(ProgramException.Kind.IN_PROGRESS, "update_in_progress",
                    "lease " + id + " is already being updated; wait for that update to finish");
        }
        try {
            return work.get();
        } finally {
            versions.unclaim(id);
        }
    }

    /** Before the first update, what the image put in the code path becomes version 1, so it can be rolled back to. */
    private void keepFirstVersion(Lease lease, ImageSpec spec) {
        if (!versions.list(lease.id()).isEmpty()) {
            return;
        }
        byte[] tar = engine.read(ManagedLabels.containerName(lease.id()), spec.program().code().orElseThrow().path());
        byte[] tarGz = gzip(tar);
        CodeVersions.Version first = versions.add(lease.id(), tarGz, CodeArchive.sha256(tarGz),
                clock.instant(), "image");
        versions.setStatus(lease.id(), first.version(), "active");
    }

    private Outcome activate(Lease lease, ImageSpec spec, int target, String origin) {
        LeaseId id = lease.id();
        Optional<CodeVersions.Version> previous = versions.active(id);
        observer.updating(lease, target, origin);
        log.info("code installing {} {} {}", kv("leaseId", id.value()), kv("version", target), kv("origin", origin));
        Optional<String> failure = install(lease, spec, archive(id, target));
        Outcome outcome;
        if (failure.isEmpty()) {
            versions.setStatus(id, target, "active");
            outcome = new Outcome(target, "active", Optional.empty());
        } else {
            versions.setStatus(id, target, "failed");
            String reason = failure.get();
            if (previous.isPresent()) {
                Optional<String> restoreFailure = install(lease, spec, archive(id, previous.get().version()));
                if (restoreFailure.isPresent()) {
                    reason += "; version " + previous.get().version() + " was installed again but " + restoreFailure.get();
                }
            }
            outcome = new Outcome(target, "rolled_back", Optional.of(reason));
        }
        log.info("code install finished {} {} {} {}", kv("leaseId", id.value()), kv("version", target),
                kv("status", outcome.status()), kv("reason", outcome.reason().orElse("")));
        observer.finished(lease, outcome);
        return outcome;
    }

    private byte[] archive(LeaseId id, int number) {
        return versions.archive(id, number).orElseThrow(() -> new IllegalStateException("code version " + number + " of " + id + " is not kept"));
    }

    /** Copies the version in and (re)starts the program; empty when it came up healthy, else what went wrong. */
    private Optional<String> install(Lease lease, ImageSpec spec, byte[] tarGz) {
        ImageSpec.Code code = spec.program().code().orElseThrow();
        String container = ManagedLabels.containerName(lease.id());
        try {
            engine.replace(CodeVolumes.volumeName(lease.id()), spec, CodeVolumes.helperName(lease.id()),
                    ManagedLabels.forLease(lease, instanceId), tarGz);
            if (!code.command().isEmpty()) {
                int exit = engine.exec(container, code.command(), code.timeout());
                if (exit != 0) {
                    return Optional.of(exit < 0 ? "the reload command did not finish within " + code.timeout().toSeconds() + " s"
                            : "the reload command exited with " + exit);
                }
            } else {
                runtime.restart(container, STOP_TIMEOUT);
            }
            return spec.lifecycle().healthCheck().isPresent() ? awaitHealthy(container, code) : awaitStaying(container, code);
        } catch (EngineException e) {
            return Optional.of("the engine failed: " + e.clientMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted");
        }
    }

    /** The engine's health check must say healthy within the code's timeout; unhealthy or an exit fails at once. */
    private Optional<String> awaitHealthy(String container, ImageSpec.Code code) throws InterruptedException {
        long deadline = System.nanoTime() + code.timeout().toNanos();
        while (System.nanoTime() < deadline) {
            EngineContainer now = inspect(container);
            if (now.state() == EngineContainer.State.EXITED || now.state() == EngineContainer.State.DEAD) {
                return Optional.of("the program exited" + now.exitCode().map(c -> " with " + c).orElse(""));
            }
            if (now.health().filter("healthy"::equals).isPresent()) {
                return Optional.empty();
            }
            if (now.health().filter("unhealthy"::equals).isPresent()) {
                return Optional.of("the health check failed");
            }
            Thread.sleep(POLL);
        }
        return Optional.of("the health check did not pass within " + code.timeout().toSeconds() + " s");
    }

    /** Without a health check, the program must stay up (not exit, not be restarted) for the grace period. */
    private Optional<String> awaitStaying(String container, ImageSpec.Code code) throws InterruptedException {
        EngineContainer first = inspect(container);
        long deadline = System.nanoTime() + code.grace().toNanos();
        EngineContainer now = first;
        while (true) {
            if (now.state() != EngineContainer.State.RUNNING || !now.startedAt().equals(first.startedAt())
                    || now.restartCount() != first.restartCount()) {
                String exit = now.state() == EngineContainer.State.RUNNING ? "" : now.exitCode().map(c -> " (it exited with " + c + ")").orElse("");
                return Optional.of("the program did not stay up for " + code.grace().toSeconds() + " s" + exit);
            }
            if (System.nanoTime() >= deadline) {
                return Optional.empty();
            }
            Thread.sleep(POLL);
            now = inspect(container);
        }
    }

    private EngineContainer inspect(String container) {
        return runtime.inspect(container).orElseThrow(() -> new ProgramException(ProgramException.Kind.NOT_FOUND,
                "lease_not_running", "the lease's container is gone"));
    }

    private String kept(LeaseId id) {
        return versions.list(id).stream().filter(CodeVersions.Version::kept).map(v -> Integer.toString(v.version()))
                .reduce((a, b) -> a + ", " + b).orElse("none");
    }

    private static byte[] gzip(byte[] tar) {
        var out = new ByteArrayOutputStream();
        try (var gz = new GZIPOutputStream(out)) {
            gz.write(tar);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
