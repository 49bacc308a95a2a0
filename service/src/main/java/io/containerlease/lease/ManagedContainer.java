package io.containerlease.lease;

import java.util.Optional;

/**
 * A container the engine reports with this instance's label.
 *
 * @param leaseId empty when the lease-id label is missing or malformed: such a container is an orphan
 * @param server  the server that made it, when its label says (containers from before clusters do not)
 * @param pooledAs the image type, for a container a server's warm pool made (its lease, if any, came later)
 * @param poolMadeAs what the pool made it from ({@link ManagedLabels#POOL_MADE_AS}), so a pool container of
 *     another build or catalog is not taken back after a restart
 */
public record ManagedContainer(
        String containerId,
        Optional<LeaseId> leaseId,
        boolean running,
        Optional<String> server,
        Optional<String> pooledAs,
        Optional<String> poolMadeAs) {
    public ManagedContainer(
            String containerId,
            Optional<LeaseId> leaseId,
            boolean running,
            Optional<String> server,
            Optional<String> pooledAs) {
        this(containerId, leaseId, running, server, pooledAs, Optional.empty());
    }

    public ManagedContainer(String containerId, Optional<LeaseId> leaseId, boolean running, Optional<String> server) {
        this(containerId, leaseId, running, server, Optional.empty());
    }

    /** A container as its labels describe it (every runtime reads them alike). */
    public static ManagedContainer fromLabels(
            String containerId, boolean running, java.util.Map<String, String> labels) {
        String lease = labels.get(ManagedLabels.LEASE_ID);
        return new ManagedContainer(
                containerId,
                LeaseId.isValid(lease) ? Optional.of(new LeaseId(lease)) : Optional.empty(),
                running,
                Optional.ofNullable(labels.get(ManagedLabels.SERVER)),
                labels.containsKey(ManagedLabels.POOL)
                        ? Optional.ofNullable(labels.get(ManagedLabels.IMAGE_TYPE))
                        : Optional.empty(),
                Optional.ofNullable(labels.get(ManagedLabels.POOL_MADE_AS)));
    }

    public boolean pooled() {
        return pooledAs.isPresent();
    }

    public ManagedContainer(String containerId, Optional<LeaseId> leaseId, boolean running) {
        this(containerId, leaseId, running, Optional.empty());
    }
}
