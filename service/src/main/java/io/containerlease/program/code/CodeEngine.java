package io.containerlease.program.code;

import io.containerlease.lease.ImageSpec;
import io.containerlease.lease.LeaseId;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What code updates need from the container engine, beyond starting and stopping containers:
 * volumes, copying files in and out, running a command. Every method may throw the runtime's
 * {@code RuntimeUnavailableException} or {@code RuntimeOperationException}.
 */
public interface CodeEngine {
    /** Creates a volume with these labels; one that exists already is kept. */
    void createVolume(String name, Map<String, String> labels);

    /** Removes a volume; one already gone is success. Fails while a container still uses it. */
    void removeVolume(String name);

    /** The leases of this instance that have a code volume on the engine. */
    Set<LeaseId> volumeLeases(String instanceId);

    /**
     * Writes the files under {@code path} in the container (running or not) to {@code tar}, as an
     * uncompressed tar whose entries are relative to {@code path}, as the engine streams them: nothing
     * is held whole, so the caller bounds what it keeps.
     *
     * @throws java.io.IOException when {@code tar} refuses (a limit) or the engine's stream breaks
     */
    void read(String container, String path, java.io.OutputStream tar) throws java.io.IOException;

    /**
     * Makes the volume hold exactly what {@code tarGz} holds: empties it, then copies the archive in,
     * through a short-lived helper container of {@code image} (hardened like a lease's) that mounts
     * only the volume, so the lease's own container may be in any state.
     *
     * @param labels the helper's labels, so that one left by a crash is found and removed like an orphan
     */
    void replace(String volume, ImageSpec image, String helperName, Map<String, String> labels, byte[] tarGz);

    /** Runs {@code command} in the running container and returns its exit code; -1 when it ran out of time. */
    int exec(String container, List<String> command, Duration timeout);
}
