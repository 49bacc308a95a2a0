package io.containerlease.runtime.kubernetes;

import io.containerlease.helper.HelperBinary;
import io.containerlease.lease.ContainerSpec;
import io.containerlease.lease.ImageSpec;
import io.containerlease.lease.ManagedLabels;
import io.containerlease.lease.RuntimeOperationException;
import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SeccompProfileBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How a lease's pod is made: hardened whatever its catalog entry says (all capabilities dropped, no
 * privilege escalation, the runtime's default seccomp profile, no service-account token, the
 * catalog's limits as both requests and limits), labelled, our helper as PID 1 holding its deadline,
 * and {@code activeDeadlineSeconds} set to that same deadline, so the kubelet ends the pod even if
 * neither a server of ours nor the helper is there to.
 */
final class LeasePods {
    /** The lease's own container in its pod (an init container installs the helper first). */
    static final String CONTAINER = "lease";

    static final String HELPER_INSTALLER = "install-helper";
    /** Marks pods whose catalog entry says {@code network: none}: a NetworkPolicy of ours denies them all traffic. */
    static final String ISOLATED = "containerlease.network";

    static final String ISOLATED_VALUE = "none";
    /** The grace a pod gets between SIGTERM and SIGKILL when it is ended. */
    static final long GRACE_SECONDS = 10;

    private static final String HELPER_VOLUME = "containerlease-helper";
    private static final String CHANNEL_VOLUME = "containerlease-channel";
    private static final String TMP_VOLUME = "tmp";
    private static final String SECRETS_VOLUME = "containerlease-secrets";
    private static final String CODE_VOLUME = "containerlease-code";
    static final String CODE_SEEDER = "seed-code";
    private static final String SEED_DIR = "/seed";
    private static final String INSTALL_DIR = "/install";

    private final String namespace;
    private final Map<String, String> extraLabels;
    private final String helperImage;
    private final String helperInImage;
    private final InstantSource clock;

    LeasePods(
            String namespace,
            Map<String, String> extraLabels,
            String helperImage,
            String helperInImage,
            InstantSource clock) {
        this.namespace = namespace;
        this.extraLabels = Map.copyOf(extraLabels);
        this.helperImage = helperImage;
        this.helperInImage = helperInImage;
        this.clock = clock;
    }

    /** The name of the Secret that carries a pod's secret files. */
    static String secretName(String pod) {
        return pod + "-secrets";
    }

