package io.containerlease.runtime.docker;

import static io.containerlease.runtime.docker.DockerCalls.call;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.HealthCheck;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.LogConfig;
import com.github.dockerjava.api.model.RestartPolicy;
import com.github.dockerjava.api.model.Volume;
import io.containerlease.helper.HelperBinary;
import io.containerlease.lease.ContainerSpec;
import io.containerlease.lease.ImageSpec;
import io.containerlease.lease.ManagedLabels;
import io.containerlease.lease.RuntimeOperationException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * How a lease's container is made on Docker: hardened whatever its catalog entry says, labelled,
 * our helper as PID 1 holding its deadline, its code volume, channel directory and secret files,
 * and started.
 */
final class DockerContainerCreation {
    private final DockerClient docker;
    private final Map<String, String> extraLabels;
    private final DockerHelperVolume helper;
    private final ImageCommands imageCommands;
    /** Whether the storage driver can cap a writable layer (false until probed). */
    private final BooleanSupplier writableLayerQuota;

    DockerContainerCreation(
            DockerClient docker,
            Map<String, String> extraLabels,
            DockerHelperVolume helper,
            ImageCommands imageCommands,
            BooleanSupplier writableLayerQuota) {
        this.docker = docker;
        this.extraLabels = extraLabels;
        this.helper = helper;
        this.imageCommands = imageCommands;
        this.writableLayerQuota = writableLayerQuota;
    }

    String createAndStart(ContainerSpec spec) {
        ImageSpec image = spec.image();
        HostConfig host = hardened(image).withNetworkMode(image.network());
        if (image.disk().writableLayerMb().isPresent() && writableLayerQuota.getAsBoolean()) {
            host.withStorageOpt(Map.of("size", image.disk().writableLayerMb().get() + "m"));
        }
        if (image.lifecycle().restartRetries() > 0) {
            host.withRestartPolicy(
                    RestartPolicy.onFailureRestart(image.lifecycle().restartRetries()));
        }
        // Our helper is PID 1 of every container (instead of the engine's init): it runs the image's own
        // command and ends the container at its deadline, whether or not a server of ours is alive.
        host.withInit(false);
        List<String> entrypoint = new java.util.ArrayList<>(List.of(HelperBinary.PATH, "init"));
        spec.deadline()
                .ifPresent(deadline -> entrypoint.addAll(List.of("--deadline", Long.toString(ceilSeconds(deadline)))));
        entrypoint.add("--");
        entrypoint.addAll(imageCommands.resolve(image));
        List<Bind> binds = new java.util.ArrayList<>();
        binds.add(new Bind(helper.ensure(image.image()), new Volume(HelperBinary.DIRECTORY), AccessMode.ro));
        Map<String, String> tmpfs = new java.util.HashMap<>();
        if (spec.mounts().channel()) {
            // The program's socket stays in its own container, in a small tmpfs (no host path, no disk);
            // the service reaches it through our helper.
            tmpfs.put(ImageSpec.CHANNEL_DIR, channelDirOptions(image.user()));
        }
        spec.mounts()
                .codeVolume()
                .ifPresent(volume -> binds.add(new Bind(
                        volume, new Volume(image.program().code().orElseThrow().path()), AccessMode.rw)));
        host.withBinds(binds);
        if (image.readOnlyRootfs()) {
            // A read-only root still needs somewhere to write: a small, size-limited /tmp.
            host.withReadonlyRootfs(true);
            tmpfs.put("/tmp", "rw,nosuid,nodev,size=64m,mode=1777");
        }
        if (!tmpfs.isEmpty()) {
            host.withTmpFs(tmpfs);
        }
        String id;
        try {
            id = create(spec, image, host, entrypoint);
        } catch (RuntimeOperationException e) {
            if (e.getCause() instanceof NotFoundException) {
                throw new NotFoundOnCreate(e);
            }
            throw e;
        }
        if (!spec.secretFiles().isEmpty()) {
            // Owned by the container's user and readable by it alone: a numeric user is written into the
            // archive; a user name only the engine can resolve, from the image's /etc/passwd.
            var numeric = image.user()
                    .map(SecretArchive.Owner::numeric)
                    .orElse(java.util.Optional.of(SecretArchive.Owner.ROOT));
            byte[] archive = SecretArchive.of(spec.secretFiles(), numeric.orElse(SecretArchive.Owner.ROOT));
            call("deliver secret files to " + spec.name(), () -> {
                docker.copyArchiveToContainerCmd(id)
                        .withRemotePath(ContainerSpec.SECRETS_DIR)
                        .withCopyUIDGID(numeric.isEmpty())
                        .withTarInputStream(new java.io.ByteArrayInputStream(archive))
                        .exec();
                return null;
            });
        }
        call("start " + spec.name(), () -> docker.startContainerCmd(id).exec());
        return id;
    }

