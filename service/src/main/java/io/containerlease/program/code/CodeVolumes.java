package io.containerlease.program.code;

import io.containerlease.lease.Lease;
import io.containerlease.lease.LeaseId;
import io.containerlease.lease.ManagedLabels;
import java.util.HashSet;
import java.util.Set;

/**
 * Each code-enabled lease's volume on the engine, and the versions kept on the host: made before
 * its container, labelled like its container (so one left by a crash is found by label), removed
 * with the lease.
 */
public final class CodeVolumes {
    private final CodeEngine engine;
    private final CodeVersions versions;
    private final String instanceId;

    public CodeVolumes(CodeEngine engine, CodeVersions versions, String instanceId) {
        this.engine = engine;
        this.versions = versions;
        this.instanceId = instanceId;
    }

    public static String volumeName(LeaseId id) {
        return ManagedLabels.containerName(id) + "-code";
    }

    /** The installer container that fills the lease's volume during an update. */
    static String helperName(LeaseId id) {
        return ManagedLabels.containerName(id) + "-code-install";
    }

    /** @return the volume's name */
    public String create(Lease lease) {
        String name = volumeName(lease.id());
        engine.createVolume(name, ManagedLabels.forLease(lease, instanceId));
        return name;
    }

    public Set<LeaseId> present() {
        Set<LeaseId> present = new HashSet<>(engine.volumeLeases(instanceId));
        present.addAll(versions.present());
        return present;
    }

    /**
     * Removes the kept versions and the volume. An installer left by a crash holds the volume until
     * the reconciler removes it as an orphan; the next sweep then removes the volume.
     */
    public void remove(LeaseId id) {
        versions.remove(id);
        engine.removeVolume(volumeName(id));
    }
}