    Pod podFor(ContainerSpec spec) {
        ImageSpec image = spec.image();
        if (image.command().isEmpty()) {
            // Docker tells the image's own command; a cluster keeps it on its nodes, out of the service's sight.
            throw new RuntimeOperationException(
                    "image type '" + image.imageType() + "' needs a command in the catalog to run on Kubernetes", null);
        }
        var meta = new ObjectMeta();
        meta.setName(spec.name());
        meta.setNamespace(namespace);
        PodLabels.apply(labels(spec), meta);
        List<String> command = new ArrayList<>(List.of(HelperBinary.PATH, "init"));
        spec.deadline().ifPresent(at -> command.addAll(List.of("--deadline", Long.toString(ceilSeconds(at)))));
        command.add("--");
        command.addAll(image.command());

        List<Volume> volumes = new ArrayList<>();
        List<VolumeMount> mounts = new ArrayList<>();
        volumes.add(memoryVolume(HELPER_VOLUME, "16Mi"));
        mounts.add(mount(HELPER_VOLUME, HelperBinary.DIRECTORY, true));
        if (spec.mounts().channel()) {
            // The program's socket stays in its own pod, in a small memory-backed directory.
            volumes.add(memoryVolume(CHANNEL_VOLUME, "1Mi"));
            mounts.add(mount(CHANNEL_VOLUME, ImageSpec.CHANNEL_DIR, false));
        }
        List<Container> initContainers = new ArrayList<>(List.of(helperInstaller()));
        spec.mounts().codeVolume().ifPresent(claim -> {
            String path = image.program().code().orElseThrow().path();
            volumes.add(new VolumeBuilder()
                    .withName(CODE_VOLUME)
                    .withNewPersistentVolumeClaim()
                    .withClaimName(claim)
                    .endPersistentVolumeClaim()
                    .build());
            mounts.add(mount(CODE_VOLUME, path, false));
            initContainers.add(codeSeeder(image, path));
        });
        if (image.readOnlyRootfs()) {
            volumes.add(memoryVolume(TMP_VOLUME, "64Mi"));
            mounts.add(mount(TMP_VOLUME, "/tmp", false));
        }
        if (!spec.secretFiles().isEmpty()) {
            // The files come from a Secret of their own, never from the pod's spec; readable by the pod's user alone
            // (or, for a non-root user, its group, which the pod's fsGroup makes theirs).
            int mode = image.user()
                    .flatMap(LeasePods::numericUser)
                    .map(u -> u[0] == 0 ? 0400 : 0440)
                    .orElse(0400);
            volumes.add(new VolumeBuilder()
                    .withName(SECRETS_VOLUME)
                    .withNewSecret()
                    .withSecretName(secretName(spec.name()))
                    .withDefaultMode(mode)
                    .endSecret()
                    .build());
            mounts.add(mount(SECRETS_VOLUME, ContainerSpec.SECRETS_DIR, true));
        }

        var lease = new ContainerBuilder()
                .withName(CONTAINER)
                .withImage(image.image())
                .withImagePullPolicy(pullPolicy(image.pullPolicy()))
                .withCommand(command)
                .withEnv(env(spec))
                // PID 1's input stays open for the service alone: it is how the helper is told a deadline.
                .withStdin(spec.deadline().isPresent())
                .withStdinOnce(false)
                .withTty(false)
                .withNewResources()
                .withRequests(limits(image))
                .withLimits(limits(image))
                .endResources()
                .withSecurityContext(hardened(image.user(), image.readOnlyRootfs()))
                .withVolumeMounts(mounts)
                .build();
        image.lifecycle()
                .healthCheck()
                .ifPresent(check -> lease.setReadinessProbe(new io.fabric8.kubernetes.api.model.ProbeBuilder()
                        .withNewExec()
                        .withCommand(check.command())
                        .endExec()
                        .withPeriodSeconds((int) check.interval().toSeconds())
                        .withTimeoutSeconds((int) check.timeout().toSeconds())
                        .withFailureThreshold(check.retries())
                        .build()));

        var pod = new PodBuilder()
                .withMetadata(meta)
                .withNewSpec()
                .withRestartPolicy(image.lifecycle().restartRetries() > 0 ? "OnFailure" : "Never")
                .withAutomountServiceAccountToken(false)
                .withEnableServiceLinks(false)
                .withHostNetwork(false)
                .withHostPID(false)
                .withHostIPC(false)
                .withTerminationGracePeriodSeconds(GRACE_SECONDS)
                .withSecurityContext(podSecurity(image.user()))
                .withInitContainers(initContainers)
                .withContainers(lease)
                .withVolumes(volumes)
                .endSpec()
                .build();
        spec.deadline().ifPresent(at -> pod.getSpec().setActiveDeadlineSeconds(secondsUntil(at)));
        return pod;
    }

    /**
     * {@code activeDeadlineSeconds} counts from the pod's start, which comes a little after now: the
     * kubelet's end falls at most that little after the helper's.
     */
    long secondsUntil(Instant deadline) {
        return Math.max(1, ceilSeconds(deadline) - clock.instant().getEpochSecond());
    }

    /** Copies our helper from its image into the pod's memory-backed volume, then ends. */
    private Container helperInstaller() {
        return new ContainerBuilder()
                .withName(HELPER_INSTALLER)
                .withImage(helperImage)
                .withImagePullPolicy("IfNotPresent")
                .withCommand("cp", helperInImage, INSTALL_DIR + "/" + HelperBinary.FILE_NAME)
                .withNewResources()
                .withRequests(Map.of("memory", new Quantity("16Mi"), "cpu", new Quantity("50m")))
                .withLimits(Map.of("memory", new Quantity("16Mi"), "cpu", new Quantity("50m")))
                .endResources()
                .withSecurityContext(hardened(Optional.empty(), true))
                .withVolumeMounts(mount(HELPER_VOLUME, INSTALL_DIR, false))
                .build();
    }

    /**
     * Copies the image's own code into the lease's claim while it is empty, as Docker does for a new
     * volume (a claim hides what the image has at its path): with the image's shell, as the lease's user.
     */
    private static Container codeSeeder(ImageSpec image, String path) {
        List<String> command = new ArrayList<>(image.shell());
        command.add("-c");
        command.add("if [ -z \"$(ls -A " + SEED_DIR + ")\" ]; then cp -a " + path + "/. " + SEED_DIR
                + "/ 2>/dev/null; fi; true");
        return new ContainerBuilder()
                .withName(CODE_SEEDER)
                .withImage(image.image())
                .withImagePullPolicy(pullPolicy(image.pullPolicy()))
                .withCommand(command)
                .withNewResources()
                .withRequests(limits(image))
                .withLimits(limits(image))
                .endResources()
                .withSecurityContext(hardened(image.user(), true))
                .withVolumeMounts(mount(CODE_VOLUME, SEED_DIR, false))
                .build();
    }