    private String create(ContainerSpec spec, ImageSpec image, HostConfig host, List<String> entrypoint) {
        return call("create " + spec.name(), () -> {
            var cmd = docker.createContainerCmd(image.image())
                    .withName(spec.name())
                    .withLabels(labels(spec))
                    .withEnv(env(spec))
                    .withHostConfig(host)
                    .withEntrypoint(entrypoint);
            if (spec.deadline().isPresent()) {
                // PID 1's input stays open for the service alone: it is how the deadline is moved (DockerDeadlines).
                cmd = cmd.withStdinOpen(true).withStdInOnce(false);
            }
            if (image.user().isPresent()) {
                cmd = cmd.withUser(image.user().get());
            }
            if (image.lifecycle().healthCheck().isPresent()) {
                cmd = cmd.withHealthcheck(
                        healthCheck(image.lifecycle().healthCheck().get()));
            }
            if (!spec.secretFiles().isEmpty()) {
                // An anonymous volume (removed with the container): written even under a read-only root.
                cmd = cmd.withVolumes(new Volume(ContainerSpec.SECRETS_DIR));
            }
            return cmd.exec().getId();
        });
    }

    /**
     * The engine could not find what a create named: the image, most likely (it is not looked at
     * before each create), or a network the catalog names.
     */
    static final class NotFoundOnCreate extends RuntimeException {
        private final RuntimeOperationException refusal;

        NotFoundOnCreate(RuntimeOperationException refusal) {
            super(refusal.getMessage(), refusal, false, false);
            this.refusal = refusal;
        }

        RuntimeOperationException refusal() {
            return refusal;
        }
    }

    /**
     * The channel directory's tmpfs: 1 MiB (a socket takes no room; nothing else belongs there), no
     * devices, set-uid or programs. A numeric catalog user owns it alone; a user only the image can
     * resolve (a name), or the image's own user, needs a directory anyone in the container may write.
     */
    private static String channelDirOptions(Optional<String> user) {
        String base = "rw,nosuid,nodev,noexec,size=1m,";
        return user.flatMap(SecretArchive.Owner::numeric)
                .map(owner -> base + "uid=" + owner.uid() + ",gid=" + owner.gid() + ",mode=0700")
                .orElse(base + "mode=1777");
    }

    /** The lease's environment, and where the channel's socket is when the lease has one. */
    private static List<String> env(ContainerSpec spec) {
        List<String> env = new java.util.ArrayList<>(spec.env().entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue())
                .toList());
        if (spec.mounts().channel()) {
            env.add("CONTAINERLEASE_CHANNEL=" + ImageSpec.CHANNEL_SOCKET);
        }
        return env;
    }

    /**
     * The hardening every container of the service gets, whatever its catalog entry says (network
     * {@code none} here; a lease's container may get its catalog's network).
     */
    static HostConfig hardened(ImageSpec image) {
        return HostConfig.newHostConfig()
                .withNetworkMode("none")
                .withCapDrop(Capability.ALL)
                .withSecurityOpts(List.of("no-new-privileges"))
                .withMemory(image.memoryBytes())
                .withMemorySwap(image.memoryBytes())
                .withNanoCPUs(image.nanoCpus())
                .withPidsLimit(image.pidsLimit())
                .withPrivileged(false)
                .withInit(true)
                // The engine's log of a chatty container is rotated, so one lease cannot fill the host's disk.
                .withLogConfig(new LogConfig(
                        LogConfig.LoggingType.JSON_FILE,
                        Map.of(
                                "max-size",
                                image.disk().logMaxSizeMb() + "m",
                                "max-file",
                                Integer.toString(image.disk().logMaxFiles()))));
    }

    private static long ceilSeconds(java.time.Instant at) {
        return DockerDeadlines.ceilSeconds(at);
    }

    private Map<String, String> labels(ContainerSpec spec) {
        Map<String, String> all = new java.util.HashMap<>(extraLabels);
        all.putAll(spec.labels()); // the service's own labels always win
        spec.deadline()
                .ifPresent(deadline -> all.put(
                        ManagedLabels.DEADLINE,
                        java.time.Instant.ofEpochSecond(ceilSeconds(deadline)).toString()));
        return all;
    }

    private static HealthCheck healthCheck(ImageSpec.HealthCheck check) {
        List<String> test = new java.util.ArrayList<>(List.of("CMD"));
        test.addAll(check.command());
        return new HealthCheck()
                .withTest(test)
                .withInterval(check.interval().toNanos())
                .withTimeout(check.timeout().toNanos())
                .withRetries(check.retries());
    }
}
