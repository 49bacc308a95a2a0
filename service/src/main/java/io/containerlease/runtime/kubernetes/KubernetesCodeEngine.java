package io.containerlease.runtime.kubernetes;

import static io.containerlease.runtime.kubernetes.KubernetesCalls.call;
import static io.containerlease.runtime.kubernetes.KubernetesCalls.run;

import io.containerlease.lease.ImageSpec;
import io.containerlease.lease.LeaseId;
import io.containerlease.lease.ManagedLabels;
import io.containerlease.lease.RuntimeOperationException;
import io.containerlease.lease.RuntimeUnavailableException;
import io.containerlease.program.code.CodeEngine;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.ExecWatch;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * {@link CodeEngine} on Kubernetes. A lease's code lives in a PersistentVolumeClaim of its own (an
 * emptyDir would go with the pod, and a start makes the pod anew), which its pod mounts at the
 * catalog's code path; an init container first copies the image's own code into an empty claim, as
 * Docker does for a new volume. An update goes in through a short-lived installer pod of the lease's
 * image that mounts the claim (on the lease pod's node: the claim is ReadWriteOnce): the archive is
 * written to its input through exec and unpacked with the image's shell, {@code head -c} and
 * {@code tar} (the exec protocol cannot end an input, so the command reads exactly the archive's
 * bytes). Reading the code and reload commands go through the lease pod's exec, so they need it running.
 */
public final class KubernetesCodeEngine implements CodeEngine {
    private static final String MOUNT = "/code";
    private static final Duration INSTALLER_START = Duration.ofMinutes(2);
    private static final Duration INSTALL_TIMEOUT = Duration.ofSeconds(60);

    private final KubernetesClient client;
    private final String namespace;
    private final Map<String, String> extraLabels;
    private final Quantity claimSize;

    /**
     * @param claimBytes the storage each lease's claim asks for (what its code may take unpacked)
     */
    public KubernetesCodeEngine(
            KubernetesClient client, String namespace, Map<String, String> extraLabels, long claimBytes) {
        this.client = client;
        this.namespace = namespace;
        this.extraLabels = Map.copyOf(extraLabels);
        this.claimSize = new Quantity(Math.max(1, (claimBytes + (1 << 20) - 1) >> 20) + "Mi");
    }

    @Override
    public void createVolume(String name, Map<String, String> labels) {
        var meta = new ObjectMeta();
        meta.setName(name);
        meta.setNamespace(namespace);
        Map<String, String> all = new HashMap<>(extraLabels);
        all.putAll(labels);
        PodLabels.apply(all, meta);
        PersistentVolumeClaim claim = new PersistentVolumeClaimBuilder()
                .withMetadata(meta)
                .withNewSpec()
                .withAccessModes("ReadWriteOnce")
                .withNewResources()
                .withRequests(Map.of("storage", claimSize))
                .endResources()
                .endSpec()
                .build();
        run("create the code claim " + name, () -> {
            var existing =
                    client.persistentVolumeClaims().inNamespace(namespace).withName(name);
            if (existing.get() == null) {
                existing.create(claim);
            }
        });
    }

    /** The cluster keeps a claim a pod still mounts until that pod goes (its protection finalizer). */
    @Override
    public void removeVolume(String name) {
        run(
                "remove the code claim " + name,
                () -> client.persistentVolumeClaims()
                        .inNamespace(namespace)
                        .withName(name)
                        .delete());
    }

    @Override
    public Set<LeaseId> volumeLeases(String instanceId) {
        Set<LeaseId> leases = new HashSet<>();
        for (var claim : call(
                "list code claims",
                () -> client.persistentVolumeClaims()
                        .inNamespace(namespace)
                        .withLabel(ManagedLabels.INSTANCE, instanceId)
                        .list()
                        .getItems())) {
            String lease = PodLabels.of(claim.getMetadata()).get(ManagedLabels.LEASE_ID);
            if (LeaseId.isValid(lease)) {
                leases.add(new LeaseId(lease));
            }
        }
        return leases;
    }

    /** {@code tar} in the running lease pod; its entries come relative to {@code path}, as the versions keep them. */
    @Override
    public void read(String container, String path, OutputStream tar) throws IOException {
        ExecWatch exec = call(
                "read " + path + " of " + container,
                () -> client.pods()
                        .inNamespace(namespace)
                        .withName(container)
                        .inContainer(LeasePods.CONTAINER)
                        .redirectingOutput()
                        .exec("tar", "cf", "-", "-C", path, "."));
        try (exec;
                var in = new TarArchiveInputStream(exec.getOutput());
                var rebased = new TarArchiveOutputStream(tar)) {
            rebased.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            rebased.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            TarArchiveEntry entry;
            while ((entry = in.getNextEntry()) != null) {
                String name = entry.getName().startsWith("./") ? entry.getName().substring(2) : entry.getName();
                if (name.isEmpty() || name.equals(".")) {
                    continue; // the top directory itself
                }
                entry.setName(name);
                rebased.putArchiveEntry(entry);
                in.transferTo(rebased);
                rebased.closeArchiveEntry();
            }
        }
    }

    @Override
    public void replace(String volume, ImageSpec image, String helperName, Map<String, String> labels, byte[] tarGz) {
        removeInstaller(helperName); // one left by a crash would hold the name
        try {
            Pod installer = installer(volume, image, helperName, labels);
            call(
                    "start the code installer",
                    () -> client.pods()
                            .inNamespace(namespace)
                            .resource(installer)
                            .create());
            awaitRunning(helperName);
            List<String> command = new ArrayList<>(image.shell());
            command.add("-c");
            command.add("rm -rf " + MOUNT + "/* " + MOUNT + "/.[!.]* " + MOUNT + "/..?*; head -c " + tarGz.length
                    + " | tar xzf - -C " + MOUNT);
            int exit = runWithInput(helperName, command, tarGz);
            if (exit != 0) {
                throw new RuntimeOperationException(
                        "the code installer could not unpack the code", "exit " + exit, null);
            }
        } finally {
            removeInstaller(helperName);
        }
    }

    /** The installer: the lease's image, hardened like a lease, the claim at /code, on the lease pod's node. */
    private Pod installer(String volume, ImageSpec image, String name, Map<String, String> labels) {
        Map<String, String> all = new HashMap<>(extraLabels);
        all.putAll(labels);
        // It only unpacks an archive: no traffic, whatever the lease's network.
        all.put(LeasePods.ISOLATED, LeasePods.ISOLATED_VALUE);
        var meta = new ObjectMeta();
        meta.setName(name);
        meta.setNamespace(namespace);
        PodLabels.apply(all, meta);
        String leasePod = PodLabels.of(meta).get(ManagedLabels.LEASE_ID) == null
                ? null
                : ManagedLabels.containerName(new LeaseId(PodLabels.of(meta).get(ManagedLabels.LEASE_ID)));
        String node = leasePod == null
                ? null
                : Optional.ofNullable(call(
                                "read pod " + leasePod,
                                () -> client.pods()
                                        .inNamespace(namespace)
                                        .withName(leasePod)
                                        .get()))
                        .map(p -> p.getSpec().getNodeName())
                        .orElse(null);
        return new PodBuilder()
                .withMetadata(meta)
                .withNewSpec()
                .withNodeName(node)
                .withRestartPolicy("Never")
                .withAutomountServiceAccountToken(false)
                .withEnableServiceLinks(false)
                .withActiveDeadlineSeconds(INSTALL_TIMEOUT.toSeconds() * 3)
                .addNewContainer()
                .withName(LeasePods.CONTAINER)
                .withImage(image.image())
                .withImagePullPolicy("IfNotPresent")
                .withCommand("sleep", Long.toString(INSTALL_TIMEOUT.toSeconds() * 2))
                .withStdin(true)
                .withSecurityContext(LeasePods.hardened(image.user(), true))
                .withNewResources()
                .withLimits(Map.of("memory", new Quantity(image.memoryMb() + "Mi"), "cpu", new Quantity("500m")))
                .withRequests(Map.of("memory", new Quantity(image.memoryMb() + "Mi"), "cpu", new Quantity("500m")))
                .endResources()
                .addNewVolumeMount()
                .withName("code")
                .withMountPath(MOUNT)
                .endVolumeMount()
                .endContainer()
                .addNewVolume()
                .withName("code")
                .withNewPersistentVolumeClaim()
                .withClaimName(volume)
                .endPersistentVolumeClaim()
                .endVolume()
                .endSpec()
                .build();
    }

    private void awaitRunning(String name) {
        long until = System.nanoTime() + INSTALLER_START.toNanos();
        while (true) {
            Pod pod = call(
                    "read pod " + name,
                    () -> client.pods().inNamespace(namespace).withName(name).get());
            if (pod != null
                    && PodStates.engineContainer(pod).state()
                            == io.containerlease.lease.EngineContainer.State.RUNNING) {
                return;
            }
            if (pod == null || PodStates.ended(pod) || System.nanoTime() >= until) {
                throw new RuntimeUnavailableException("the code installer did not start", null);
            }
            sleep(50);
        }
    }

    /** Runs {@code command} in the pod with {@code input} written to it; its exit status, -1 when it ran out of time. */
    private int runWithInput(String pod, List<String> command, byte[] input) {
        var opening = new StreamOpening();
        ExecWatch exec = call(
                "run the code installer",
                () -> client.pods()
                        .inNamespace(namespace)
                        .withName(pod)
                        .inContainer(LeasePods.CONTAINER)
                        .redirectingInput()
                        .usingListener(opening)
                        .exec(command.toArray(String[]::new)));
        opening.await(exec, pod);
        try (exec) {
            OutputStream in = exec.getInput();
            for (int at = 0; at < input.length; at += 1 << 15) {
                in.write(input, at, Math.min(1 << 15, input.length - at));
            }
            in.flush();
            return exitOf(exec, INSTALL_TIMEOUT);
        } catch (IOException e) {
            throw new RuntimeUnavailableException("the code could not be sent to the installer", e);
        }
    }

    @Override
    public int exec(String container, List<String> command, Duration timeout) {
        ExecWatch exec = call(
                "run " + command.get(0) + " in " + container,
                () -> client.pods()
                        .inNamespace(namespace)
                        .withName(container)
                        .inContainer(LeasePods.CONTAINER)
                        // fabric8 runs no command without a stream; what a reload command writes is not needed
                        .writingOutput(OutputStream.nullOutputStream())
                        .exec(command.toArray(String[]::new)));
        try (exec) {
            return exitOf(exec, timeout);
        }
    }

    private static int exitOf(ExecWatch exec, Duration timeout) {
        try {
            Integer code = exec.exitCode().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return code == null ? -1 : code;
        } catch (TimeoutException e) {
            return -1;
        } catch (ExecutionException e) {
            throw new RuntimeUnavailableException("the command's stream broke", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private void removeInstaller(String name) {
        try {
            client.pods()
                    .inNamespace(namespace)
                    .withName(name)
                    .withGracePeriod(0)
                    .delete();
        } catch (RuntimeException e) {
            // not there (the usual case), or the reconciler removes it later as an orphan
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RuntimeUnavailableException("interrupted while waiting for the code installer", e);
        }
    }
}