    /** What every container of ours gets, whatever the catalog says. */
    static SecurityContext hardened(Optional<String> user, boolean readOnlyRoot) {
        var builder = new SecurityContextBuilder()
                .withPrivileged(false)
                .withAllowPrivilegeEscalation(false)
                .withCapabilities(new Capabilities(List.of(), List.of("ALL")))
                .withReadOnlyRootFilesystem(readOnlyRoot)
                .withSeccompProfile(
                        new SeccompProfileBuilder().withType("RuntimeDefault").build());
        user.flatMap(LeasePods::numericUser).ifPresent(ids -> {
            builder.withRunAsUser(ids[0]).withRunAsGroup(ids[1]);
            if (ids[0] != 0) {
                builder.withRunAsNonRoot(true);
            }
        });
        return builder.build();
    }

    private static io.fabric8.kubernetes.api.model.PodSecurityContext podSecurity(Optional<String> user) {
        var builder = new PodSecurityContextBuilder()
                .withSeccompProfile(
                        new SeccompProfileBuilder().withType("RuntimeDefault").build());
        user.flatMap(LeasePods::numericUser).ifPresent(ids -> builder.withFsGroup(ids[1]));
        return builder.build();
    }

    /**
     * A catalog user as numbers, {uid, gid}; a user name only the image can resolve has none (the pod
     * then runs as the image says, as on Docker).
     */
    static Optional<long[]> numericUser(String user) {
        if (!user.matches("\\d{1,10}(:\\d{1,10})?")) {
            return Optional.empty();
        }
        String[] parts = user.split(":");
        long uid = Long.parseLong(parts[0]);
        long gid = parts.length > 1 ? Long.parseLong(parts[1]) : uid;
        return Optional.of(new long[] {uid, gid});
    }

    private static Map<String, Quantity> limits(ImageSpec image) {
        Map<String, Quantity> limits = new HashMap<>();
        limits.put("memory", new Quantity(image.memoryMb() + "Mi"));
        limits.put("cpu", new Quantity(Math.max(1, Math.round(image.cpus() * 1000)) + "m"));
        // What the engine's log and the writable layer may take on the node's disk.
        long diskMb = image.disk().writableLayerMb().orElse(0)
                + (long) image.disk().logMaxSizeMb() * image.disk().logMaxFiles();
        limits.put("ephemeral-storage", new Quantity(Math.max(diskMb, 16) + "Mi"));
        return limits;
    }

    private static String pullPolicy(ImageSpec.PullPolicy policy) {
        return switch (policy) {
            case NEVER -> "Never";
            case IF_NOT_PRESENT -> "IfNotPresent";
            case ALWAYS -> "Always";
        };
    }

    private static List<EnvVar> env(ContainerSpec spec) {
        List<EnvVar> env = new ArrayList<>();
        spec.env().forEach((name, value) -> env.add(new EnvVar(name, value, null)));
        if (spec.mounts().channel()) {
            env.add(new EnvVar("CONTAINERLEASE_CHANNEL", ImageSpec.CHANNEL_SOCKET, null));
        }
        return env;
    }

    private Map<String, String> labels(ContainerSpec spec) {
        Map<String, String> all = new HashMap<>(extraLabels);
        all.putAll(spec.labels()); // the service's own labels always win
        spec.deadline()
                .ifPresent(at -> all.put(
                        ManagedLabels.DEADLINE,
                        Instant.ofEpochSecond(ceilSeconds(at)).toString()));
        if (spec.image().network().equals("none")) {
            all.put(ISOLATED, ISOLATED_VALUE);
        }
        return all;
    }

    private static Volume memoryVolume(String name, String size) {
        return new VolumeBuilder()
                .withName(name)
                .withNewEmptyDir()
                .withMedium("Memory")
                .withSizeLimit(new Quantity(size))
                .endEmptyDir()
                .build();
    }

    private static VolumeMount mount(String volume, String path, boolean readOnly) {
        var mount = new VolumeMount();
        mount.setName(volume);
        mount.setMountPath(path);
        mount.setReadOnly(readOnly);
        return mount;
    }

    static long ceilSeconds(Instant at) {
        return at.getEpochSecond() + (at.getNano() > 0 ? 1 : 0);
    }
}
