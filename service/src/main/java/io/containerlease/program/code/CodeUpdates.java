package io.containerlease.program.code;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.containerlease.lease.ContainerRuntime;
import io.containerlease.lease.EngineException;
import io.containerlease.lease.ImageSpec;
import io.containerlease.lease.ImageTypes;
import io.containerlease.lease.Lease;
import io.containerlease.lease.LeaseId;
import io.containerlease.lease.LeaseListener;
import io.containerlease.lease.ManagedLabels;
import io.containerlease.program.ProgramException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
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
public final class CodeUpdates implements LeaseListener {
    private static final Logger log = LoggerFactory.getLogger(CodeUpdates.class);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

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
    private final ProgramReadiness readiness;
    private final String instanceId;
    private final long maxBytes;

    /** @param maxBytes the largest archive accepted (CODE_MAX_BYTES) */
    public CodeUpdates(
            ImageTypes catalog,
            CodeEngine engine,
            ContainerRuntime runtime,
            CodeVersions versions,
            InstantSource clock,
            Observer observer,
            String instanceId,
            long maxBytes) {
        this.catalog = catalog;
        this.engine = engine;
        this.runtime = runtime;
        this.readiness = new ProgramReadiness(runtime::inspect, ProgramReadiness.Ticks.SYSTEM);
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
        return exclusively(lease, () -> {
            keepFirstVersion(lease, spec);
            CodeVersions.Version version =
                    versions.add(lease.id(), archive.tarGz(), archive.sha256(), clock.instant(), "upload");
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
        return exclusively(lease, () -> {
            CodeVersions.Version version = versions.list(lease.id()).stream()
                    .filter(v -> v.version() == number && v.kept())
                    .findFirst()
                    .orElseThrow(() -> new ProgramException(
                            ProgramException.Kind.NOT_FOUND,
                            "code_version_not_found",
                            "lease " + lease.id() + " keeps no code version " + number + "; kept: "
                                    + kept(lease.id())));
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
        return catalog.find(lease.imageType())
                .filter(s -> s.program().code().isPresent())
                .orElseThrow(() -> new ProgramException(
                        ProgramException.Kind.NOT_ENABLED,
                        "code_not_enabled",
                        "image type '" + lease.imageType()
                                + "' has no updatable code (its catalog entry has no 'code')"));
    }

    /**
     * Runs one update or rollback as the lease's only one. A lease that ends meanwhile (its container
     * removed under the update) makes it a {@code lease_not_running} refusal, and what the update kept
     * goes with the lease: its versions here (the lease's end removed them first; the update may have
     * written them again), its installer and its volume.
     */
    private Outcome exclusively(Lease lease, java.util.function.Supplier<Outcome> work) {
        LeaseId id = lease.id();
        if (!versions.claim(id)) {
            throw new ProgramException(
                    ProgramException.Kind.IN_PROGRESS,
                    "update_in_progress",
                    "lease " + id + " is already being updated; wait for that update to finish");
        }
        try {
            requireContainer(lease);
            Outcome outcome = work.get();
            requireContainer(lease);
            return outcome;
        } catch (RuntimeException e) {
            if (e instanceof ProgramException p && p.kind() != ProgramException.Kind.GONE || containerExists(lease)) {
                throw e;
            }
            forgetEnded(id);
            throw gone(lease);
        } finally {
            versions.unclaim(id);
        }
    }

    private void requireContainer(Lease lease) {
        if (!containerExists(lease)) {
            throw gone(lease);
        }
    }

    private boolean containerExists(Lease lease) {
        return runtime.exists(ManagedLabels.containerName(lease.id()));
    }

    private static ProgramException gone(Lease lease) {
        return new ProgramException(
                ProgramException.Kind.GONE,
                "lease_not_running",
                "lease " + lease.id() + " ended while its code was being updated; nothing of the update was kept");
    }

    private void forgetEnded(LeaseId id) {
        try {
            versions.remove(id);
            engine.removeVolume(CodeVolumes.volumeName(id));
        } catch (RuntimeException e) {
            // the reconciler removes what is left of an ended lease
            log.info(
                    "what an update of an ended lease kept is left to the reconciler {} {}",
                    kv("leaseId", id.value()),
                    kv("error", String.valueOf(e.getMessage())));
        }
    }

    /**
     * A lease found running after a restart whose update was cut (the server was killed during it)
     * has a version still {@code installing}: the volume may hold it, the one before, or half of
     * either. The cut version is marked failed and the active one installed again, so the list says
     * what the volume holds. In the background: the program restarts, which takes a while.
     */
    @Override
    public void onRecovered(Lease lease) {
        Optional<ImageSpec> spec =
                catalog.find(lease.imageType()).filter(s -> s.program().code().isPresent());
        if (spec.isEmpty()
                || versions.list(lease.id()).stream().noneMatch(v -> v.status().equals("installing"))) {
            return;
        }
        Thread.ofVirtual().name("code-recovery-" + lease.id().value()).start(() -> recover(lease, spec.get()));
    }

    private void recover(Lease lease, ImageSpec spec) {
        LeaseId id = lease.id();
        if (!versions.claim(id)) {
            log.warn(
                    "an interrupted code update is still claimed; its version stays installing until the claim lapses {}",
                    kv("leaseId", id.value()));
            return;
        }
        try {
            for (CodeVersions.Version v : versions.list(id)) {
                if (v.status().equals("installing")) {
                    versions.setStatus(id, v.version(), "failed");
                }
            }
            Optional<CodeVersions.Version> active = versions.active(id).filter(CodeVersions.Version::kept);
            Optional<String> failure = active.isPresent()
                    ? install(lease, spec, archive(id, active.get().version()))
                    : Optional.of("no version is kept to install again");
            log.info(
                    "an interrupted code update was resolved {} {} {}",
                    kv("leaseId", id.value()),
                    kv("active", active.map(CodeVersions.Version::version).orElse(0)),
                    kv("reinstallFailure", failure.orElse("")));
        } catch (RuntimeException e) {
            log.warn(
                    "could not resolve an interrupted code update {} {}",
                    kv("leaseId", id.value()),
                    kv("error", String.valueOf(e.getMessage())));
        } finally {
            versions.unclaim(id);
        }
    }

    /**
     * Before the first update, what the code path holds becomes version 1, so it can be rolled back
     * to. The tenant may have filled it: it is streamed and compressed as it comes, and refused once
     * it passes the upload's own limits (CODE_MAX_BYTES compressed, {@link CodeArchive#EXPANSION}
     * times that unpacked), so it never costs more memory than an upload.
     */
    private void keepFirstVersion(Lease lease, ImageSpec spec) {
        if (!versions.list(lease.id()).isEmpty()) {
            return;
        }
        String path = spec.program().code().orElseThrow().path();
        var tarGz = new ByteArrayOutputStream();
        try (var tar = new LimitedOutput(
                new GZIPOutputStream(new LimitedOutput(tarGz, maxBytes)), maxBytes * CodeArchive.EXPANSION)) {
            engine.read(ManagedLabels.containerName(lease.id()), path, tar);
        } catch (LimitedOutput.Exceeded e) {
            throw new ProgramException(
                    ProgramException.Kind.TOO_LARGE,
                    "code_too_large",
                    "the code in " + path
                            + " takes more than CODE_MAX_BYTES (" + maxBytes / 1024 + " KiB compressed, "
                            + maxBytes * CodeArchive.EXPANSION / 1024
                            + " KiB unpacked), so it cannot be kept for a rollback; make it smaller first; nothing was changed");
        } catch (IOException e) {
            throw new ProgramException(
                    ProgramException.Kind.GONE,
                    "lease_not_running",
                    "the code in " + path + " could not be read: the lease's container went away");
        }
        byte[] bytes = tarGz.toByteArray();
        CodeVersions.Version first =
                versions.add(lease.id(), bytes, CodeArchive.sha256(bytes), clock.instant(), "image");
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
                Optional<String> restoreFailure =
                        install(lease, spec, archive(id, previous.get().version()));
                if (restoreFailure.isPresent()) {
                    reason += "; version " + previous.get().version() + " was installed again but "
                            + restoreFailure.get();
                }
            }
            outcome = new Outcome(target, "rolled_back", Optional.of(reason));
        }
        log.info(
                "code install finished {} {} {} {}",
                kv("leaseId", id.value()),
                kv("version", target),
                kv("status", outcome.status()),
                kv("reason", outcome.reason().orElse("")));
        observer.finished(lease, outcome);
        return outcome;
    }

    private byte[] archive(LeaseId id, int number) {
        return versions.archive(id, number)
                .orElseThrow(() -> new IllegalStateException("code version " + number + " of " + id + " is not kept"));
    }

    /** Copies the version in and (re)starts the program; empty when it came up healthy, else what went wrong. */
    private Optional<String> install(Lease lease, ImageSpec spec, byte[] tarGz) {
        ImageSpec.Code code = spec.program().code().orElseThrow();
        String container = ManagedLabels.containerName(lease.id());
        try {
            engine.replace(
                    CodeVolumes.volumeName(lease.id()),
                    spec,
                    CodeVolumes.helperName(lease.id()),
                    ManagedLabels.forLease(lease, instanceId),
                    tarGz);
            if (!code.command().isEmpty()) {
                int exit = engine.exec(container, code.command(), code.timeout());
                if (exit != 0) {
                    return Optional.of(
                            exit < 0
                                    ? "the reload command did not finish within "
                                            + code.timeout().toSeconds() + " s"
                                    : "the reload command exited with " + exit);
                }
            } else {
                runtime.restart(container, STOP_TIMEOUT);
            }
            return readiness.awaitUp(container, spec);
        } catch (EngineException e) {
            return Optional.of("the engine failed: " + e.clientMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted");
        }
    }

    private String kept(LeaseId id) {
        return versions.list(id).stream()
                .filter(CodeVersions.Version::kept)
                .map(v -> Integer.toString(v.version()))
                .reduce((a, b) -> a + ", " + b)
                .orElse("none");
    }
}
