package io.containerlease.runtime.docker;

import static io.containerlease.runtime.docker.DockerCalls.call;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.InspectVolumeResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.Volume;
import io.containerlease.lease.ImageSpec;
import io.containerlease.lease.LeaseId;
import io.containerlease.lease.ManagedLabels;
import io.containerlease.lease.RuntimeOperationException;
import io.containerlease.program.code.CodeEngine;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/** {@link CodeEngine} on a Docker engine through docker-java. */
public final class DockerCodeEngine implements CodeEngine {
    /** Where the installer container sees the volume. */
    private static final String MOUNT = "/code";

    private static final int HELPER_WAIT_SECONDS = 60;

    private final DockerClient docker;
    private final Map<String, String> extraLabels;

    /** @param extraLabels put on every volume and helper made here, under the service's own (CONTAINER_LABELS) */
    public DockerCodeEngine(DockerClient docker, Map<String, String> extraLabels) {
        this.docker = docker;
        this.extraLabels = Map.copyOf(extraLabels);
    }

    @Override
    public void createVolume(String name, Map<String, String> labels) {
        call(
                "create volume " + name,
                () -> docker.createVolumeCmd()
                        .withName(name)
                        .withLabels(withExtra(labels))
                        .exec());
    }

    @Override
    public void removeVolume(String name) {
        call("remove volume " + name, () -> {
            try {
                docker.removeVolumeCmd(name).exec();
            } catch (NotFoundException e) {
                // already gone
            }
            return null;
        });
    }

    @Override
    public Set<LeaseId> volumeLeases(String instanceId) {
        List<InspectVolumeResponse> volumes = call(
                "list volumes",
                () -> docker.listVolumesCmd()
                        .withFilter("label", List.of(ManagedLabels.INSTANCE + "=" + instanceId))
                        .exec()
                        .getVolumes());
        Set<LeaseId> leases = new HashSet<>();
        for (InspectVolumeResponse volume : volumes == null ? List.<InspectVolumeResponse>of() : volumes) {
            String lease =
                    volume.getLabels() == null ? null : volume.getLabels().get(ManagedLabels.LEASE_ID);
            if (lease != null && LeaseId.isValid(lease)) {
                leases.add(new LeaseId(lease));
            }
        }
        return leases;
    }

    /** The engine names every entry after the path's last part ({@code app/x}); the versions hold them relative ({@code x}). */
    @Override
    public void read(String container, String path, OutputStream tar) throws IOException {
        InputStream archive = call(
                "read " + path + " of " + container,
                () -> docker.copyArchiveFromContainerCmd(container, path).exec());
        try (archive;
                var in = new TarArchiveInputStream(archive);
                var rebased = new TarArchiveOutputStream(tar)) {
            rebased.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            rebased.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            TarArchiveEntry entry;
            while ((entry = in.getNextEntry()) != null) {
                String name = entry.getName();
                int slash = name.indexOf('/');
                if (slash < 0 || slash == name.length() - 1) {
                    continue; // the top directory itself
                }
                entry.setName(name.substring(slash + 1));
                rebased.putArchiveEntry(entry);
                in.transferTo(rebased);
                rebased.closeArchiveEntry();
            }
        }
    }

    @Override
    public void replace(String volume, ImageSpec image, String helperName, Map<String, String> labels, byte[] tarGz) {
        removeQuietly(helperName); // one left by a crash would hold the name
        try {
            // Empties the volume: the image's own shell, as root (owner of what the engine copied in) without
            // capabilities.
            List<String> clear = new ArrayList<>(image.shell());
            clear.add("-c");
            clear.add("rm -rf " + MOUNT + "/* " + MOUNT + "/.[!.]* " + MOUNT + "/..?*; true");
            String id = call(
                    "create the code installer",
                    () -> docker.createContainerCmd(image.image())
                            .withName(helperName)
                            .withLabels(withExtra(labels))
                            .withUser("0")
                            .withEntrypoint(clear)
                            .withHostConfig(DockerContainerCreation.hardened(image)
                                    .withBinds(new Bind(volume, new Volume(MOUNT), AccessMode.rw)))
                            .exec()
                            .getId());
            call("start the code installer", () -> docker.startContainerCmd(id).exec());
            Integer exit = call(
                    "wait for the code installer",
                    () -> docker.waitContainerCmd(id).start().awaitStatusCode(HELPER_WAIT_SECONDS, TimeUnit.SECONDS));
            if (exit == null || exit != 0) {
                throw new RuntimeOperationException(
                        "the code installer could not empty the code volume", "exit " + exit, null);
            }
            // The engine unpacks gzip itself; the helper has exited, and copying into a stopped container works.
            call("copy the code in", () -> {
                docker.copyArchiveToContainerCmd(id)
                        .withRemotePath(MOUNT)
                        .withTarInputStream(new ByteArrayInputStream(tarGz))
                        .exec();
                return null;
            });
        } finally {
            removeQuietly(helperName);
        }
    }

    @Override
    public int exec(String container, List<String> command, Duration timeout) {
        String execId = call(
                "run " + command.get(0) + " in " + container,
                () -> docker.execCreateCmd(container)
                        .withCmd(command.toArray(String[]::new))
                        .withAttachStdout(true)
                        .withAttachStderr(true)
                        .exec()
                        .getId());
        var callback = new ResultCallback.Adapter<Frame>();
        call(
                "run " + command.get(0) + " in " + container,
                () -> docker.execStartCmd(execId).exec(callback));
        try {
            if (!callback.awaitCompletion(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                return -1;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        } finally {
            try {
                callback.close();
            } catch (IOException ignored) {
                // the exec's output is not needed
            }
        }
        Long exit = call(
                "inspect the exec", () -> docker.inspectExecCmd(execId).exec().getExitCodeLong());
        return exit == null ? -1 : exit.intValue();
    }

    private void removeQuietly(String name) {
        try {
            docker.removeContainerCmd(name)
                    .withForce(true)
                    .withRemoveVolumes(false)
                    .exec();
        } catch (RuntimeException e) {
            // not there (the usual case), or the reconciler removes it later as an orphan
        }
    }

    private Map<String, String> withExtra(Map<String, String> labels) {
        Map<String, String> all = new HashMap<>(extraLabels);
        all.putAll(labels);
        return all;
    }
}
