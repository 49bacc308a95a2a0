package io.containerlease.runtime.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Volume;
import io.containerlease.helper.HelperBinary;
import io.containerlease.lease.RuntimeOperationException;
import io.containerlease.lease.RuntimeUnavailableException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * The volume that carries our helper into containers, read-only: made and filled once per helper
 * build (its name holds the binary's hash), checked byte for byte before first use by a server, so a
 * volume left half-filled by a crash is filled again. One per server (servers sharing a store would
 * otherwise fill one volume at once, and a container starting meanwhile could find half a helper),
 * labelled {@link #LABEL}{@code =<the store's id>} (not as a lease's, so no sweep of leases mistakes it,
 * and whoever cleans up a cluster finds them all), and removed when its server stops and no container
 * uses it. A container taken over by another server keeps the volume it was made with.
 */
public final class DockerHelperVolume implements AutoCloseable {
    public static final String LABEL = "containerlease.helper";
    private static final int MODE = 0100555; // a regular file: read and run by anyone, written by no one
    /** Where the filler container sees the volume. */
    private static final String FILL_MOUNT = "/fill";

    private final DockerClient docker;
    private final Supplier<HelperBinary> binary;
    private final String cluster;
    private final String server;
    private final Map<String, String> extraLabels;
    private volatile String ready;

    /**
     * @param cluster     the store's id, in the volume's label
     * @param server      this server's id, in the volume's name
     * @param extraLabels put on the volume and on the short-lived filler container (CONTAINER_LABELS)
     */
    public DockerHelperVolume(
            DockerClient docker,
            Supplier<HelperBinary> binary,
            String cluster,
            String server,
            Map<String, String> extraLabels) {
        this.docker = docker;
        this.binary = binary;
        this.cluster = cluster;
        this.server = server;
        this.extraLabels = Map.copyOf(extraLabels);
    }

    /**
     * The volume's name, made and filled first when this server has not yet checked it. {@code image}
     * is one the engine has (a lease's): the filler container is made from it, never started.
     */
    public String ensure(String image) {
        String name = ready;
        if (name != null) {
            return name;
        }
        synchronized (this) {
            if (ready == null) {
                HelperBinary helper = binary.get();
                String volume = "containerlease-helper-" + server + "-"
                        + helper.sha256().substring(0, 12);
                fill(volume, image, helper);
                ready = volume;
            }
            return ready;
        }
    }

    private void fill(String volume, String image, HelperBinary helper) {
        Map<String, String> labels = new HashMap<>(extraLabels);
        labels.put(LABEL, cluster);
        String filler = "containerlease-helper-fill-" + UUID.randomUUID();
        try {
            docker.createVolumeCmd()
                    .withName(volume)
                    .withLabels(labels)
                    .exec(); // the engine answers an existing one as made
            docker.createContainerCmd(image)
                    .withName(filler)
                    .withLabels(extraLabels)
                    .withEntrypoint("/containerlease-fill")
                    .withHostConfig(HostConfig.newHostConfig()
                            .withNetworkMode("none")
                            .withBinds(new Bind(volume, new Volume(FILL_MOUNT), AccessMode.rw)))
                    .exec();
            if (!holds(filler, helper)) {
                byte[] tar = SecretArchive.tar(
                        Map.of(HelperBinary.FILE_NAME, helper.bytes()), MODE, SecretArchive.Owner.ROOT);
                docker.copyArchiveToContainerCmd(filler)
                        .withRemotePath(FILL_MOUNT)
                        .withTarInputStream(new java.io.ByteArrayInputStream(tar))
                        .exec();
                if (!holds(filler, helper)) {
                    throw new RuntimeOperationException(
                            "the helper volume does not hold the helper after it was filled", volume, null);
                }
            }
        } catch (DockerException e) {
            throw new RuntimeOperationException(
                    "Docker refused to fill the helper volume", DockerClients.rootMessage(e), e);
        } catch (RuntimeOperationException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new RuntimeUnavailableException(
                    "Docker engine unreachable while filling the helper volume", DockerClients.rootMessage(e), e);
        } finally {
            try {
                docker.removeContainerCmd(filler).withForce(true).exec();
            } catch (RuntimeException ignored) {
                // never made, or already gone
            }
        }
    }

    /** Whether the volume (seen through the filler) holds exactly this build of the helper. */
    private boolean holds(String filler, HelperBinary helper) {
        try (InputStream archive = docker.copyArchiveFromContainerCmd(filler, FILL_MOUNT + "/" + HelperBinary.FILE_NAME)
                        .exec();
                var tar = new TarArchiveInputStream(archive)) {
            var entry = tar.getNextEntry();
            if (entry == null
                    || !entry.isFile()
                    || entry.getSize() != helper.bytes().length
                    || (entry.getMode() & 07777) != (MODE & 07777)) {
                return false;
            }
            return Arrays.equals(tar.readNBytes(helper.bytes().length + 1), helper.bytes());
        } catch (NotFoundException e) {
            return false;
        } catch (IOException e) {
            throw new RuntimeUnavailableException("could not read the helper volume back", e.getMessage(), e);
        }
    }

    /** Removes the volume when no container uses it (a restarted server finds its leases' containers still using it). */
    @Override
    public void close() {
        String volume = ready;
        if (volume == null) {
            return;
        }
        try {
            docker.removeVolumeCmd(volume).exec();
        } catch (RuntimeException inUseOrGone) {
            // still mounted by a lease's container (it stays for them), or already removed
        }
    }
}
